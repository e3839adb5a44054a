"""`SourceClient.graphql`: point accounting, waits for spent points and rate limits, 502 → smaller pages.

Answers are served by httpx's MockTransport (recorded pages at the transport layer, like `test_http.py`);
the simulator-backed tests in `test_github_graphql.py` cover the same code over real sockets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from pulse.etl.connectors.base.http import GraphQLUnavailable, RetryPolicy, SourceClient

URL = "https://api.example.test/graphql"


def client(handler: Callable[[httpx.Request], httpx.Response], slept: list[float]) -> SourceClient:
    return SourceClient(
        base_url="https://api.example.test",
        headers={"Authorization": "Bearer t"},
        sleep=slept.append,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(backoff_seconds=0.01, max_attempts=6),
    )


def answer(cost: int = 1, remaining: int = 4999, reset: float | None = None, **data: Any) -> httpx.Response:
    reset_at = datetime.fromtimestamp(reset or time.time() + 3600, UTC).isoformat().replace("+00:00", "Z")
    rate = {"cost": cost, "remaining": remaining, "resetAt": reset_at}
    return httpx.Response(200, json={"data": {"rateLimit": rate, **data}})


def test_points_are_counted_and_reported_with_what_is_left() -> None:
    answers = iter([answer(cost=3, remaining=4997), answer(cost=2, remaining=4995)])
    source = client(lambda r: next(answers), [])
    source.graphql(URL, "query { x }", {})
    source.graphql(URL, "query { x }", {})
    counts = source.stats.as_counts()
    assert counts["graphql_requests"] == 2 and counts["points"] == 5 and counts["points_remaining"] == 4995


def test_spent_points_wait_for_reset_at_before_the_next_query() -> None:
    reset = time.time() + 40
    answers = iter([answer(cost=5, remaining=3, reset=reset), answer(cost=5, remaining=4995)])
    slept: list[float] = []
    source = client(lambda r: next(answers), slept)
    source.graphql(URL, "query { x }", {})
    assert slept == []
    source.graphql(URL, "query { x }", {})
    assert len(slept) == 1 and 39 <= slept[0] <= 41.5
    assert source.stats.rate_limit_waits == 1


def test_rate_limited_errors_wait_for_the_reset_and_ask_again() -> None:
    reset = time.time() + 20
    limited = {"data": {"rateLimit": {"cost": 1, "remaining": 0,
                                      "resetAt": datetime.fromtimestamp(reset, UTC).isoformat()}},
               "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user."}]}  # fmt: skip
    answers = iter([httpx.Response(200, json=limited), answer(repository={"name": "a"})])
    slept: list[float] = []
    got = client(lambda r: next(answers), slept).graphql(URL, "query { x }", {})
    assert got.data["repository"] == {"name": "a"} and got.errors == []
    assert len(slept) == 1 and 19 <= slept[0] <= 21


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_limits_honour_retry_after(status: int) -> None:
    answers = iter([httpx.Response(status, json={"message": "You have exceeded a secondary rate limit"},
                                   headers={"Retry-After": "9"}), answer()])  # fmt: skip
    slept: list[float] = []
    client(lambda r: next(answers), slept).graphql(URL, "query { x }", {})
    assert slept == [9]


def test_a_502_is_retried_with_the_larger_page_size_halved() -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["variables"])
        return httpx.Response(502, text="timeout") if len(sent) < 5 else answer()

    got = client(handler, []).graphql(URL, "query { x }", {"first": 50, "nested": 20, "after": None})
    assert [(v["first"], v["nested"]) for v in sent] == [(50, 20), (25, 20), (12, 20), (12, 10), (6, 10)]
    assert got.variables == {"first": 6, "nested": 10, "after": None}


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_missing_endpoint_or_refused_token_is_graphql_unavailable(status: int) -> None:
    with pytest.raises(GraphQLUnavailable) as err:
        client(lambda r: httpx.Response(status, json={"message": "Not Found"}), []).graphql(URL, "query { x }", {})
    assert err.value.status == status


def test_partial_errors_come_back_next_to_the_data() -> None:
    body = {"data": {"rateLimit": {"cost": 1, "remaining": 10, "resetAt": None}, "repository": None},
            "errors": [{"type": "NOT_FOUND", "path": ["repository"], "message": "Could not resolve"}]}  # fmt: skip
    got = client(lambda r: httpx.Response(200, json=body), []).graphql(URL, "query { x }", {})
    assert got.data["repository"] is None and got.errors[0]["type"] == "NOT_FOUND" and got.cost == 1
