"""The reusable HTTP pieces: retries, rate-limit waits, conditional requests, pagination guards.

Pages are served by httpx's MockTransport (recorded pages at the transport layer); the simulator-backed tests
in this folder cover the same code over real sockets.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable

import httpx
import pytest

from pulse.etl.connectors.base.http import EtagCache, RetryPolicy, SourceClient, SourceError, SourceUnavailable
from pulse.etl.connectors.base.paginate import (
    LinkHeaderPaginator,
    NextPageTokenPaginator,
    PaginationLoop,
    StartAtPaginator,
)


def client(handler: Callable[[httpx.Request], httpx.Response], slept: list[float], **kwargs: object) -> SourceClient:
    return SourceClient(
        base_url="https://api.example.test",
        headers={"Authorization": "Bearer t"},
        sleep=slept.append,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(backoff_seconds=0.01, max_attempts=4),
        **kwargs,  # type: ignore[arg-type]
    )


def test_server_errors_and_dropped_connections_are_retried_then_give_up() -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if len(calls) == 2:
            return httpx.Response(502, text="<html>bad gateway</html>")
        return httpx.Response(200, json={"ok": True})

    slept: list[float] = []
    assert client(flaky, slept).get("/x").data == {"ok": True}
    assert len(slept) == 2

    slept.clear()
    with pytest.raises(SourceUnavailable):
        client(lambda r: httpx.Response(500, json={}), slept).get("/x")
    assert len(slept) == 3


def test_other_client_errors_fail_at_once_with_the_status() -> None:
    with pytest.raises(SourceError) as err:
        client(lambda r: httpx.Response(404, json={"message": "Not Found"}), []).get("/repos/a/b")
    assert err.value.status == 404 and "Not Found" in str(err.value)


def test_an_exhausted_budget_waits_until_the_reset_before_the_next_request() -> None:
    reset = int(time.time()) + 30
    answers = iter(
        [
            httpx.Response(200, json=[1], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}),
            httpx.Response(200, json=[2], headers={"X-RateLimit-Remaining": "4999"}),
        ]
    )
    slept: list[float] = []
    source = client(lambda r: next(answers), slept)
    assert source.get("/a").data == [1] and slept == []
    assert source.get("/b").data == [2]
    assert len(slept) == 1 and 29 <= slept[0] <= 31.5


def test_a_primary_limit_403_waits_for_the_reset_and_retries() -> None:
    reset = int(time.time()) + 5
    answers = iter(
        [
            httpx.Response(403, json={"message": "API rate limit exceeded"},
                           headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}),
            httpx.Response(200, json={"ok": 1}),
        ]
    )  # fmt: skip
    slept: list[float] = []
    assert client(lambda r: next(answers), slept).get("/a").data == {"ok": 1}
    assert len(slept) == 1 and 4 <= slept[0] <= 6


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_limits_honour_retry_after_in_seconds_or_as_a_date(status: int) -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    answers = iter(
        [
            httpx.Response(status, json={"message": "secondary rate limit"}, headers={"Retry-After": "7"}),
            httpx.Response(status, json={"message": "secondary rate limit"}, headers={"Retry-After": when}),
            httpx.Response(200, json=[]),
        ]
    )
    slept: list[float] = []
    client(lambda r: next(answers), slept).get("/a")
    assert slept[0] == 7 and 18 <= slept[1] <= 21


def test_conditional_requests_send_the_stored_etag_and_304_costs_no_data() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, json=[1, 2], headers={"ETag": '"v1"', "Link": '<https://x/p2>; rel="next"'})

    cache = EtagCache(client_id=1, integration_id=1)
    source = client(handler, [], etags=cache)
    first = source.get("/list", conditional=True)
    assert first.data == [1, 2] and cache.pending
    second = source.get("/list", conditional=True)
    assert second.not_modified and second.data is None and second.next_url() == "https://x/p2"
    assert seen == [None, '"v1"']
    assert source.stats.not_modified == 1


def test_paginators_refuse_to_loop_on_a_repeated_token_or_url() -> None:
    def same_link(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[1], headers={"Link": '<https://api.example.test/l?page=2>; rel="next"'})

    with pytest.raises(PaginationLoop):
        list(LinkHeaderPaginator(conditional=False).pages(client(same_link, []), "/l"))

    def same_token(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"issues": [], "nextPageToken": "abc"})

    with pytest.raises(PaginationLoop):
        list(NextPageTokenPaginator().pages(client(same_token, []), "/search/jql", {"jql": "x"}))

    def stuck(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"startAt": 0, "total": 10, "values": [1, 2]})

    with pytest.raises(PaginationLoop):
        list(StartAtPaginator(page_size=2).pages(client(stuck, []), "/project/search"))


def test_start_at_paging_ends_at_the_total() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["startAt"])
        return httpx.Response(200, json={"startAt": start, "total": 5, "values": list(range(start, min(5, start + 2)))})

    got = [p.data["values"] for p in StartAtPaginator(page_size=2).pages(client(pages, []), "/p")]
    assert got == [[0, 1], [2, 3], [4]]
