"""The incremental refresh leaves exactly the facts a full rebuild would, whatever the syncs brought.

Property-style: for a few random seeds, a simulated organisation is synced for real (GitHub and Jira
connectors against the simulator on loopback), then a random sequence of steps runs: the simulator's
`POST /_sim/advance` (with late deployments and force-pushed branches), a repository removed from and put
back into the integration's settings, a deactivated team, a changed deployment rule. After each step's sync
the sync job's incremental refresh runs, and its fact tables must equal, row for row, what a full rebuild
computes in a transaction that is then rolled back (so the next step builds on the incremental facts).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from pulse.analytics.config import schemas
from pulse.analytics.config import service as config
from pulse.analytics.incremental import refresh_pending
from pulse.analytics.refresh import refresh_tenant
from pulse.core.db.engine import session_factory, unit_of_work
from pulse.etl.connectors.github.connector import GitHubConnector
from pulse.etl.connectors.jira.connector import JiraConnector
from pulse.sim.config import SimConfig
from pulse.sim.dataset import DatasetSpec
from pulse.sim.server import RunningSimulator, start_simulator
from tests.analytics.datasets import build_main, sim_teams
from tests.analytics.seed import Seed, at
from tests.connectors.conftest import github_settings, jira_settings, make_integration
from tests.connectors.context import DirectContext
from tests.factories import make_client

SEEDS = [11, 29, 53]
STEPS = 8
FACTS = {
    "metric_deployments": "deployment_id, repository_id, environment, sha, finished_at, changes_computed",
    "metric_changes": "pull_request_id, deployment_id, repository_id, deployed_at, started_at, lead_time_hours",
    "metric_incidents": "source, incident_id, key, title, opened_at, resolved_at, repo_ids, deployment_id,"
    " deployment_finished_at",
    "metric_pull_requests": "pull_request_id, repository_id, merged_at, deployment_id, deployed_at, coding_us,"
    " pickup_us, review_us, deploy_us, total_us, lines, files, reviews, comments, review_cycles, rework_commits,"
    " number, first_commit_at, opened_at, first_review_at, closed_at, state, author, title",
    "metric_work_items": "work_item_id, project_id, key, summary, issue_type, status, opened_at, source_updated_at,"
    " cycle_started_at, completed_at, cycle_time_hours, lead_time_hours, active_hours, reopened",
    "metric_work_item_segments": "work_item_id, project_id, completed_at, source_updated_at, step, category,"
    " position, hours",
    "metric_work_item_wip": "work_item_id, project_id, opened_at, started_at::text, ended_at::text",
}


def snapshot(engine: Engine, client_id: int, conn: Any = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every fact row of the tenant (without surrogate ids and timestamps), in a fixed order."""

    def read(c: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: [
                tuple(tuple(v) if isinstance(v, list) else v for v in r)
                for r in c.execute(
                    text(f"SELECT {cols} FROM {table} WHERE client_id = :c ORDER BY {cols}"), {"c": client_id}
                ).all()
            ]
            for table, cols in FACTS.items()
        }

    if conn is not None:
        return read(conn)
    with engine.connect() as c:
        return read(c)


def full_rebuild(engine: Engine, client_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """What a full rebuild computes now (rolled back, so the incremental facts stay)."""
    session = session_factory(engine)()
    try:
        refresh_tenant(db_session=session, client_id=client_id)
        return snapshot(engine, client_id, session.connection())
    finally:
        session.rollback()
        session.close()


class Org:
    """A tenant synced from one simulator, and the steps the property test draws from."""

    def __init__(self, engine: Engine, sim: RunningSimulator, rng: random.Random) -> None:
        self.engine, self.sim, self.rng = engine, sim, rng
        self.client_id = make_client(engine)
        self.github = make_integration(engine, self.client_id, "github", sim.base_url, github_settings())
        self.jira = make_integration(engine, self.client_id, "jira", sim.base_url, jira_settings())
        self.repo_names = [r.full_name for r in sim.app.dataset.repositories]
        self.dropped: str | None = None
        self.staging = False

    def sync(self) -> None:
        """Both connectors, then the sync job's refresh (in its own transaction, as `_finish` runs it)."""
        GitHubConnector().sync(DirectContext(self.engine, self.github))
        JiraConnector().sync(DirectContext(self.engine, self.jira))
        with unit_of_work(self.engine) as db_session:
            refresh_pending(db_session=db_session, client_id=self.client_id)

    def settings_changed(self) -> None:
        """A settings write's rebuild (the config service or the job it enqueues runs it)."""
        with unit_of_work(self.engine) as db_session:
            refresh_tenant(db_session=db_session, client_id=self.client_id)

    def make_teams(self) -> None:
        ds = self.sim.app.dataset
        with self.engine.connect() as conn:
            ids = dict(conn.execute(text("SELECT full_name, id FROM repositories WHERE client_id = :c"),
                                    {"c": self.client_id}).all())  # fmt: skip
        with unit_of_work(self.engine) as db_session:
            sim_teams(db_session, self.client_id, ds, ids)
        self.settings_changed()

    # -- steps -----------------------------------------------------------------------------------------------

    def advance(self) -> str:
        body = {
            "hours": self.rng.choice([6, 24, 48]),
            "late_deployments": self.rng.choice([0, 1, 2]),
            "force_pushes": self.rng.choice([0, 1, 2]),
        }
        httpx.post(self.sim.base_url + "/_sim/advance", json=body, timeout=30).raise_for_status()
        self.sync()
        return f"advance {body}"

    def late_only(self) -> str:
        body = {"hours": 1, "new_pulls_per_repo": 0, "new_work_items_per_project": 0, "late_deployments": 3}
        httpx.post(self.sim.base_url + "/_sim/advance", json=body, timeout=30).raise_for_status()
        self.sync()
        return "late deployments"

    def toggle_repository(self) -> str:
        if self.dropped is None:
            self.dropped = self.rng.choice(self.repo_names)
            kept = [n for n in self.repo_names if n != self.dropped]
            self.github = dataclasses.replace(self.github, settings=github_settings(repositories=kept))
            step = f"drop {self.dropped}"
        else:
            self.github = dataclasses.replace(self.github, settings=github_settings())
            step = f"restore {self.dropped}"
            self.dropped = None
        self.sync()
        return step

    def deactivate_team(self) -> str:
        with unit_of_work(self.engine) as db_session:
            teams, _total = config.list_(db_session=db_session, client_id=self.client_id, kind=config.KINDS["teams"],
                                         include_inactive=False, limit=10, offset=0)  # fmt: skip
            if not teams:
                return "no team left"
            config.deactivate(db_session=db_session, client_id=self.client_id, kind=config.KINDS["teams"],
                              row=teams[0], body=schemas.Deactivate())  # fmt: skip
        self.settings_changed()
        return "deactivate a team"

    def change_rule(self) -> str:
        kind = config.KINDS["deployment-rules"]
        self.staging = not self.staging
        pattern = "^(prod|production|staging)$" if self.staging else "^(prod|production)$"
        with unit_of_work(self.engine) as db_session:
            rules, _total = config.list_(db_session=db_session, client_id=self.client_id, kind=kind,
                                         include_inactive=False, limit=10, offset=0)  # fmt: skip
            tenant_rule = next(r for r in rules if r.scope == "tenant")
            config.update_(db_session=db_session, client_id=self.client_id, kind=kind, row=tenant_rule,
                           body=schemas.DeploymentRuleUpdate(environment_pattern=pattern))  # fmt: skip
        self.settings_changed()
        return f"rule: {pattern}"


def pending(engine: Engine, client_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM metric_dirty WHERE client_id = :c"), {"c": client_id}).scalar_one()
        )


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def seeded_sim(request: pytest.FixtureRequest) -> Iterator[RunningSimulator]:
    """A small organisation of a given seed."""
    spec = DatasetSpec(
        seed=request.param,
        anchor=datetime(2026, 6, 1, tzinfo=UTC),
        repos=3,
        teams=2,
        prs_per_repo=20,
        work_items_per_project=40,
        history_days=90,
    )
    running = start_simulator(SimConfig(dataset=spec))
    yield running
    running.stop()


def test_incremental_refresh_equals_a_full_rebuild(seeded_sim: RunningSimulator, clean_engine: Engine) -> None:
    rng = random.Random(seeded_sim.app.dataset.spec.seed)
    org = Org(clean_engine, seeded_sim, rng)
    org.sync()
    org.make_teams()
    first = snapshot(clean_engine, org.client_id)
    assert all(first[table] for table in FACTS)

    # Mostly syncs of new and late data; now and then a settings change or a repository dropped from the settings.
    steps = [org.advance] * 4 + [org.late_only] * 2 + [org.toggle_repository, org.deactivate_team, org.change_rule]
    done: list[str] = []
    for _ in range(STEPS):
        step = rng.choice(steps)
        done.append(step())
        assert pending(clean_engine, org.client_id) == 0
        incremental = snapshot(clean_engine, org.client_id)
        full = full_rebuild(clean_engine, org.client_id)
        for table in FACTS:
            missing = sorted(set(full[table]) - set(incremental[table]), key=repr)[:5]
            extra = sorted(set(incremental[table]) - set(full[table]), key=repr)[:5]
            assert incremental[table] == full[table], f"after {done}: {table} missing {missing}, extra {extra}"
    # The sequence moved the facts (a test over an unchanging organisation would prove nothing).
    assert snapshot(clean_engine, org.client_id) != first, done


def dirty(engine: Engine, client_id: int) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT stream, repository_id, project_id, NULLIF(min(since), '-infinity') FROM metric_dirty"
                    " WHERE client_id = :c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
                ),
                {"c": client_id},
            ).all()
        ]


def test_writes_record_what_they_touched_and_the_refresh_consumes_it(seed: Seed, other_seed: Seed) -> None:
    ids = build_main(seed)
    build_main(other_seed)
    with unit_of_work(seed.engine) as db_session:
        refresh_tenant(db_session=db_session, client_id=seed.client_id)
    assert dirty(seed.engine, seed.client_id) == []
    others = dirty(other_seed.engine, other_seed.client_id)
    assert others  # the other tenant's own writes, pending
    # Rewriting a row with the values it has records nothing: a re-synced page costs no refresh.
    seed.execute("UPDATE deployments SET source_updated_at = source_updated_at, last_updated_at = now()"
                 " WHERE client_id = :c", c=seed.client_id)  # fmt: skip
    assert dirty(seed.engine, seed.client_id) == []
    # A deployment moved earlier: its repository from the earlier of the two times; a PR's first commit
    # rewritten (force-push): the changes of its repository from its merge and its deployment.
    seed.execute("UPDATE deployments SET finished_at = finished_at - interval '4 days' WHERE id = :d", d=ids["d2"])
    seed.execute("UPDATE pull_requests SET first_commit_at = first_commit_at + interval '1 hour' WHERE id = :p",
                 p=ids["pr1"])  # fmt: skip
    d2_at, pr1_merged, d1_at = at(3, 1, 12), at(3, 2, 9), at(3, 2, 12)
    assert dirty(seed.engine, seed.client_id) == [
        ("changes", ids["a"], None, min(pr1_merged, d1_at)),
        ("deployments", ids["a"], None, d2_at),
        ("pull_requests", ids["a"], None, None),
    ]
    assert dirty(other_seed.engine, other_seed.client_id) == others  # one tenant's writes are its own
    with unit_of_work(seed.engine) as db_session:
        counts = refresh_pending(db_session=db_session, client_id=seed.client_id)
    assert counts["repositories"] == 1 and counts["deployments"] >= 1
    assert dirty(seed.engine, seed.client_id) == []
    assert snapshot(seed.engine, seed.client_id) == full_rebuild(seed.engine, seed.client_id)
    # Nothing pending: nothing recomputed, facts unchanged.
    before = snapshot(seed.engine, seed.client_id)
    with unit_of_work(seed.engine) as db_session:
        assert refresh_pending(db_session=db_session, client_id=seed.client_id)["deployments"] == 0
    assert snapshot(seed.engine, seed.client_id) == before


def test_incident_tool_rows_are_recorded_per_integration(seed: Seed) -> None:
    build_main(seed)
    with unit_of_work(seed.engine) as db_session:
        refresh_tenant(db_session=db_session, client_id=seed.client_id)
    pagerduty = seed.integration("pagerduty")
    seed.execute(
        "INSERT INTO incidents (client_id, integration_id, external_id, source, key, status, opened_at,"
        " source_updated_at) VALUES (:c, :i, 'P1', 'pagerduty', 'P1', 'triggered', :o, :o)",
        c=seed.client_id, i=pagerduty, o=at(3, 6),
    )  # fmt: skip
    seed.execute("UPDATE integrations SET settings = CAST('{\"service_mappings\": []}' AS jsonb) WHERE id = :i",
                 i=pagerduty)  # fmt: skip
    # The insert from its opening; the integration's settings (its service mappings) for all of its incidents.
    assert [r[0] for r in dirty(seed.engine, seed.client_id)] == ["incidents"]
    with seed.engine.connect() as conn:
        rows = conn.execute(text("SELECT integration_id, NULLIF(since, '-infinity') FROM metric_dirty"
                                 " WHERE client_id = :c ORDER BY since"), {"c": seed.client_id}).all()  # fmt: skip
    assert rows == [(pagerduty, None), (pagerduty, at(3, 6))]
    with unit_of_work(seed.engine) as db_session:
        refresh_pending(db_session=db_session, client_id=seed.client_id)
    assert dirty(seed.engine, seed.client_id) == []
    assert snapshot(seed.engine, seed.client_id) == full_rebuild(seed.engine, seed.client_id)


def test_a_jira_incident_moved_to_another_project_and_time_is_recomputed(seed: Seed) -> None:
    # Jira's "move issue": a new project and key; here its opening time moves later too. Its old fact
    # (found through the item's new project) is replaced, not doubled.
    ids = build_main(seed)
    beta_project = seed.project("BET")
    seed.execute("INSERT INTO team_projects (client_id, team_id, project_id) VALUES (:c, :t, :p)",
                 c=seed.client_id, t=ids["beta"], p=beta_project)  # fmt: skip
    with unit_of_work(seed.engine) as db_session:
        refresh_tenant(db_session=db_session, client_id=seed.client_id)
    seed.execute("UPDATE work_items SET project_id = :p, key = 'BET-1', opened_at = :o WHERE id = :i",
                 p=beta_project, o=at(3, 12), i=ids["i2"])  # fmt: skip
    with unit_of_work(seed.engine) as db_session:
        refresh_pending(db_session=db_session, client_id=seed.client_id)
    incidents = snapshot(seed.engine, seed.client_id)["metric_incidents"]
    moved = [row for row in incidents if (row[0], row[1]) == ("jira", ids["i2"])]
    assert [(row[2], row[4]) for row in moved] == [("BET-1", at(3, 12))]
    assert snapshot(seed.engine, seed.client_id) == full_rebuild(seed.engine, seed.client_id)
