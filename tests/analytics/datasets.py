"""Hand-built datasets shared by the metrics tests (the expected values live in the tests)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from pulse.analytics.config import schemas
from pulse.analytics.config import service as config
from tests.analytics.seed import Seed, at
from tests.etl.conftest import API, bearer


def build_main(seed: Seed) -> dict[str, int]:
    """Two repositories (A for team Alpha, B for team Beta), deployments, PRs and incidents in March 2026."""
    a = seed.repo("acme/api")
    b = seed.repo("acme/web")
    ids: dict[str, int] = {"a": a, "b": b}
    pr0 = seed.pr(a, 10, first_commit_at=at(2, 20), opened_at=at(2, 21), merged_at=at(2, 24))
    pr1 = seed.pr(a, 1, first_commit_at=at(3, 1, 12), opened_at=at(3, 1, 14), first_review_at=at(3, 1, 16),
                  merged_at=at(3, 2, 9))  # fmt: skip
    pr2 = seed.pr(a, 2, first_commit_at=at(3, 2, 0), opened_at=at(3, 2, 1), merged_at=at(3, 2, 10))
    pr3 = seed.pr(a, 3, first_commit_at=at(3, 3, 12), opened_at=at(3, 3, 13), merged_at=at(3, 4, 10))
    # PR 4 merged before D2 but, by the compare data, only shipped by D3.
    pr4 = seed.pr(a, 4, first_commit_at=at(3, 3, 0), opened_at=at(3, 3, 1), merged_at=at(3, 4, 9))
    pr5 = seed.pr(b, 5, first_commit_at=None, opened_at=at(3, 2, 20), merged_at=at(3, 3, 7))
    ids.update(pr0=pr0, pr1=pr1, pr2=pr2, pr3=pr3, pr4=pr4, pr5=pr5)
    seed.gh_issue(a, 100, at(2, 20), at(2, 21))  # before any deployment of A (and before the period)
    ids["d0"] = seed.deployment(a, at(2, 25, 10), prs=(pr0,))
    ids["d1"] = seed.deployment(a, at(3, 2, 12), prs=(pr1, pr2))
    ids["d2"] = seed.deployment(a, at(3, 5, 12), prs=(pr3,))
    ids["d3"] = seed.deployment(a, at(3, 10, 12), prs=(pr4,))
    ids["e1"] = seed.deployment(b, at(3, 3, 8), environment="prod", prs=(pr5,))
    # Ignored: failed and errored attempts, staging, and a pending one.
    ids["fail"] = seed.deployment(a, at(3, 6, 12), status="failure")
    seed.deployment(a, at(3, 6, 13), environment="Production", status="error")
    ids["staging"] = seed.deployment(a, at(3, 7, 12), environment="staging")
    seed.deployment(b, at(3, 8, 12), status="in_progress")
    # Incidents.
    ids["ib0"] = seed.gh_issue(b, 200, at(3, 1, 5), at(3, 1, 7))  # before B's first deployment: unattributed
    ids["i1"] = seed.gh_issue(a, 101, at(3, 2, 14), at(3, 2, 18), labels=("bug", "incident"))  # -> D1
    seed.gh_issue(a, 102, at(3, 2, 20), at(3, 2, 21), labels=("bug",))  # not an incident
    ids["i4"] = seed.gh_issue(a, 103, at(3, 3, 0))  # -> D1, still open
    alp = seed.project("ALP")
    ids["alp"] = alp
    ids["i2"] = seed.work_item(alp, "ALP-1", issue_type="Incident", opened_at=at(3, 10, 13), resolved_at=at(3, 11, 13))
    seed.work_item(alp, "ALP-2", issue_type="Story", opened_at=at(3, 10, 14), resolved_at=at(3, 12))
    ids["alpha"] = seed.team("Alpha", repos=(a,), projects=(alp,))
    ids["beta"] = seed.team("Beta", repos=(b,))
    return ids


def sim_teams(db_session: Session, client_id: int, ds: Any, repo_ids: dict[str, int]) -> dict[str, int]:
    """The simulator organisation's teams as Pulse teams (their repositories and Jira project); slug -> id."""
    teams = {}
    for team in ds.teams:
        row = config.create(
            db_session=db_session,
            client_id=client_id,
            kind=config.KINDS["teams"],
            body=schemas.TeamCreate(
                name=team.name,
                repository_ids=[repo_ids[r.full_name] for r in ds.repositories if r.team == team.slug],
                project_keys=[team.jira_project],
            ),
        )
        teams[team.slug] = row.id
    return teams


def repository_ids(engine: Engine, client_id: int) -> dict[str, int]:
    """The tenant's repositories by full name, as a sync stored them."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT full_name, id FROM repositories WHERE client_id = :c"), {"c": client_id})
        return {name: id_ for name, id_ in rows.all()}


def dora_over_http(base_url: str, token: str, start: date, end: date, params: dict[str, Any]) -> dict[str, Any]:
    """`GET /metrics/dora` for the period, as the web app asks it."""
    answer = httpx.get(
        base_url + API + "/metrics/dora",
        params={"from": start.isoformat(), "to": end.isoformat(), **params},
        headers=bearer(token),
        timeout=30,
    )
    answer.raise_for_status()
    return dict(answer.json())
