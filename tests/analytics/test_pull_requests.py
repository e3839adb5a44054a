"""Pull request analytics on the hand-built March 2026 dataset; expected values worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pulse.analytics.period import Filters, parse_period
from pulse.analytics.pull_requests import service as prs
from pulse.analytics.refresh import refresh_tenant
from tests.analytics.datasets import build_main
from tests.analytics.seed import Seed, at

MARCH = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)
# (additions, deletions, changed_files, reviews, comments, review_cycles, rework_commits)
SHAPES = {
    "pr1": (10, 5, 2, 2, 4, 1, 0),
    "pr2": (100, 0, 5, 1, 0, 1, 2),
    "pr3": (3, 3, 1, 0, 0, 0, 0),
    "pr4": (40, 10, 3, 3, 7, 2, 1),
    "pr5": (0, 1, 1, 1, 1, 1, 0),
}


def build(seed: Seed) -> dict[str, int]:
    ids = build_main(seed)
    for name, (add, dele, files, reviews, comments, cycles, rework) in SHAPES.items():
        seed.execute(
            "UPDATE pull_requests SET additions = :a, deletions = :d, changed_files = :f, reviews_count = :r,"
            " comments_count = :c, review_cycles = :y, rework_commits = :w WHERE id = :id",
            a=add, d=dele, f=files, r=reviews, c=comments, y=cycles, w=rework, id=ids[name],
        )  # fmt: skip
    return ids


LIVE = False


@pytest.fixture(autouse=True, params=["facts", "live"])
def mode(request: pytest.FixtureRequest) -> str:
    """Every case runs on the facts (rebuilt as a sync would) and live from the rows."""
    global LIVE
    LIVE = request.param == "live"
    return str(request.param)


def synced(db_session: Session, seed: Seed) -> None:
    if not LIVE:
        refresh_tenant(db_session=db_session, client_id=seed.client_id)


def summary(db_session: Session, seed: Seed, **filters: Any) -> dict[str, Any]:
    synced(db_session, seed)
    f = Filters(client_id=seed.client_id, **filters)
    return prs.summary(db_session=db_session, period=MARCH, filters=f, live=LIVE)


def test_all_repositories(db_session: Session, seed: Seed) -> None:
    build(seed)
    m = summary(db_session, seed)
    # Stages (h): coding 2,1,1,1,- ; pickup 2 (PR1 only) ; review 17 ; deploy 3,2,26,147,1 ; total 24,12,48,180,12.
    assert m["cycle_time"] == {
        "coding_hours": pytest.approx(1), "pickup_hours": pytest.approx(2), "review_hours": pytest.approx(17),
        "deploy_hours": pytest.approx(3), "total_hours": pytest.approx(24),
    }  # fmt: skip
    assert m["throughput"] == {"merged": 5, "per_week": pytest.approx(35 / 31)}
    # Lines 15, 100, 6, 50, 1 -> 15; files 2, 5, 1, 3, 1 -> 2.
    assert m["size"] == {"median_lines": 15, "median_files": 2}
    assert m["review"] == {"median_reviews": 1, "median_comments": 1, "review_cycles": 1}
    assert m["rework"] == {"rate": pytest.approx(0.4)}


def test_team_filter_even_populations(db_session: Session, seed: Seed) -> None:
    ids = build(seed)
    m = summary(db_session, seed, team_id=ids["alpha"])
    assert m["throughput"]["merged"] == 4
    assert m["cycle_time"]["total_hours"] == pytest.approx(36)  # 12 24 48 180
    assert m["cycle_time"]["deploy_hours"] == pytest.approx(14.5)  # 2 3 26 147
    assert m["size"]["median_lines"] == pytest.approx(32.5)  # 6 15 50 100
    assert m["rework"]["rate"] == pytest.approx(0.5)


def test_empty_period_and_undeployed_pr(db_session: Session, seed: Seed) -> None:
    repo = seed.repo("acme/quiet")
    m = summary(db_session, seed)
    assert m["throughput"] == {"merged": 0, "per_week": 0.0}
    assert m["cycle_time"]["total_hours"] is None
    assert m["rework"]["rate"] is None
    pr = seed.pr(repo, 1, first_commit_at=at(3, 9), opened_at=at(3, 9, 2), merged_at=at(3, 9, 5))
    synced(db_session, seed)
    page = prs.items_page(
        db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id),
        sort=None, order=None, limit=10, offset=0, live=LIVE,
    )  # fmt: skip
    assert page["total"] == 1
    [item] = page["items"]
    assert (item["pull_request_id"], item["deployed_at"], item["deploy_hours"], item["coding_hours"]) == (
        pr, None, None, pytest.approx(2),
    )  # fmt: skip


def test_trend_by_merge_week(db_session: Session, seed: Seed) -> None:
    build(seed)
    synced(db_session, seed)
    result = prs.trend(
        db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id), granularity="week", live=LIVE
    )
    merged = {p["period_start"]: p["throughput"]["merged"] for p in result["points"]}
    # PR1, PR2 (2 Mar), PR5 (3 Mar), PR3, PR4 (4 Mar): all in the week of 2 March.
    assert merged == {"2026-02-23": 0, "2026-03-02": 5, "2026-03-09": 0, "2026-03-16": 0, "2026-03-23": 0,
                      "2026-03-30": 0}  # fmt: skip
