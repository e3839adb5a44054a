"""The pull request and flow facts give the live definitions' numbers, and a scoped rebuild touches only its scope.

Each case builds hand-made rows (inactive records and team filters included), rebuilds the facts as a sync
would, and compares every answer of the facts path (summary, trend, drill-down page) with the live SQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.config.defaults import ensure_defaults
from pulse.analytics.flow import facts as flow_facts
from pulse.analytics.flow import service as flow
from pulse.analytics.period import Filters, Period, parse_period
from pulse.analytics.pull_requests import facts as pr_facts
from pulse.analytics.pull_requests import service as prs
from pulse.analytics.refresh import refresh_tenant
from tests.analytics import test_flow, test_pull_requests
from tests.analytics.seed import Seed, at

MARCH = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)
# Periods whose end (the WIP instant) falls before, between and on the transitions of the flow dataset.
FLOW_PERIODS = [
    MARCH,
    parse_period(date(2026, 2, 1), date(2026, 3, 1), None),
    parse_period(date(2026, 3, 2), date(2026, 3, 5), None),
    parse_period(date(2026, 3, 1), date(2026, 3, 8), "Europe/Paris"),
    parse_period(date(2026, 1, 1), date(2026, 4, 30), None),
]


def both(call: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The answer from the facts and the live answer of one service call."""
    return call(**kwargs, live=False), call(**kwargs, live=True)


def assert_paths_agree(
    service: Any, db_session: Session, filters: Filters, period: Period, sorts: tuple[str | None, ...]
) -> dict[str, Any]:
    """Summary, weekly and monthly trend and sorted first pages agree between the facts and live; the summary."""
    facts, live = both(service.summary, db_session=db_session, period=period, filters=filters)
    assert facts == live
    for granularity in ("week", "month"):
        f, lv = both(service.trend, db_session=db_session, period=period, filters=filters, granularity=granularity)
        assert f == lv
    for sort in sorts:
        f, lv = both(
            service.items_page, db_session=db_session, period=period, filters=filters, sort=sort, order="asc",
            limit=3, offset=0,
        )  # fmt: skip
        assert f == lv
    return dict(facts)


def assert_pr_paths_agree(db_session: Session, filters: Filters, period: Period = MARCH) -> dict[str, Any]:
    return assert_paths_agree(prs, db_session, filters, period, (None, "total_hours", "repository", "lines"))


def assert_flow_paths_agree(db_session: Session, filters: Filters, period: Period = MARCH) -> dict[str, Any]:
    return assert_paths_agree(flow, db_session, filters, period, (None, "cycle_time_hours", "key"))


def test_pull_request_facts_match_the_live_definition(db_session: Session, seed: Seed) -> None:
    ids = test_pull_requests.build(seed)
    # Unmerged, undeployed and other-repository PRs, and rows that must drop out: an inactive PR, an inactive
    # compare link (its PR falls back to no deployment), a repository deactivated after the rebuild.
    c = seed.repo("acme/cli")
    seed.pr(ids["a"], 20, opened_at=at(3, 5), first_commit_at=at(3, 4))
    seed.pr(c, 1, first_commit_at=at(3, 6), opened_at=at(3, 6, 3), first_review_at=at(3, 6, 1),
            merged_at=at(3, 7), additions=None, deletions=None)  # fmt: skip
    gone = seed.pr(ids["a"], 21, first_commit_at=at(3, 6), opened_at=at(3, 6, 1), merged_at=at(3, 6, 2))
    seed.execute("UPDATE pull_requests SET active = false WHERE id = :id", id=gone)
    seed.execute("UPDATE deployment_pull_requests SET active = false WHERE pull_request_id = :id", id=ids["pr3"])
    refresh_tenant(db_session=db_session, client_id=seed.client_id)
    everyone = assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id))
    assert everyone["throughput"]["merged"] == 6
    alpha = assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id, team_id=ids["alpha"]))
    assert alpha["throughput"]["merged"] == 4
    assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id, team_id=ids["beta"]))
    assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id, repository_id=c))
    seed.execute("UPDATE repositories SET active = false WHERE id = :id", id=c)
    assert assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id))["throughput"]["merged"] == 5
    seed.execute("UPDATE teams SET active = false WHERE id = :id", id=ids["alpha"])
    empty = assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id, team_id=ids["alpha"]))
    assert empty["throughput"]["merged"] == 0


def test_pull_request_trend_buckets_follow_the_local_calendar(db_session: Session, seed: Seed) -> None:
    # The facts' trend reads each bucket's instant window. PRs merged just before or after local midnight at
    # week and month starts (a US daylight-saving change on March 8, a half-hour zone) land in the local bucket.
    ids = test_pull_requests.build(seed)
    for number, merged in enumerate([at(3, 9, 3), at(4, 1, 2), at(3, 1, 20), at(3, 8, 6, 30)], start=30):
        seed.pr(ids["a"], number, first_commit_at=merged - timedelta(hours=5), opened_at=merged - timedelta(hours=4),
                merged_at=merged)  # fmt: skip
    refresh_tenant(db_session=db_session, client_id=seed.client_id)
    everyone = Filters(client_id=seed.client_id)
    weeks = {}
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        zoned = parse_period(date(2026, 2, 20), date(2026, 4, 1), zone)
        assert_pr_paths_agree(db_session, everyone, zoned)
        trend = prs.trend(db_session=db_session, period=zoned, filters=everyone, granularity="week")
        weeks[zone] = [point["throughput"]["merged"] for point in trend["points"]]
    # Not a vacuous agreement: the zones put those PRs in different weeks.
    assert weeks["UTC"] != weeks["America/New_York"] and weeks["UTC"] != weeks["Asia/Kolkata"]


def build_flow(db_session: Session, seed: Seed) -> dict[str, int]:
    """The flow test's dataset plus the WIP edge cases: no transitions, a first transition with no from-status."""
    ids = test_flow.build(db_session, seed)
    ids["idle"] = seed.work_item(ids["flo"], "FLO-8", status="In Progress", opened_at=at(3, 2))
    ids["nofrom"] = seed.work_item(ids["flo"], "FLO-9", status="Done", opened_at=at(3, 1), updated_at=at(3, 6))
    seed.transition(ids["nofrom"], None, "In Progress", at(3, 3))
    seed.transition(ids["nofrom"], "In Progress", "Done", at(3, 6))
    # Two transitions at the same instant: the later one (by id) wins.
    tie = seed.work_item(ids["oth"], "OTH-2", status="In Progress", opened_at=at(3, 1), updated_at=at(3, 4))
    seed.transition(tie, "To Do", "Done", at(3, 4))
    seed.transition(tie, "Done", "In Progress", at(3, 4))
    gone = seed.work_item(ids["flo"], "FLO-10", status="Done", opened_at=at(3, 1), updated_at=at(3, 5))
    seed.transition(gone, "To Do", "Done", at(3, 5))
    seed.execute("UPDATE work_items SET active = false WHERE id = :id", id=gone)
    dropped = seed.transition(ids["w1"], "In Review", "In Progress", at(3, 3, 12))
    seed.execute("UPDATE work_item_transitions SET active = false WHERE id = :id", id=dropped)
    return ids


def test_flow_facts_match_the_live_definition(db_session: Session, seed: Seed) -> None:
    ids = build_flow(db_session, seed)
    team = seed.team("Other", projects=(ids["oth"],))
    refresh_tenant(db_session=db_session, client_id=seed.client_id)
    for period in FLOW_PERIODS:
        assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id), period)
    m = assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id, project="FLO"))
    assert m["throughput"]["items"] == 5  # FLO-1, -2, -3, -7, -9
    assert m["wip"] == {"items": 3}  # FLO-4, FLO-6, FLO-8
    assert assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id, team_id=team))["wip"] == {"items": 1}
    # An issue type mapping, a project and a team deactivated: facts rebuilt or scope applied on read.
    seed.execute("UPDATE jira_projects SET active = false WHERE id = :id", id=ids["oth"])
    assert assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id))["wip"] == {"items": 3}
    seed.execute("UPDATE teams SET active = false WHERE id = :id", id=team)
    assert assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id, team_id=team))["wip"] == {"items": 0}
    seed.execute(
        "UPDATE issue_type_mappings SET active = false WHERE client_id = :c AND issue_type_name = 'Story'",
        c=seed.client_id,
    )
    refresh_tenant(db_session=db_session, client_id=seed.client_id)
    assert assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id))["throughput"]["items"] == 0


def fact_rows(db_session: Session, table: str, client_id: int) -> list[tuple[Any, ...]]:
    """Every fact row of the tenant, without the identity and timestamps a rebuild renews."""
    columns = (
        db_session.execute(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = :t"
                " AND column_name NOT IN ('id', 'created_at', 'last_updated_at') ORDER BY ordinal_position"
            ),
            {"t": table},
        )
        .scalars()
        .all()
    )
    # As text: the WIP intervals' open ends are +/-infinity, which Python datetimes cannot hold.
    listed = ", ".join(f"{c}::text" for c in columns)
    sql = f"SELECT {listed} FROM {table} WHERE client_id = :c ORDER BY {', '.join(columns)}"
    return [tuple(r) for r in db_session.execute(text(sql), {"c": client_id}).all()]


def text_ids(*ids: int) -> set[str]:
    return {str(i) for i in ids}


def test_pull_request_rebuild_of_one_repository_changes_only_it(
    db_session: Session, seed: Seed, other_seed: Seed
) -> None:
    ids = test_pull_requests.build(seed)
    test_pull_requests.build(other_seed)
    refresh_tenant(db_session=db_session, client_id=seed.client_id)
    refresh_tenant(db_session=db_session, client_id=other_seed.client_id)
    before = fact_rows(db_session, "metric_pull_requests", seed.client_id)
    other_before = fact_rows(db_session, "metric_pull_requests", other_seed.client_id)
    assert len(before) == 6
    # Rebuilding with nothing changed writes the same rows (deterministic output).
    assert pr_facts.rebuild(db_session=db_session, client_id=seed.client_id, repository_ids={ids["a"]}) == 5
    assert fact_rows(db_session, "metric_pull_requests", seed.client_id) == before
    seed.execute("UPDATE pull_requests SET title = 'changed', additions = 1000 WHERE client_id = :c", c=seed.client_id)
    pr_facts.rebuild(db_session=db_session, client_id=seed.client_id, repository_ids={ids["b"]})
    after = fact_rows(db_session, "metric_pull_requests", seed.client_id)
    changed = {row[1] for row in set(after) - set(before)}  # (client_id, pull_request_id, ...)
    assert changed == text_ids(ids["pr5"])
    assert fact_rows(db_session, "metric_pull_requests", other_seed.client_id) == other_before
    m = prs.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id, team_id=ids["beta"]))
    assert m["size"]["median_lines"] == 1000 + 1
    pr_facts.rebuild(db_session=db_session, client_id=seed.client_id)
    assert_pr_paths_agree(db_session, Filters(client_id=seed.client_id))


def test_flow_rebuild_of_one_project_changes_only_it(db_session: Session, seed: Seed, other_seed: Seed) -> None:
    ids = build_flow(db_session, seed)
    ensure_defaults(db_session=db_session, client_id=other_seed.client_id)
    test_flow.build(db_session, other_seed)
    refresh_tenant(db_session=db_session, client_id=seed.client_id)
    refresh_tenant(db_session=db_session, client_id=other_seed.client_id)
    tables = flow_facts.TABLES
    before = {t: fact_rows(db_session, t, seed.client_id) for t in tables}
    other_before = {t: fact_rows(db_session, t, other_seed.client_id) for t in tables}
    counts = flow_facts.rebuild(db_session=db_session, client_id=seed.client_id, project_ids={ids["flo"]})
    # FLO-1..9; steps of the completed FLO-1 (3), -2 (3: Reopened is To Do), -3 (2), -6 (2), -7 (1), -9 (1);
    # in-progress intervals of FLO-1 (2), -2 (2), -3, -4, -6, -8 (never moved), -9 (1 each).
    assert counts == {"work_items": 9, "segments": 12, "wip_intervals": 9}
    assert {t: fact_rows(db_session, t, seed.client_id) for t in tables} == before
    # OTH-1 is reopened in both projects' source rows; only the OTH rebuild picks it up.
    seed.execute("UPDATE work_items SET summary = 'changed' WHERE client_id = :c", c=seed.client_id)
    flow_facts.rebuild(db_session=db_session, client_id=seed.client_id, project_ids={ids["oth"]})
    items = fact_rows(db_session, "metric_work_items", seed.client_id)
    changed = {row[1] for row in set(items) - set(before["metric_work_items"])}  # (client_id, work_item_id, ...)
    assert changed == {*text_ids(ids["w8"]), *(r[1] for r in items if r[3] == "OTH-2")}
    assert {t: fact_rows(db_session, t, other_seed.client_id) for t in tables} == other_before
    flow_facts.rebuild(db_session=db_session, client_id=seed.client_id)
    assert_flow_paths_agree(db_session, Filters(client_id=seed.client_id))


@pytest.mark.parametrize("family", ["pull_requests", "flow"])
def test_first_read_builds_missing_facts(db_session: Session, seed: Seed, family: str) -> None:
    if family == "pull_requests":
        test_pull_requests.build(seed)
        assert (
            prs.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id))["throughput"][
                "merged"
            ]
            == 5
        )
        table = "metric_pull_requests"
    else:
        build_flow(db_session, seed)
        assert flow.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id))["wip"] == {
            "items": 4
        }
        table = "metric_work_items"
    assert fact_rows(db_session, table, seed.client_id)
