"""The unified models and the migrated schema describe the same database."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from pulse.core.db.models import Base

# Tables owned by tooling rather than by the models.
FOREIGN_TABLES = ("migration_history", "procrastinate_")


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name and name.startswith(FOREIGN_TABLES):
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and str(table.name).startswith(FOREIGN_TABLES))


def test_models_match_migrated_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "compare_server_default": False, "include_object": _ours},
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_business_table_carries_base_entity_columns() -> None:
    for table in Base.metadata.sorted_tables:
        assert {"active", "created_at", "last_updated_at"} <= set(table.columns.keys()), table.name
        if table.name not in ("clients", "audit_events"):
            assert "client_id" in table.columns, table.name
