"""A canonical dump of an integration's business rows, comparable across tenants and runs.

Row ids, tenants and bookkeeping timestamps differ between runs, so foreign keys are replaced by the
referenced row's external id and bookkeeping columns are left out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from pulse.core.db.models import Base

TABLES = [
    "repositories", "pull_requests", "pull_request_commits", "pull_request_reviews", "pull_request_comments",
    "pull_request_issue_keys", "commits", "deployments", "deployment_commits", "deployment_pull_requests",
    "releases", "workflow_runs", "github_issues", "jira_projects", "jira_issue_types", "jira_statuses",
    "work_items", "work_item_transitions",
]  # fmt: skip
SKIP = {"id", "client_id", "integration_id", "created_at", "last_updated_at", "html_url"}


def snapshot(engine: Engine, integration_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """{table: sorted rows} of one integration, with foreign keys as external ids."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = Base.metadata.tables[name]
            columns = [c for c in table.columns if c.name not in SKIP]
            select_parts = []
            joins = []
            for col in columns:
                fks = [fk for fk in col.foreign_keys if fk.column.table.name not in ("clients", "integrations")]
                if fks:
                    ref = fks[0].column.table.name
                    alias = f"r_{col.name}"
                    joins.append(f"LEFT JOIN {ref} {alias} ON {alias}.id = t.{col.name}")
                    select_parts.append(f"{alias}.external_id")
                else:
                    select_parts.append(f"t.{col.name}")
            sql = f"SELECT {', '.join(select_parts)} FROM {name} t {' '.join(joins)} WHERE t.integration_id = :i"
            rows = conn.execute(text(sql), {"i": integration_id}).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def counts(engine: Engine, integration_id: int) -> dict[str, int]:
    """Rows per table of one integration."""
    return {name: len(rows) for name, rows in snapshot(engine, integration_id).items()}
