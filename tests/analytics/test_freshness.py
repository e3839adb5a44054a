"""Settings writes commit at once and queue one facts rebuild per tenant; readers see committed facts and `pending`.

The rebuilds run in real `pulse worker` processes through Procrastinate, against the real ETL Service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pulse.analytics.config import service as config
from pulse.analytics.dora import service as dora
from pulse.analytics.freshness import service as freshness_service
from pulse.analytics.period import Filters, parse_period
from tests.analytics.datasets import build_main
from tests.analytics.seed import Seed
from tests.etl.conftest import API, Tenant, bearer, wait_until
from tests.etl.conftest import workers as workers
from tests.servers import PulseProcess, ThreadServer

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
# build_main's production deployments in March: three to "production" (acme/api), one to "prod" (acme/web).
ALL_PRODUCTION, PRODUCTION_ONLY, PROD_ONLY = 4, 3, 1


@dataclass
class Main:
    """Tenant A holding build_main's rows, and an HTTP client of its admin on the ETL Service."""

    client: httpx.Client
    client_id: int
    ids: dict[str, int]


@pytest.fixture
def main(etl_server: ThreadServer, tenant: Tenant, tokens: dict[str, str], clean_engine: Engine) -> Iterator[Main]:
    ids = build_main(Seed(clean_engine, tenant.client_id))
    with httpx.Client(base_url=etl_server.base_url + API, headers=bearer(tokens["admin"]), timeout=30) as client:
        yield Main(client=client, client_id=tenant.client_id, ids=ids)


def dora_deployments(client: httpx.Client) -> tuple[int, dict[str, Any]]:
    body = client.get("/metrics/dora", params=MARCH).json()
    return body["deployment_frequency"]["deployments"], body["freshness"]


def tenant_rule(client: httpx.Client) -> int:
    [rule] = client.get("/settings/deployment-rules").json()["items"]
    return int(rule["id"])


def set_pattern(client: httpx.Client, rule_id: int, pattern: str) -> None:
    answer = client.patch(f"/settings/deployment-rules/{rule_id}", json={"environment_pattern": pattern})
    assert answer.status_code == 200, answer.text


def rebuild_jobs(engine: Engine, client_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT status::text FROM procrastinate_jobs WHERE queueing_lock = :lock ORDER BY id"),
                {"lock": f"pulse.facts.{client_id}"},
            ).scalars()
        )


def refresh_state(engine: Engine, client_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT requested_version, built_version FROM metric_refresh_state WHERE client_id = :c"),
            {"c": client_id},
        ).one()
        return int(row[0]), int(row[1])


def wait_fresh(client: httpx.Client) -> dict[str, Any]:
    def fresh() -> dict[str, Any] | None:
        state: dict[str, Any] = client.get("/metrics/freshness").json()
        return None if state["pending"] else state

    return wait_until(fresh, timeout=60, what="the facts rebuild")


def rebuilds(worker: PulseProcess) -> int:
    return worker.logs().count('"facts_rebuilt"')


def test_a_write_answers_without_rebuilding_and_the_worker_job_catches_up(
    main: Main, clean_engine: Engine, workers: Callable[..., PulseProcess]
) -> None:
    client = main.client
    count, fresh = dora_deployments(client)  # the first read of a small tenant builds its facts
    assert (count, fresh["pending"]) == (ALL_PRODUCTION, False)
    set_pattern(client, tenant_rule(client), "^production$")
    # Committed, not rebuilt: the facts still follow the old rule, and every answer says so.
    count, pending = dora_deployments(client)
    assert (count, pending) == (ALL_PRODUCTION, {"as_of": fresh["as_of"], "pending": True})
    assert client.get("/metrics/pull-requests", params=MARCH).json()["freshness"]["pending"] is True
    assert rebuild_jobs(clean_engine, main.client_id) == ["todo"]
    worker = workers()
    done = wait_fresh(client)
    assert done["as_of"] > fresh["as_of"]
    assert dora_deployments(client) == (PRODUCTION_ONLY, done)
    assert rebuilds(worker) == 1


def test_a_rolled_back_write_queues_nothing(db_session: Session, clean_engine: Engine, seed: Seed) -> None:
    build_main(seed)
    kind = config.KINDS["deployment-rules"]
    rows, _ = config.list_(db_session=db_session, client_id=seed.client_id, kind=kind, include_inactive=False,
                           limit=10, offset=0)  # fmt: skip
    db_session.commit()
    config.update_(
        db_session=db_session,
        client_id=seed.client_id,
        kind=kind,
        row=rows[0],
        body=config.schemas.DeploymentRuleUpdate(environment_pattern="^prod$"),
    )
    assert rebuild_jobs(clean_engine, seed.client_id) == []  # not visible before the commit either
    db_session.rollback()
    assert rebuild_jobs(clean_engine, seed.client_id) == []
    with clean_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM metric_refresh_state")).scalar_one() == 0


def test_many_writes_collapse_into_one_pending_rebuild(
    main: Main, clean_engine: Engine, workers: Callable[..., PulseProcess]
) -> None:
    client = main.client
    dora_deployments(client)
    rule = tenant_rule(client)
    for pattern in ("^prod$", "^staging$", "^production$", "^qa$", "^prod$"):
        set_pattern(client, rule, pattern)
    assert rebuild_jobs(clean_engine, main.client_id) == ["todo"]
    assert refresh_state(clean_engine, main.client_id) == (5, 0)
    # Reads while pending do not queue more.
    assert dora_deployments(client)[1]["pending"] is True
    assert rebuild_jobs(clean_engine, main.client_id) == ["todo"]
    worker = workers()
    wait_fresh(client)
    assert dora_deployments(client)[0] == PROD_ONLY
    assert refresh_state(clean_engine, main.client_id) == (5, 5)
    assert rebuilds(worker) == 1


def test_a_write_during_a_rebuild_causes_one_more_rebuild_and_reads_never_wait(
    main: Main, clean_engine: Engine, workers: Callable[..., PulseProcess]
) -> None:
    def lock_waiters() -> int:
        with clean_engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
            )

    client = main.client
    before = client.get("/metrics/dora", params=MARCH).json()
    rule = tenant_rule(client)
    set_pattern(client, rule, "^(production|prod|staging)$")  # adds the staging deployment to the facts
    # An uncommitted fact row for that deployment makes the rebuild wait in the middle of writing its new
    # facts, after it read the settings (the unique index on deployment_id makes it wait for this holder).
    with clean_engine.connect() as holder:
        holder.execute(
            text(
                "INSERT INTO metric_deployments (client_id, deployment_id, repository_id, environment, sha,"
                " finished_at, changes_computed) SELECT client_id, id, repository_id, environment, sha,"
                " finished_at, changes_computed FROM deployments WHERE id = :d"
            ),
            {"d": main.ids["staging"]},
        )
        worker = workers()
        wait_until(lambda: lock_waiters() == 1, timeout=60, what="the rebuild to wait")
        # A reader meanwhile answers at once, from the last committed facts, never half of the new ones.
        during = client.get("/metrics/dora", params=MARCH).json()
        assert during["freshness"] == {"as_of": before["freshness"]["as_of"], "pending": True}
        assert {k: v for k, v in during.items() if k != "freshness"} == {
            k: v for k, v in before.items() if k != "freshness"
        }
        # A write commits while that rebuild, which read the settings before it, still runs.
        set_pattern(client, rule, "^prod$")
        assert rebuild_jobs(clean_engine, main.client_id) == ["doing", "todo"]
        holder.rollback()
    wait_fresh(client)
    assert dora_deployments(client)[0] == PROD_ONLY
    assert refresh_state(clean_engine, main.client_id) == (2, 2)
    assert rebuilds(worker) == 2


def test_a_large_tenant_never_built_answers_pending_from_empty_facts(
    db_session: Session, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_main(seed)
    # build_main has 22 source rows; call anything above 10 large (the real threshold is 20,000 rows).
    monkeypatch.setattr(freshness_service, "FIRST_BUILD_MAX_ROWS", 10)
    march = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)
    filters = Filters(client_id=seed.client_id)
    first = dora.summary(db_session=db_session, period=march, filters=filters)
    assert first["deployment_frequency"]["deployments"] == 0
    assert freshness_service.current(db_session=db_session, client_id=seed.client_id).as_of is None
    db_session.commit()
    assert rebuild_jobs(seed.engine, seed.client_id) == ["todo"]
    assert freshness_service.rebuild(db_session=db_session, client_id=seed.client_id)  # what the job runs
    again = dora.summary(db_session=db_session, period=march, filters=filters)
    assert again["deployment_frequency"]["deployments"] == ALL_PRODUCTION
    assert not freshness_service.current(db_session=db_session, client_id=seed.client_id).pending


def test_a_job_for_source_writes_alone_recomputes_only_what_they_touched(
    db_session: Session, clean_engine: Engine, seed: Seed
) -> None:
    ids = build_main(seed)
    freshness_service.rebuild(db_session=db_session, client_id=seed.client_id)  # the first build
    db_session.commit()

    def fact_ids(repository_id: int) -> list[int]:
        with clean_engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id FROM metric_deployments WHERE repository_id = :r ORDER BY id"), {"r": repository_id}
            )
            return [row[0] for row in rows]

    untouched, before_b = fact_ids(ids["a"]), fact_ids(ids["b"])
    # A source write outside a sync's refresh (as a push is) and the finished run that records it.
    seed.deployment(ids["b"], datetime(2026, 3, 20, 12, tzinfo=UTC))
    seed.execute(
        "INSERT INTO job_runs (client_id, integration_id, status, trigger, max_attempts, started_at, finished_at)"
        " VALUES (:c, :i, 'FINISHED', 'push', 1, now(), now())",
        c=seed.client_id,
        i=seed.github,
    )
    assert freshness_service.current(db_session=db_session, client_id=seed.client_id).pending
    assert freshness_service.rebuild(db_session=db_session, client_id=seed.client_id)
    db_session.commit()
    # Repository A's facts were kept, not deleted and re-inserted as a full rebuild would; B gained its deployment.
    assert fact_ids(ids["a"]) == untouched
    assert len(fact_ids(ids["b"])) == len(before_b) + 1
    assert not freshness_service.current(db_session=db_session, client_id=seed.client_id).pending
