"""Jira flow metrics on a hand-built project with the default flow steps; expected values worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pulse.analytics.config import schemas
from pulse.analytics.config import service as config
from pulse.analytics.config.defaults import ensure_defaults
from pulse.analytics.flow import service as flow
from pulse.analytics.period import Filters, parse_period
from tests.analytics.seed import Seed, at

MARCH = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)


def item(seed: Seed, project: int, key: str, opened: datetime, path: list[tuple[str, datetime]]) -> int:
    """A work item that moved through `path` (status, when) starting from To Do."""
    status = "To Do"
    wid = seed.work_item(project, key, status=path[-1][0] if path else status, opened_at=opened,
                         updated_at=path[-1][1] if path else opened)  # fmt: skip
    for to_status, when in path:
        seed.transition(wid, status, to_status, when)
        status = to_status
    return wid


def build(db_session: Session, seed: Seed) -> dict[str, int]:
    ensure_defaults(db_session=db_session, client_id=seed.client_id)
    db_session.commit()
    flo = seed.project("FLO")
    oth = seed.project("OTH")
    ids = {"flo": flo, "oth": oth}
    ids["w1"] = item(
        seed, flo, "FLO-1", at(3, 1), [("In Progress", at(3, 2)), ("In Review", at(3, 3)), ("Done", at(3, 4))]
    )
    ids["w2"] = item(seed, flo, "FLO-2", at(3, 1), [
        ("In Progress", at(3, 5)), ("Done", at(3, 6, 12)), ("Reopened", at(3, 7)), ("In Progress", at(3, 8)),
        ("Done", at(3, 9)),
    ])  # fmt: skip
    ids["w3"] = item(seed, flo, "FLO-3", at(2, 20), [("In Progress", at(2, 25)), ("Done", at(3, 10, 12))])
    ids["w4"] = item(seed, flo, "FLO-4", at(3, 1), [("In Progress", at(3, 20))])
    ids["w5"] = item(seed, flo, "FLO-5", at(3, 1), [("Won't Do", at(3, 15))])
    ids["w6"] = item(seed, flo, "FLO-6", at(3, 1), [("In Progress", at(3, 25)), ("Done", at(4, 2))])
    ids["w7"] = item(seed, flo, "FLO-7", at(3, 11), [("Done", at(3, 12))])
    ids["w8"] = item(seed, oth, "OTH-1", at(3, 1), [("In Progress", at(3, 2)), ("Done", at(3, 3))])
    return ids


def summary(db_session: Session, seed: Seed, **filters: Any) -> dict[str, Any]:
    return flow.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id, **filters))


def test_flow_metrics_of_one_project(db_session: Session, seed: Seed) -> None:
    build(db_session, seed)
    m = summary(db_session, seed, project="flo")
    # Completed in March: FLO-1 (cycle 48, lead 72), FLO-2 (96, 192, reopened), FLO-3 (324, 444), FLO-7 (-, 24).
    assert m["throughput"] == {"items": 4, "per_week": pytest.approx(28 / 31)}
    assert m["cycle_time"] == {
        "median_hours": pytest.approx(96), "p75_hours": pytest.approx(210), "p90_hours": pytest.approx(278.4),
    }  # fmt: skip
    assert m["lead_time"] == {
        "median_hours": pytest.approx(132), "p75_hours": pytest.approx(255), "p90_hours": pytest.approx(368.4),
    }  # fmt: skip
    # In progress on 1 April 00:00: FLO-4 and FLO-6 (done only on 2 April); FLO-5 was discarded.
    assert m["wip"] == {"items": 2}
    assert m["time_in_step"] == [
        {"step": "To Do", "category": "to_do", "median_hours": pytest.approx(72)},  # 24 24 120 120
        {"step": "In Progress", "category": "in_progress", "median_hours": pytest.approx(60)},  # 24 60 324
        {"step": "In Review", "category": "in_progress", "median_hours": pytest.approx(24)},
        {"step": "Done", "category": "done", "median_hours": pytest.approx(12)},  # FLO-2 before it reopened
    ]
    # In-progress time 48 + 60 + 324 + 0 over lead time 72 + 192 + 444 + 24.
    assert m["flow_efficiency"] == pytest.approx(432 / 732)
    assert m["reopen_rate"] == pytest.approx(0.25)


def test_team_and_project_filters(db_session: Session, seed: Seed) -> None:
    ids = build(db_session, seed)
    assert summary(db_session, seed)["throughput"]["items"] == 5
    assert summary(db_session, seed, project="OTH")["throughput"]["items"] == 1
    team = seed.team("Other", projects=(ids["oth"],))
    m = summary(db_session, seed, team_id=team)
    assert m["throughput"]["items"] == 1
    assert m["cycle_time"]["median_hours"] == pytest.approx(24)


def test_deactivated_status_mapping_excludes_items_that_held_it(db_session: Session, seed: Seed) -> None:
    ids = build(db_session, seed)
    rows, _ = config.list_(
        db_session=db_session, client_id=seed.client_id, kind=config.KINDS["status-mappings"],
        include_inactive=False, limit=500, offset=0,
    )  # fmt: skip
    [reopened] = [r for r in rows if r.status_name == "Reopened"]
    config.deactivate(
        db_session=db_session, client_id=seed.client_id, kind=config.KINDS["status-mappings"], row=reopened,
        body=schemas.Deactivate(),
    )  # fmt: skip
    m = summary(db_session, seed, project="FLO")
    assert m["throughput"]["items"] == 3  # FLO-2 went through Reopened
    assert m["reopen_rate"] == 0.0
    page = flow.items_page(
        db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id, project="FLO"),
        sort="key", order="asc", limit=10, offset=0,
    )  # fmt: skip
    assert [i["key"] for i in page["items"]] == ["FLO-1", "FLO-3", "FLO-7"]
    assert page["items"][0]["cycle_time_hours"] == pytest.approx(48)
    assert ids["w2"] not in {i["id"] for i in page["items"]}


def test_empty_flow(db_session: Session, seed: Seed) -> None:
    m = summary(db_session, seed)
    assert m["throughput"] == {"items": 0, "per_week": 0.0}
    assert m["cycle_time"]["median_hours"] is None
    assert m["time_in_step"] == []
    assert (m["flow_efficiency"], m["reopen_rate"], m["wip"]) == (None, None, {"items": 0})


def test_trend_by_completion_week(db_session: Session, seed: Seed) -> None:
    build(db_session, seed)
    result = flow.trend(
        db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id, project="FLO"),
        granularity="week",
    )  # fmt: skip
    done = {p["period_start"]: p["throughput"]["items"] for p in result["points"]}
    # FLO-1 (4 Mar) ; FLO-2 (9 Mar), FLO-3 (10 Mar), FLO-7 (12 Mar).
    assert done == {"2026-02-23": 0, "2026-03-02": 1, "2026-03-09": 3, "2026-03-16": 0, "2026-03-23": 0,
                    "2026-03-30": 0}  # fmt: skip
