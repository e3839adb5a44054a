"""Links between Jira work items and GitHub pull requests, from the keys found in branches, titles, bodies."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Either side may be synced first, so both connectors run this after their sync; existing links stay.
LINK_SQL = text(
    """
    INSERT INTO work_item_pull_request_links
        (client_id, integration_id, external_id, work_item_id, pull_request_id, found_in)
    SELECT k.client_id, k.integration_id, k.external_id || '@' || w.integration_id, w.id, k.pull_request_id,
           k.found_in
    FROM pull_request_issue_keys k
    JOIN work_items w ON w.client_id = k.client_id AND w.key = k.key AND w.active
    WHERE k.client_id = :client_id AND k.active
    ON CONFLICT (client_id, integration_id, external_id) DO NOTHING
    """
)


def link_work_items(session: Session, *, client_id: int) -> int:
    """Create the missing links of one tenant; returns how many were added."""
    result = session.execute(LINK_SQL, {"client_id": client_id})
    return int(getattr(result, "rowcount", 0) or 0)
