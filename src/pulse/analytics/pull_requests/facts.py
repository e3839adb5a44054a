"""Pull request facts: one `metric_pull_requests` row per active pull request, rebuilt per repository.

The row holds every per-PR figure the pull request analytics take a median of (stage durations in whole
microseconds, migration 0015), computed by the same expressions as the live SQL (`stage_columns`), and the
production deployment that first shipped the PR as `metric_changes` records it. So a repository's PR facts
must be rebuilt after its DORA facts (the full `refresh_tenant` does both, in that order). Repository and
integration deactivations and team memberships are applied when reading.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pulse.analytics.sql import micros

STAGES = ["coding", "pickup", "review", "deploy", "total"]
COLUMNS = [
    *(f"{stage}_us" for stage in STAGES), "lines", "files", "reviews", "comments", "review_cycles", "rework_commits",
]  # fmt: skip


def stage_columns(dep_at: str) -> str:
    """SQL for `COLUMNS` of the PR row `pr` whose production deployment finished at `dep_at`."""
    return f"""greatest({micros("pr.opened_at", "pr.first_commit_at")}, 0) AS coding_us,
         {micros("pr.first_review_at", "pr.opened_at")} AS pickup_us,
         {micros("pr.merged_at", "pr.first_review_at")} AS review_us,
         {micros(dep_at, "pr.merged_at")} AS deploy_us,
         {micros(dep_at, "coalesce(pr.first_commit_at, pr.opened_at)")} AS total_us,
         CASE WHEN pr.additions IS NULL AND pr.deletions IS NULL THEN NULL
              ELSE coalesce(pr.additions, 0) + coalesce(pr.deletions, 0) END AS lines,
         pr.changed_files AS files, pr.reviews_count AS reviews, pr.comments_count AS comments,
         pr.review_cycles, pr.rework_commits"""


def _scope(repository_ids: Collection[int] | None, column: str) -> str:
    return "" if repository_ids is None else f" AND {column} = ANY(CAST(:repository_ids AS bigint[]))"


def _rows(pull_request_ids: Collection[int], column: str) -> str:
    return f" AND {column} = ANY(CAST(:pull_request_ids AS bigint[]))" if pull_request_ids else " AND false"


# Rows go in merge order so that a period's PRs sit together on disk (range scans stay cheap).
_INSERT = """
INSERT INTO metric_pull_requests (
  client_id, pull_request_id, repository_id, number, title, author, state, first_commit_at, opened_at,
  first_review_at, merged_at, closed_at, deployment_id, deployed_at, {columns})
SELECT :cid, pr.id, pr.repository_id, pr.number, pr.title, pr.author_login, pr.state, pr.first_commit_at,
       pr.opened_at, pr.first_review_at, pr.merged_at, pr.closed_at, mc.deployment_id, mc.deployed_at,
       {stages}
FROM pull_requests pr
LEFT JOIN metric_changes mc ON mc.pull_request_id = pr.id
WHERE pr.client_id = :cid AND pr.active{scope}
ORDER BY pr.merged_at NULLS LAST, pr.id"""


def rebuild(*, db_session: Session, client_id: int, repository_ids: Collection[int] | None = None) -> int:
    """Replace the PR facts of the tenant (or of `repository_ids` only) in the caller's transaction; rows written."""
    bound: dict[str, Any] = {"cid": client_id}
    if repository_ids is not None:
        bound["repository_ids"] = sorted(repository_ids)
    db_session.execute(
        text("DELETE FROM metric_pull_requests WHERE client_id = :cid" + _scope(repository_ids, "repository_id")),
        bound,
    )
    scope = _scope(repository_ids, "pr.repository_id")
    sql = _INSERT.format(columns=", ".join(COLUMNS), stages=stage_columns("mc.deployed_at"), scope=scope)
    return int(getattr(db_session.execute(text(sql), bound), "rowcount", 0) or 0)


def refresh(
    *, db_session: Session, client_id: int, repository_ids: Collection[int], pull_request_ids: Collection[int]
) -> int:
    """Rebuild the facts of every PR of `repository_ids` and of the `pull_request_ids` elsewhere; rows written.

    A PR's fact depends on its own row and its change fact only, so the incremental refresh rebuilds exactly
    the PRs a write or the DORA recomputation touched.
    """
    written = (
        rebuild(db_session=db_session, client_id=client_id, repository_ids=repository_ids) if repository_ids else 0
    )
    rest = sorted(set(pull_request_ids))
    if not rest:
        return written
    bound: dict[str, Any] = {"cid": client_id, "pull_request_ids": rest, "repository_ids": sorted(repository_ids)}
    # PRs of the repositories rebuilt above are done.
    elsewhere = " AND NOT ({column} = ANY(CAST(:repository_ids AS bigint[])))"
    db_session.execute(
        text(
            "DELETE FROM metric_pull_requests WHERE client_id = :cid"
            + _rows(rest, "pull_request_id")
            + elsewhere.format(column="repository_id")
        ),
        bound,
    )
    scope = _rows(rest, "pr.id") + elsewhere.format(column="pr.repository_id")
    sql = _INSERT.format(columns=", ".join(COLUMNS), stages=stage_columns("mc.deployed_at"), scope=scope)
    return written + int(getattr(db_session.execute(text(sql), bound), "rowcount", 0) or 0)
