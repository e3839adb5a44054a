"""The migration runner: raw SQL steps (and Python steps for vendor schemas) recorded with checksums.

A step is `NNNN_name.up.sql` + `NNNN_name.down.sql`, or `NNNN_name.py` defining `up(conn)` and `down(conn)`
for schemas owned by a library's own tooling (Procrastinate). Every step runs in its own transaction; an
advisory lock keeps two runners from racing; an applied step whose file changed stops the runner.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

# Any constant works; it only has to be the same for every runner.
ADVISORY_LOCK_KEY = 0x5055_4C53_4D49_47  # "PULSMIG"
_STEP_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(up\.sql|down\.sql|py)$")
_HISTORY_DDL = """
CREATE TABLE IF NOT EXISTS migration_history (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    """The runner refuses to go on; the message says why and what to do."""


def default_migrations_dir() -> Path:
    """`migrations/` at the repository root."""
    return Path(__file__).resolve().parents[4] / "migrations"


@dataclass(frozen=True)
class Step:
    """One migration step found on disk."""

    version: int
    name: str
    up_path: Path
    down_path: Path | None

    @property
    def is_python(self) -> bool:
        """A Python step delegates to a library's schema tooling."""
        return self.up_path.suffix == ".py"

    @property
    def checksum(self) -> str:
        """SHA-256 of the up file: what was applied must not change afterwards."""
        return hashlib.sha256(self.up_path.read_bytes()).hexdigest()

    def run(self, conn: psycopg.Connection[Any], direction: str) -> None:
        """Run this step's up or down part on an open transaction."""
        if self.is_python:
            _load_python_step(self.up_path, direction)(conn)
            return
        path = self.up_path if direction == "up" else self.down_path
        if path is None:
            raise MigrationError(f"{self.version:04d}_{self.name} has no down file; it cannot be rolled back")
        conn.execute(path.read_text())  # raw SQL file, no parameters


@dataclass(frozen=True)
class StepStatus:
    """A step and whether (and how) it is applied."""

    version: int
    name: str
    applied_at: datetime | None
    checksum_matches: bool | None


def _load_python_step(path: Path, direction: str) -> Callable[[psycopg.Connection[Any]], None]:
    spec = importlib.util.spec_from_file_location(f"pulse_migration_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise MigrationError(f"cannot load migration step {path.name}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = getattr(module, direction, None)
    if not callable(function):
        raise MigrationError(f"{path.name} must define {direction}(conn)")
    return function


def discover(directory: Path) -> list[Step]:
    """The steps in a folder, ordered by version; refuses gaps in pairs and duplicate versions."""
    found: dict[int, dict[str, Path]] = {}
    names: dict[int, str] = {}
    for path in sorted(directory.iterdir()):
        match = _STEP_FILE.match(path.name)
        if not match:
            continue
        version, name, kind = int(match.group(1)), match.group(2), match.group(3)
        if names.setdefault(version, name) != name:
            raise MigrationError(f"two migrations share version {version:04d}: {names[version]} and {name}")
        found.setdefault(version, {})[kind] = path
    steps = []
    for version, files in sorted(found.items()):
        if "py" in files:
            steps.append(Step(version, names[version], files["py"], None))
        elif "up.sql" in files:
            steps.append(Step(version, names[version], files["up.sql"], files.get("down.sql")))
        else:
            raise MigrationError(f"{version:04d}_{names[version]} has a down file but no up file")
    return steps


class MigrationRunner:
    """Applies and rolls back steps against one database."""

    def __init__(self, url: str, directory: Path | None = None, *, progress: Callable[[str], None] | None = None):
        self.url = url
        self.directory = directory or default_migrations_dir()
        self.progress = progress or (lambda _message: None)

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10, options="-c timezone=UTC")

    def _applied(self, conn: psycopg.Connection[Any]) -> dict[int, tuple[str, str, datetime]]:
        rows = conn.execute("SELECT version, name, checksum, applied_at FROM migration_history").fetchall()
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def _locked(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        conn.execute(_HISTORY_DDL)

    def _verify_checksums(self, steps: list[Step], applied: dict[int, tuple[str, str, datetime]]) -> None:
        for step in steps:
            record = applied.get(step.version)
            if record and record[1] != step.checksum:
                raise MigrationError(
                    f"migration {step.up_path.name} was edited after it was applied (checksum differs). "
                    "Restore the applied version and put the change in a new migration (pulse db new NAME)."
                )

    def status(self) -> list[StepStatus]:
        """Every step on disk (and any applied one missing from disk) with its state."""
        steps = discover(self.directory)
        with self._connect() as conn:
            conn.execute(_HISTORY_DDL)
            applied = self._applied(conn)
        rows = [
            StepStatus(
                s.version,
                s.name,
                applied[s.version][2] if s.version in applied else None,
                (applied[s.version][1] == s.checksum) if s.version in applied else None,
            )
            for s in steps
        ]
        on_disk = {s.version for s in steps}
        rows += [StepStatus(v, n, at, False) for v, (n, _, at) in applied.items() if v not in on_disk]
        return sorted(rows, key=lambda r: r.version)

    def apply(self) -> list[Step]:
        """Apply every pending step in version order; returns what was applied."""
        steps = discover(self.directory)
        done: list[Step] = []
        with self._connect() as conn:
            self._locked(conn)
            try:
                applied = self._applied(conn)
                self._verify_checksums(steps, applied)
                for step in steps:
                    if step.version in applied:
                        continue
                    self.progress(f"applying {step.version:04d}_{step.name}")
                    with conn.transaction():
                        step.run(conn, "up")
                        conn.execute(
                            "INSERT INTO migration_history (version, name, checksum) VALUES (%s, %s, %s)",
                            (step.version, step.name, step.checksum),
                        )
                    done.append(step)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        return done

    def rollback(self, to: int) -> list[Step]:
        """Roll back every applied step above version `to`, newest first; returns what was rolled back."""
        if to < 0:
            raise MigrationError("--to must be 0 or a migration version")
        steps = {s.version: s for s in discover(self.directory)}
        done: list[Step] = []
        with self._connect() as conn:
            self._locked(conn)
            try:
                applied = self._applied(conn)
                self._verify_checksums(list(steps.values()), applied)
                for version in sorted((v for v in applied if v > to), reverse=True):
                    step = steps.get(version)
                    if step is None:
                        raise MigrationError(f"applied migration {version:04d} is missing from {self.directory}")
                    self.progress(f"rolling back {step.version:04d}_{step.name}")
                    with conn.transaction():
                        step.run(conn, "down")
                        conn.execute("DELETE FROM migration_history WHERE version = %s", (version,))
                    done.append(step)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        return done


def new_migration(directory: Path, name: str) -> tuple[Path, Path]:
    """Create the next-numbered pair of empty up/down SQL files."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug:
        raise MigrationError("the migration name needs letters or digits")
    versions = [s.version for s in discover(directory)] if directory.exists() else []
    version = max(versions, default=0) + 1
    directory.mkdir(parents=True, exist_ok=True)
    up = directory / f"{version:04d}_{slug}.up.sql"
    down = directory / f"{version:04d}_{slug}.down.sql"
    up.write_text(f"-- {slug}: forward step\n")
    down.write_text(f"-- {slug}: undo the forward step\n")
    return up, down
