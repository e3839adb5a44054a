"""Procrastinate's schema (the job queue), installed by Procrastinate's own tooling, never pasted here.

`up` runs the `schema.sql` bundled with the installed procrastinate package (read through
`procrastinate.schema.SchemaManager` at run time) and records that version in a comment on
`procrastinate_jobs`. `down` drops every procrastinate object (tables, functions, types), so
`pulse db rollback --to 0` leaves nothing behind.

Upgrading procrastinate: bump the dependency, then add a new Python step (e.g. `00NN_procrastinate_upgrade.py`)
whose `up` calls `pulse.etl.jobs.queue.upgrade_procrastinate_schema(conn)`: it applies the migration scripts
bundled with the new package whose version is newer than the recorded one, and records the new version. A
fresh database gets the new `schema.sql` from this step and the upgrade step then finds nothing to do. See
docs/etl.md.
"""

from __future__ import annotations

from typing import Any


def up(conn: Any) -> None:
    """Install the installed procrastinate version's schema and record the version."""
    from importlib.metadata import version

    from procrastinate.schema import SchemaManager

    conn.execute(SchemaManager.get_schema())
    conn.execute(f"COMMENT ON TABLE procrastinate_jobs IS 'procrastinate {version('procrastinate')}'")


def down(conn: Any) -> None:
    """Drop every procrastinate table, function and type."""
    tables = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname LIKE 'procrastinate%'"
    ).fetchall()
    if tables:
        conn.execute("DROP TABLE " + ", ".join(t[0] for t in tables) + " CASCADE")
    functions = conn.execute(
        "SELECT p.oid::regprocedure::text, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'"
    ).fetchall()
    for signature, kind in functions:
        conn.execute(f"DROP {'PROCEDURE' if kind == 'p' else 'FUNCTION'} IF EXISTS {signature} CASCADE")
    types = conn.execute(
        "SELECT t.oid::regtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')"
    ).fetchall()
    for (name,) in types:
        conn.execute(f"DROP TYPE IF EXISTS {name} CASCADE")
