"""DORA metrics on hand-computed datasets: every expected value below was worked out by hand from the rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pulse.analytics.dora import service as dora
from pulse.analytics.freshness import service as freshness_service
from pulse.analytics.period import Filters, parse_period
from pulse.analytics.refresh import refresh_tenant
from pulse.core.errors import InvalidInput, NotFound
from pulse.etl.jobs import queue
from tests.analytics.datasets import build_main
from tests.analytics.seed import Seed, at

MARCH = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)


LIVE = False


@pytest.fixture(autouse=True, params=["facts", "live"])
def mode(request: pytest.FixtureRequest) -> str:
    """Every case runs twice: on the pre-aggregated facts (rebuilt as a sync would) and live from the rows."""
    global LIVE
    LIVE = request.param == "live"
    return str(request.param)


def synced(db_session: Session, seed: Seed) -> None:
    if not LIVE:
        refresh_tenant(db_session=db_session, client_id=seed.client_id)


def metrics(db_session: Session, seed: Seed, period: Any = MARCH, **filters: Any) -> dict[str, Any]:
    synced(db_session, seed)
    f = Filters(client_id=seed.client_id, **filters)
    return dora.summary(db_session=db_session, period=period, filters=f, live=LIVE)


def trend(db_session: Session, seed: Seed, granularity: str) -> dict[str, Any]:
    synced(db_session, seed)
    f = Filters(client_id=seed.client_id)
    return dora.trend(db_session=db_session, period=MARCH, filters=f, granularity=granularity, live=LIVE)


def drill(db_session: Session, seed: Seed, kind: str, period: Any = MARCH, **filters: Any) -> list[dict[str, Any]]:
    synced(db_session, seed)
    page = dora.drill_page(
        db_session=db_session, kind=kind, period=period, filters=Filters(client_id=seed.client_id, **filters),
        sort=None, order="asc", limit=1000, offset=0, live=LIVE,
    )  # fmt: skip
    assert page["total"] == len(page["items"])
    return page["items"]


def test_all_teams_every_metric(db_session: Session, seed: Seed) -> None:
    build_main(seed)
    m = metrics(db_session, seed)
    assert m["period"] == {"from": "2026-03-01", "to": "2026-03-31", "tz": "UTC"}
    # D1, D2, D3 (A) and E1 (B): 4 deployments on 4 distinct days over 31/7 weeks.
    assert m["deployment_frequency"] == {
        "deployments": 4, "deployment_days": 4, "per_week": pytest.approx(28 / 31), "level": "medium",
    }  # fmt: skip
    # Lead times (h): PR1 24, PR2 12, PR3 48, PR4 180 (shipped by D3, not D2), PR5 12 (no commit: opened_at).
    # Sorted 12 12 24 48 180: median 24 (odd population), p75 48, p90 48 + 0.6 * 132.
    assert m["lead_time_for_changes"] == {
        "median_hours": pytest.approx(24), "p75_hours": pytest.approx(48), "p90_hours": pytest.approx(127.2),
        "changes": 5, "level": "high",
    }  # fmt: skip
    # D1 (I1, I4) and D3 (ALP-1) failed: 2 of 4.
    assert m["change_failure_rate"] == {"rate": 0.5, "failed_deployments": 2, "deployments": 4, "level": "low"}
    # Recovery: I1 18:00 - D1 12:00 = 6 h; ALP-1 11th 13:00 - D3 10th 12:00 = 25 h; I4 unresolved.
    assert m["failed_deployment_recovery_time"] == {
        "median_hours": pytest.approx(15.5), "p75_hours": pytest.approx(20.25), "p90_hours": pytest.approx(23.1),
        "incidents": 2, "level": "high",
    }  # fmt: skip
    # Time to restore (opened in March, resolved): IB0 2 h, I1 4 h, ALP-1 24 h.
    assert m["time_to_restore"] == {
        "median_hours": pytest.approx(4), "p75_hours": pytest.approx(14), "p90_hours": pytest.approx(20),
        "incidents": 3,
    }  # fmt: skip


def test_team_filter_excludes_other_teams_repositories_even_median(db_session: Session, seed: Seed) -> None:
    ids = build_main(seed)
    m = metrics(db_session, seed, team_id=ids["alpha"])
    assert m["deployment_frequency"]["deployments"] == 3
    assert m["deployment_frequency"]["deployment_days"] == 3
    assert m["deployment_frequency"]["per_week"] == pytest.approx(21 / 31)
    # 12 24 48 180: median (24 + 48) / 2 = 36 (even population), p75 48 + 0.25 * 132, p90 48 + 0.7 * 132.
    lt = m["lead_time_for_changes"]
    assert (lt["median_hours"], lt["p75_hours"], lt["p90_hours"], lt["changes"], lt["level"]) == (
        pytest.approx(36), pytest.approx(81), pytest.approx(140.4), 4, "high",
    )  # fmt: skip
    assert m["change_failure_rate"] == {
        "rate": pytest.approx(2 / 3), "failed_deployments": 2, "deployments": 3, "level": "low",
    }  # fmt: skip
    assert m["failed_deployment_recovery_time"]["median_hours"] == pytest.approx(15.5)
    # I1 4 h and ALP-1 24 h (Alpha's project); IB0 belongs to B.
    ttr = m["time_to_restore"]
    assert (ttr["median_hours"], ttr["p75_hours"], ttr["p90_hours"], ttr["incidents"]) == (
        pytest.approx(14), pytest.approx(19), pytest.approx(22), 2,
    )  # fmt: skip
    assert {d["id"] for d in drill(db_session, seed, "deployments", team_id=ids["alpha"])} == {
        ids["d1"], ids["d2"], ids["d3"],
    }  # fmt: skip

    beta = metrics(db_session, seed, team_id=ids["beta"])
    assert beta["deployment_frequency"]["deployments"] == 1
    assert beta["lead_time_for_changes"]["median_hours"] == pytest.approx(12)
    assert beta["lead_time_for_changes"]["level"] == "elite"
    assert beta["change_failure_rate"] == {"rate": 0.0, "failed_deployments": 0, "deployments": 1, "level": "elite"}
    assert beta["failed_deployment_recovery_time"] == {
        "median_hours": None, "p75_hours": None, "p90_hours": None, "incidents": 0, "level": None,
    }  # fmt: skip
    assert beta["time_to_restore"]["incidents"] == 1
    assert beta["time_to_restore"]["median_hours"] == pytest.approx(2)


def test_repository_and_environment_filters(db_session: Session, seed: Seed) -> None:
    ids = build_main(seed)
    b_only = metrics(db_session, seed, repository_id=ids["b"])
    assert b_only["deployment_frequency"]["deployments"] == 1
    assert b_only["lead_time_for_changes"]["changes"] == 1
    staging = metrics(db_session, seed, environment="STAGING")
    assert staging["deployment_frequency"]["deployments"] == 1
    assert [d["id"] for d in drill(db_session, seed, "deployments", environment="staging")] == [ids["staging"]]


def test_drill_downs_list_the_rows_behind_each_number(db_session: Session, seed: Seed) -> None:
    ids = build_main(seed)
    deployments = drill(db_session, seed, "deployments")
    assert [(d["id"], d["changes"], d["incidents"], d["failed"]) for d in deployments] == [
        (ids["d1"], 2, 2, True), (ids["e1"], 1, 0, False), (ids["d2"], 1, 0, False), (ids["d3"], 1, 1, True),
    ]  # fmt: skip
    assert deployments[0]["repository"] == "acme/api"
    assert deployments[1]["environment"] == "prod"
    # Sorted by a per-deployment count (the facts compute it per row, after the page is chosen otherwise).
    by_changes = dora.drill_page(
        db_session=db_session, kind="deployments", period=MARCH, filters=Filters(client_id=seed.client_id),
        sort="changes", order="desc", limit=2, offset=0, live=LIVE,
    )  # fmt: skip
    # Ties are broken by id, in the same direction.
    tied = max(ids["e1"], ids["d2"], ids["d3"])
    assert [(d["id"], d["changes"]) for d in by_changes["items"]] == [(ids["d1"], 2), (tied, 1)]
    assert by_changes["total"] == 4
    changes = {c["pull_request_id"]: c for c in drill(db_session, seed, "changes")}
    assert set(changes) == {ids[f"pr{n}"] for n in range(1, 6)}
    pr1 = changes[ids["pr1"]]
    assert (pr1["coding_hours"], pr1["pickup_hours"], pr1["review_hours"], pr1["deploy_hours"]) == (
        pytest.approx(2), pytest.approx(2), pytest.approx(17), pytest.approx(3),
    )  # fmt: skip
    assert pr1["lead_time_hours"] == pytest.approx(24)
    assert changes[ids["pr4"]]["deployment_id"] == ids["d3"]
    assert changes[ids["pr4"]]["deploy_hours"] == pytest.approx(6 * 24 + 3)
    assert changes[ids["pr5"]]["pickup_hours"] is None
    incidents = {(i["source"], i["id"]): i for i in drill(db_session, seed, "incidents")}
    assert set(incidents) == {("github", ids["ib0"]), ("github", ids["i1"]), ("github", ids["i4"]), ("jira", ids["i2"])}
    assert incidents[("github", ids["ib0"])]["deployment_id"] is None
    assert incidents[("github", ids["ib0"])]["time_to_restore_hours"] == pytest.approx(2)
    assert incidents[("github", ids["i1"])]["deployment_id"] == ids["d1"]
    assert incidents[("github", ids["i1"])]["recovery_hours"] == pytest.approx(6)
    assert incidents[("github", ids["i4"])]["recovery_hours"] is None
    assert incidents[("jira", ids["i2"])]["deployment_id"] == ids["d3"]
    assert incidents[("jira", ids["i2"])]["key"] == "ALP-1"
    assert incidents[("jira", ids["i2"])]["recovery_hours"] == pytest.approx(25)


def test_no_deployments_gives_zeros_and_nulls(db_session: Session, seed: Seed) -> None:
    repo = seed.repo("acme/empty")
    seed.deployment(repo, at(3, 5), environment="staging")
    m = metrics(db_session, seed)
    assert m["deployment_frequency"] == {"deployments": 0, "deployment_days": 0, "per_week": 0.0, "level": None}
    assert m["lead_time_for_changes"] == {
        "median_hours": None, "p75_hours": None, "p90_hours": None, "changes": 0, "level": None,
    }  # fmt: skip
    assert m["change_failure_rate"] == {"rate": None, "failed_deployments": 0, "deployments": 0, "level": None}
    assert m["failed_deployment_recovery_time"]["incidents"] == 0
    assert m["time_to_restore"]["incidents"] == 0


def test_deployments_without_incidents(db_session: Session, seed: Seed) -> None:
    repo = seed.repo("acme/calm")
    for day in (2, 2, 9, 16, 23, 30):
        seed.deployment(repo, at(3, day, 10))
    m = metrics(db_session, seed)
    # 6 deployments on 5 days; 6 / (31/7) = 42/31 a week.
    assert m["deployment_frequency"] == {
        "deployments": 6, "deployment_days": 5, "per_week": pytest.approx(42 / 31), "level": "high",
    }  # fmt: skip
    assert m["change_failure_rate"] == {"rate": 0.0, "failed_deployments": 0, "deployments": 6, "level": "elite"}
    assert m["failed_deployment_recovery_time"]["median_hours"] is None


def test_fallback_when_compare_data_is_missing(db_session: Session, seed: Seed) -> None:
    repo = seed.repo("acme/legacy")
    old = seed.pr(repo, 1, first_commit_at=at(2, 1), opened_at=at(2, 1), merged_at=at(2, 2))
    new = seed.pr(repo, 2, first_commit_at=at(3, 3), opened_at=at(3, 3, 1), merged_at=at(3, 4))
    late = seed.pr(repo, 3, first_commit_at=at(3, 4), opened_at=at(3, 4, 1), merged_at=at(3, 6))
    seed.deployment(repo, at(2, 10), changes_computed=False)  # ships `old` by the fallback, before March
    dep = seed.deployment(repo, at(3, 5), changes_computed=False)
    m = metrics(db_session, seed)
    # Only `new` (merged after the previous deployment, before this one): 3 - 5 March = 48 h.
    assert m["lead_time_for_changes"]["changes"] == 1
    assert m["lead_time_for_changes"]["median_hours"] == pytest.approx(48)
    assert [(c["pull_request_id"], c["deployment_id"]) for c in drill(db_session, seed, "changes")] == [(new, dep)]
    assert old != late


def test_time_zone_boundaries_of_the_period(db_session: Session, seed: Seed) -> None:
    repo = seed.repo("acme/tz")
    early = seed.deployment(repo, at(3, 1, 3))  # 28 Feb 22:00 in New York (EST)
    late = seed.deployment(repo, at(4, 1, 2))  # 31 Mar 22:00 in New York (EDT)
    utc = [d["id"] for d in drill(db_session, seed, "deployments")]
    assert utc == [early]
    new_york = parse_period(date(2026, 3, 1), date(2026, 3, 31), "America/New_York")
    assert [d["id"] for d in drill(db_session, seed, "deployments", period=new_york)] == [late]
    m = metrics(db_session, seed, period=new_york)
    assert m["period"]["tz"] == "America/New_York"
    assert m["deployment_frequency"]["deployments"] == 1


def test_tenant_isolation(db_session: Session, seed: Seed, other_seed: Seed) -> None:
    build_main(other_seed)
    repo = seed.repo("mine/only")
    seed.deployment(repo, at(3, 4))
    m = metrics(db_session, seed)
    assert m["deployment_frequency"]["deployments"] == 1
    assert m["time_to_restore"]["incidents"] == 0
    other_team = other_seed.team("Theirs")
    with pytest.raises(NotFound) as exc:
        metrics(db_session, seed, team_id=other_team)
    assert exc.value.field == "team_id"


def test_inactive_records_are_excluded(db_session: Session, seed: Seed) -> None:
    ids = build_main(seed)
    seed.execute("UPDATE repositories SET active = false WHERE id = :id", id=ids["b"])
    seed.execute("UPDATE deployment_pull_requests SET active = false WHERE pull_request_id = :id", id=ids["pr1"])
    m = metrics(db_session, seed)
    assert m["deployment_frequency"]["deployments"] == 3
    assert m["lead_time_for_changes"]["changes"] == 3  # PR2, PR3, PR4
    assert m["time_to_restore"]["incidents"] == 2  # IB0 went with repository B
    # Incident type mapped to a kind that is not an incident: ALP-1 is no longer one.
    level = seed._insert("hierarchy_levels", {"name": "Story", "level": 0}, business=False)
    seed._insert(
        "issue_type_mappings",
        {"issue_type_name": "incident", "work_item_type": "Incident", "hierarchy_level_id": level},
        business=False,
    )
    assert metrics(db_session, seed)["change_failure_rate"]["failed_deployments"] == 2
    seed.execute("UPDATE hierarchy_levels SET active = false WHERE id = :id", id=level)
    # The mapping's chain now holds an inactive level: ALP-1 is excluded, D3 no longer failed.
    assert metrics(db_session, seed)["change_failure_rate"]["failed_deployments"] == 1
    # An inactive team yields nothing rather than everything.
    seed.execute("UPDATE teams SET active = false WHERE id = :id", id=ids["alpha"])
    assert metrics(db_session, seed, team_id=ids["alpha"])["deployment_frequency"]["deployments"] == 0


def test_trend_has_every_period(db_session: Session, seed: Seed) -> None:
    build_main(seed)
    result = trend(db_session, seed, "week")
    starts = [p["period_start"] for p in result["points"]]
    assert starts == ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]
    by_start = {p["period_start"]: p for p in result["points"]}
    # Week of 2 March: D1, E1, D2 (3 deployments, 7 days in the period).
    assert by_start["2026-03-02"]["deployment_frequency"]["deployments"] == 3
    assert by_start["2026-03-02"]["deployment_frequency"]["per_week"] == pytest.approx(3)
    assert by_start["2026-03-02"]["change_failure_rate"]["failed_deployments"] == 1
    # Week of 23 Feb holds only 1 March (1 day): no deployment.
    assert by_start["2026-02-23"]["deployment_frequency"] == {
        "deployments": 0, "deployment_days": 0, "per_week": 0.0, "level": None,
    }  # fmt: skip
    assert by_start["2026-03-09"]["lead_time_for_changes"]["median_hours"] == pytest.approx(180)
    assert by_start["2026-03-16"]["lead_time_for_changes"]["changes"] == 0
    monthly = trend(db_session, seed, "month")
    assert [p["period_start"] for p in monthly["points"]] == ["2026-03-01"]
    assert monthly["points"][0]["lead_time_for_changes"]["median_hours"] == pytest.approx(24)


def test_bad_period_names_the_field() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_period(date(2026, 3, 2), date(2026, 3, 1), None)
    assert exc.value.field == "from"
    with pytest.raises(InvalidInput) as exc:
        parse_period(date(2026, 3, 1), date(2026, 3, 2), "Mars/Olympus")
    assert exc.value.field == "tz"


def test_facts_follow_a_sync_that_did_not_call_the_refresh(db_session: Session, seed: Seed, mode: str) -> None:
    if mode == "live":
        pytest.skip("the facts only")
    repo = seed.repo("acme/api")
    seed.deployment(repo, at(3, 2))
    first = dora.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id))
    assert first["deployment_frequency"]["deployments"] == 1  # built on first read
    db_session.commit()
    seed.deployment(repo, at(3, 3))
    again = dora.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id))
    assert again["deployment_frequency"]["deployments"] == 1  # no sync ended since: the facts stand
    db_session.commit()
    seed.execute(
        "INSERT INTO job_runs (client_id, integration_id, status, finished_at, max_attempts)"
        " VALUES (:c, :i, 'FINISHED', now(), 1)",
        c=seed.client_id,
        i=seed.github,
    )
    # The read does not rebuild: it serves the committed facts, says pending and queues the rebuild job.
    synced = dora.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id))
    assert synced["deployment_frequency"]["deployments"] == 1
    assert freshness_service.current(db_session=db_session, client_id=seed.client_id).pending
    assert queue.rebuild_waiting(db_session, seed.client_id)
    assert freshness_service.rebuild(db_session=db_session, client_id=seed.client_id)  # the job's work
    rebuilt = dora.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id))
    assert rebuilt["deployment_frequency"]["deployments"] == 2
    assert not freshness_service.current(db_session=db_session, client_id=seed.client_id).pending
