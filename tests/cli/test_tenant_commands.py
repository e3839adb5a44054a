"""`pulse` CLI: migrations, tenants and users through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg


def pulse(*args: str, url: str, stdin: str = "", data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "PULSE_LOG_FORMAT": "json"}
    if data_dir:
        env["PULSE_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "pulse.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def test_client_and_user_creation(fresh_database_url: str) -> None:
    url = fresh_database_url
    assert pulse("db", "apply", url=url).returncode == 0
    created = pulse("client", "create", "Acme Corp", "--json", url=url)
    assert created.returncode == 0, created.stderr
    client = json.loads(created.stdout)
    assert client["name"] == "Acme Corp" and isinstance(client["id"], int)

    user = pulse(
        "user",
        "create",
        "--client",
        str(client["id"]),
        "--email",
        "Ada@Example.com",
        "--role",
        "admin",
        "--first-name",
        "Ada",
        "--password-stdin",
        "--json",
        url=url,
        stdin="correct horse battery\n",
    )
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["email"] == "ada@example.com"
    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT password_hash, first_name FROM users").fetchone()
    assert stored is not None and stored[0].startswith("pbkdf2_sha256$100000$") and stored[1] == "Ada"
    assert "correct horse battery" not in user.stdout + user.stderr


def test_duplicate_email_any_case_is_refused_and_nothing_half_written(fresh_database_url: str) -> None:
    url = fresh_database_url
    pulse("db", "apply", url=url)
    client_id = json.loads(pulse("client", "create", "Acme", "--json", url=url).stdout)["id"]
    args = ["user", "create", "--client", str(client_id), "--role", "user", "--password-stdin"]
    assert pulse(*args, "--email", "bob@example.com", url=url, stdin="a long enough pass\n").returncode == 0
    again = pulse(*args, "--email", "BOB@Example.COM", url=url, stdin="a long enough pass\n")
    assert again.returncode == 3
    assert "already exists" in again.stderr and "Traceback" not in again.stderr
    assert count(url, "users") == 1


def test_user_errors_get_clear_messages_and_exit_codes(fresh_database_url: str) -> None:
    url = fresh_database_url
    pulse("db", "apply", url=url)
    client_id = json.loads(pulse("client", "create", "Acme", "--json", url=url).stdout)["id"]

    def create_user(client: str, role: str, password: str) -> subprocess.CompletedProcess[str]:
        args = ["user", "create", "--client", client, "--email", "x@y.io", "--role", role, "--password-stdin"]
        return pulse(*args, url=url, stdin=password + "\n")

    unknown = create_user("999", "user", "a long enough pass")
    assert unknown.returncode == 4 and "client 999 does not exist" in unknown.stderr
    weak = create_user(str(client_id), "user", "short")
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    bad_role = create_user(str(client_id), "root", "a long enough pass")
    assert bad_role.returncode == 1 and "role must be one of" in bad_role.stderr
    duplicate_client = pulse("client", "create", "ACME", url=url)
    assert duplicate_client.returncode == 3
    assert count(url, "users") == 0 and count(url, "clients") == 1
    for result in (unknown, weak, bad_role, duplicate_client):
        assert "Traceback" not in result.stderr


def test_database_down_or_bad_url_is_reported_without_traceback(tmp_path: Path) -> None:
    down = pulse("db", "status", url="postgresql://nobody@127.0.0.1:1/none", data_dir=tmp_path)
    assert down.returncode == 5 and "cannot reach the database" in down.stderr
    assert "Traceback" not in down.stderr
    wrong = pulse("db", "status", url="mysql://localhost/x", data_dir=tmp_path)
    assert wrong.returncode == 6 and "postgresql://" in wrong.stderr


def test_migration_runner_script_matches_pulse_db(fresh_database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": fresh_database_url}
    script = Path(__file__).resolve().parents[2] / "scripts" / "migration_runner.py"
    result = subprocess.run([sys.executable, str(script), "apply"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert count(fresh_database_url, "migration_history") >= 1
    assert "pending" not in pulse("db", "status", url=fresh_database_url).stdout


def test_version_flag() -> None:
    result = subprocess.run([sys.executable, "-m", "pulse.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("pulse ")


def test_client_deactivate_ends_the_tenants_sessions(fresh_database_url: str) -> None:
    url = fresh_database_url
    pulse("db", "apply", url=url)
    client_id = json.loads(pulse("client", "create", "Acme", "--json", url=url).stdout)["id"]
    pulse("user", "create", "--client", str(client_id), "--email", "a@acme.io", "--role", "admin",
          "--password-stdin", url=url, stdin="a long enough pass\n")  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        user_id = conn.execute("SELECT id FROM users").fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO user_sessions (client_id, user_id, token_hash, expires_at)"
            " VALUES (%s, %s, 'h', now() + interval '1 hour')",
            (client_id, user_id),
        )
    result = pulse("client", "deactivate", str(client_id), url=url)
    assert result.returncode == 0, result.stderr
    assert "ended 1 session" in result.stdout
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT active FROM clients").fetchone() == (False,)
        assert conn.execute("SELECT active, end_reason FROM user_sessions").fetchone() == (False, "client_deactivated")
    assert pulse("client", "deactivate", "999", url=url).returncode == 4
