"""Idempotent bulk upserts keyed on `(client_id, integration_id, external_id)`.

They run in the session `ctx.commit` hands to a stream's write function, so rows and the stream's cursor are
saved in one transaction: a run killed at any point resumes without duplicates or gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pulse.core.db.models import Base

KEY = ("client_id", "integration_id", "external_id")
BATCH = 1000


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    update: bool = True,
) -> dict[str, int]:
    """Insert or update rows; returns {external_id: id} of every row written or already present."""
    if not rows:
        return {}
    table: Table = model.__table__  # type: ignore[assignment]
    # One statement may not touch a row twice: the last version of a duplicated record wins.
    unique = list({row["external_id"]: row for row in rows}.values())
    ids: dict[str, int] = {}
    for start in range(0, len(unique), BATCH):
        chunk = unique[start : start + BATCH]
        stmt = insert(table).values(chunk)
        if update:
            columns = [c for c in chunk[0] if c not in KEY]
            set_: dict[str, Any] = {c: stmt.excluded[c] for c in columns}
            set_["last_updated_at"] = func.now()
            set_["active"] = stmt.excluded.active if "active" in columns else True
            stmt = stmt.on_conflict_do_update(index_elements=list(KEY), set_=set_)
        else:
            stmt = stmt.on_conflict_do_nothing()
        returning = stmt.returning(table.c.external_id, table.c.id)
        ids.update({ext: ident for ext, ident in session.execute(returning)})
    missing = [row["external_id"] for row in unique if row["external_id"] not in ids]
    if missing:
        ids.update(lookup(session, model, client_id=unique[0]["client_id"],
                          integration_id=unique[0]["integration_id"], external_ids=missing))  # fmt: skip
    return ids


def lookup(
    session: Session, model: type[Base], *, client_id: int, integration_id: int, external_ids: Iterable[str]
) -> dict[str, int]:
    """{external_id: id} of existing rows of one integration."""
    wanted = list(external_ids)
    if not wanted:
        return {}
    table: Table = model.__table__  # type: ignore[assignment]
    stmt = select(table.c.external_id, table.c.id).where(
        table.c.client_id == client_id,
        table.c.integration_id == integration_id,
        table.c.external_id.in_(wanted),
    )
    return {ext: ident for ext, ident in session.execute(stmt)}


def deactivate_missing(
    session: Session, model: type[Base], *, client_id: int, parent_column: str, parent_ids: Sequence[int],
    keep: Sequence[tuple[int, str]],
) -> None:  # fmt: skip
    """Mark children of the given parents inactive unless listed in `keep` (parent id, external id)."""
    if not parent_ids:
        return
    table: Table = model.__table__  # type: ignore[assignment]
    parent = table.c[parent_column]
    cond = [table.c.client_id == client_id, parent.in_(list(parent_ids)), table.c.active]
    if keep:
        cond.append(tuple_(parent, table.c.external_id).not_in(list(keep)))
    session.execute(table.update().where(*cond).values(active=False, last_updated_at=func.now()))


def deactivate_others(
    session: Session, model: type[Base], *, client_id: int, integration_id: int, keep: Sequence[str]
) -> None:
    """Mark an integration's rows inactive unless their external id is in `keep` (no longer configured)."""
    table: Table = model.__table__  # type: ignore[assignment]
    session.execute(
        table.update()
        .where(
            table.c.client_id == client_id,
            table.c.integration_id == integration_id,
            table.c.active,
            table.c.external_id.not_in(list(keep)),
        )
        .values(active=False, last_updated_at=func.now())
    )
