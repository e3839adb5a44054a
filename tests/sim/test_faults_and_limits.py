"""Rate limits, secondary limits and fault injection, driven through `/_sim/config`."""

from __future__ import annotations

import time

import httpx
import pytest

from pulse.sim.server import RunningSimulator
from tests.sim.conftest import configure


def test_primary_rate_limit_exhausts_with_github_headers_and_resets(
    github: httpx.Client, sim: RunningSimulator
) -> None:
    configure(sim, rate_limit={"limit": 3, "window_seconds": 1.5})
    remaining = [github.get("/user").headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    blocked = github.get("/user")
    assert blocked.status_code == 403
    assert blocked.headers["x-ratelimit-remaining"] == "0" and blocked.headers["x-ratelimit-resource"] == "core"
    assert blocked.json()["message"].startswith("API rate limit exceeded")
    assert int(blocked.headers["x-ratelimit-reset"]) >= int(time.time())
    time.sleep(max(0.0, int(blocked.headers["x-ratelimit-reset"]) - time.time()) + 0.1)
    assert github.get("/user").status_code == 200


def test_exhaust_now_blocks_github_and_throttles_jira(
    github: httpx.Client, jira: httpx.Client, sim: RunningSimulator
) -> None:
    github.get("/user")
    configure(sim, rate_limit={"window_seconds": 1}, exhaust_rate_limit_now=True)
    assert github.get("/rate_limit").json()["resources"]["core"]["remaining"] == 0
    blocked = github.get("/user")
    assert blocked.status_code == 403
    throttled = jira.get("/rest/api/3/myself")
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    time.sleep(max(0.0, int(blocked.headers["x-ratelimit-reset"]) - time.time()) + 0.1)
    assert github.get("/user").status_code == 200


def test_every_nth_request_hits_a_secondary_limit(
    github: httpx.Client, jira: httpx.Client, sim: RunningSimulator
) -> None:
    configure(sim, secondary_limit_every=3, secondary_retry_after=2)
    statuses = [github.get("/user").status_code for _ in range(6)]
    assert statuses == [200, 200, 403, 200, 200, 403]
    blocked = github.get("/user"), github.get("/user"), github.get("/user")
    assert blocked[2].headers["retry-after"] == "2"
    assert "secondary rate limit" in blocked[2].json()["message"]
    assert jira.get("/rest/api/3/myself").status_code == 200
    assert jira.get("/rest/api/3/myself").status_code == 200
    assert jira.get("/rest/api/3/myself").status_code == 429


def test_error_rate_is_close_to_the_knob_and_reproducible(github: httpx.Client, sim: RunningSimulator) -> None:
    def run() -> list[int]:
        configure(sim, error_rate=0.3, fault_seed=5)
        return [github.get("/user").status_code for _ in range(120)]

    first = run()
    assert first == run()
    failures = sum(code in (500, 502) for code in first)
    assert 20 <= failures <= 55
    stats = httpx.get(f"{sim.base_url}/_sim/stats").json()
    assert stats["faults"]["error_500"] + stats["faults"]["error_502"] == 2 * failures


def test_dropped_connections_close_the_socket_without_a_response(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, drop_connection_rate=1.0)
    with pytest.raises(httpx.TransportError):
        github.get("/user")
    configure(sim, drop_connection_rate=0.0)
    assert github.get("/user").status_code == 200


def test_latency_knob_slows_answers(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, latency_ms=150)
    started = time.perf_counter()
    github.get("/user")
    assert time.perf_counter() - started >= 0.15


def test_bad_knobs_are_refused(sim: RunningSimulator) -> None:
    assert httpx.post(f"{sim.base_url}/_sim/config", json={"error_rate": 2}).status_code == 422
    assert httpx.post(f"{sim.base_url}/_sim/config", json={"nope": 1}).status_code == 422
