"""Test-connection: one cheap identity call that says who the credentials belong to."""

from __future__ import annotations

from typing import Any

from pulse.etl.connectors.base.http import RetryPolicy, SourceClient, SourceError


def probe_identity(client: SourceClient, *, source: str, path: str, name_field: str) -> tuple[bool, str]:
    """Call `path` once (no long waits) and answer (ok, message); never raises for bad credentials or outages."""
    client.retry = RetryPolicy(max_attempts=2, backoff_seconds=0.2, max_rate_limit_waits=0)
    try:
        page = client.get(path)
    except SourceError as exc:
        return False, f"{source} answered {exc.status}" + (": bad credentials" if exc.status == 401 else "")
    except Exception as exc:
        return False, f"{source} is unreachable: {type(exc).__name__}"
    finally:
        client.close()
    data: Any = page.data
    name = data.get(name_field, "?") if isinstance(data, dict) else "?"
    return True, f"Connected to {source} as {name}"
