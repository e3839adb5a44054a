"""Links between Jira work items and GitHub pull requests, from the keys found in branches, titles, bodies."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Either side may be synced first, so both connectors run this after their sync.
LINK_SQL = text(
    """
    INSERT INTO work_item_pull_request_links
        (client_id, integration_id, external_id, work_item_id, pull_request_id, found_in)
    SELECT k.client_id, k.integration_id, k.external_id || '@' || w.integration_id, w.id, k.pull_request_id,
           k.found_in
    FROM pull_request_issue_keys k
    JOIN work_items w ON w.client_id = k.client_id AND w.key = k.key AND w.active
    WHERE k.client_id = :client_id AND k.active
    ON CONFLICT (client_id, integration_id, external_id)
        DO UPDATE SET active = true, last_updated_at = now() WHERE NOT work_item_pull_request_links.active
    """
)
# A key edited out of a title (its key row went inactive) no longer links.
UNLINK_SQL = text(
    """
    UPDATE work_item_pull_request_links l SET active = false, last_updated_at = now()
    WHERE l.client_id = :client_id AND l.active AND NOT EXISTS (
        SELECT 1 FROM pull_request_issue_keys k
        JOIN work_items w ON w.client_id = k.client_id AND w.key = k.key AND w.active
        WHERE k.client_id = l.client_id AND k.active AND k.pull_request_id = l.pull_request_id
          AND k.found_in = l.found_in AND w.id = l.work_item_id
    )
    """
)


def link_work_items(session: Session, *, client_id: int) -> int:
    """Bring one tenant's links in line with the stored keys; returns how many were added or revived."""
    result = session.execute(LINK_SQL, {"client_id": client_id})
    session.execute(UNLINK_SQL, {"client_id": client_id})
    return int(getattr(result, "rowcount", 0) or 0)
