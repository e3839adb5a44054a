"""One HTTP client for every connector: retries, back-off, rate-limit accounting and conditional requests.

Connectors never call httpx themselves. `SourceClient.get/post` answer a `Page` (status, JSON, headers);
transient failures (5xx, dropped connections, secondary limits, an exhausted primary budget) are waited out
with `ctx.sleep`, so a stop request still interrupts the wait, and only permanent errors reach the caller.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pulse.core.db.models.business import HttpCacheEntry
from pulse.core.logging import get_logger
from pulse.etl.connectors.base.interface import PermanentSyncError

log = get_logger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})
MAX_RESET_WAIT = 3600.0
CACHE_DAYS = 30


class SourceError(PermanentSyncError):
    """The source answered with an error retrying cannot fix (4xx other than rate limits)."""

    def __init__(self, status: int, url: str, message: str) -> None:
        super().__init__(f"{status} from {url}: {message}")
        self.status = status
        self.url = url


@dataclass
class Page:
    """One answered request; `not_modified` pages carry the stored `Link` header but no body."""

    status: int
    url: str
    headers: Mapping[str, str]
    data: Any = None
    not_modified: bool = False
    link: str | None = None

    def next_url(self) -> str | None:
        """The `rel="next"` target of the Link header, if any."""
        return parse_link(self.link).get("next")


def parse_link(header: str | None) -> dict[str, str]:
    """RFC 5988 `Link` header as {rel: url}."""
    links: dict[str, str] = {}
    for part in (header or "").split(","):
        url, _, params = part.strip().partition(";")
        url = url.strip()
        if not (url.startswith("<") and url.endswith(">")):
            continue
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "rel":
                for rel in value.strip().strip('"').split():
                    links[rel] = url[1:-1]
    return links


@dataclass
class RequestStats:
    """Counts a client's requests, for progress reports and benchmarks."""

    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    graphql_requests: int = 0
    points: int = 0
    # What the source said is left of each budget after the latest answer (None until it said so).
    requests_remaining: int | None = None
    points_remaining: int | None = None

    def as_counts(self) -> dict[str, int]:
        """Flat counts for `ctx.progress`: requests and GraphQL points spent, and what is left of each budget."""
        counts = {
            "requests": self.requests,
            "not_modified": self.not_modified,
            "retries": self.retries,
            "rate_limit_waits": self.rate_limit_waits,
        }
        if self.graphql_requests:
            counts["graphql_requests"] = self.graphql_requests
            counts["points"] = self.points
        if self.requests_remaining is not None:
            counts["requests_remaining"] = self.requests_remaining
        if self.points_remaining is not None:
            counts["points_remaining"] = self.points_remaining
        return counts


def requests_spent(counts: Mapping[str, int]) -> int:
    """REST requests a run's counts charged: 304 answers and GraphQL queries (charged in points) are free."""
    return counts.get("requests", 0) - counts.get("not_modified", 0) - counts.get("graphql_requests", 0)


class EtagCache:
    """ETags (and Link headers) of fetched pages, per integration.

    New entries stay pending until `flush(session)` writes them inside the transaction that stores the
    page's data: an ETag saved before its data would turn a crash into a silently skipped page.
    """

    def __init__(
        self,
        *,
        client_id: int,
        integration_id: int,
        loader: Callable[[Callable[[Session], None]], None] | None = None,
    ) -> None:
        self.client_id = client_id
        self.integration_id = integration_id
        self.known: dict[str, tuple[str, str | None]] = {}
        self.pending: dict[str, tuple[str, str | None]] = {}
        self._loader = loader

    def _load(self) -> None:
        """Read stored entries once, through `loader` (which runs a function in a session)."""
        if self._loader is None:
            return
        loader, self._loader = self._loader, None

        def read(session: Session) -> None:
            # Pages not seen for a month (old `since=` URLs) are forgotten, so the cache stays small.
            session.execute(
                delete(HttpCacheEntry).where(
                    HttpCacheEntry.client_id == self.client_id,
                    HttpCacheEntry.integration_id == self.integration_id,
                    HttpCacheEntry.last_updated_at < func.now() - timedelta(days=CACHE_DAYS),
                )
            )
            rows = session.execute(
                select(HttpCacheEntry.external_id, HttpCacheEntry.etag, HttpCacheEntry.link).where(
                    HttpCacheEntry.client_id == self.client_id,
                    HttpCacheEntry.integration_id == self.integration_id,
                    HttpCacheEntry.active,
                )
            )
            for url, etag, link in rows:
                self.known[url] = (etag, link)

        loader(read)

    def get(self, url: str) -> tuple[str, str | None] | None:
        """The stored (etag, link) of a URL."""
        self._load()
        return self.pending.get(url) or self.known.get(url)

    def put(self, url: str, etag: str, link: str | None) -> None:
        """Remember a page's ETag until the next flush."""
        self.pending[url] = (etag, link)

    def flush(self, session: Session) -> None:
        """Write pending entries in the caller's transaction."""
        if not self.pending:
            return
        rows = [
            {
                "client_id": self.client_id,
                "integration_id": self.integration_id,
                "external_id": url,
                "etag": etag,
                "link": link,
            }
            for url, (etag, link) in self.pending.items()
        ]
        stmt = insert(HttpCacheEntry).values(rows)
        stmt = stmt.on_conflict_do_update(
            constraint="uq_http_cache_external",
            set_={"etag": stmt.excluded.etag, "link": stmt.excluded.link, "last_updated_at": func.now()},
        )
        session.execute(stmt)
        self.known.update(self.pending)
        self.pending.clear()


@dataclass
class RetryPolicy:
    """How failures are retried.

    `max_attempts` bounds tries per request for 5xx and dropped connections (rate-limit waits do not count);
    back-off is exponential from `backoff_seconds`, capped at `max_backoff_seconds`, with jitter.
    `max_rate_limit_waits` bounds consecutive waits for limits before the request fails.
    """

    max_attempts: int = 8
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    max_rate_limit_waits: int = 20

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        base = min(self.max_backoff_seconds, self.backoff_seconds * (2 ** (attempt - 1)))
        return base * (0.5 + random.random() / 2)


@dataclass
class Budget:
    """One rate-limit budget (GitHub: `core` requests, `graphql` points): what is left and when it refills."""

    remaining: int | None = None
    reset: float | None = None


@dataclass
class GraphQLAnswer:
    """One answered GraphQL query: `data` (possibly partial), `errors`, its point cost and the variables sent."""

    data: dict[str, Any]
    errors: list[dict[str, Any]]
    cost: int
    variables: dict[str, Any]


class GraphQLUnavailable(SourceError):
    """The GraphQL endpoint is missing (404) or refuses the token (401/403 that is no rate limit)."""


class SourceClient:
    """An httpx.Client for one source API, with everything that makes a long sync survive."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        sleep: Callable[[float], None],
        check_interrupted: Callable[[], None] = lambda: None,
        etags: EtagCache | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        wait_headers: tuple[str, ...] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # Headers that say, in seconds, how long a 429 lasts when the source sends no Retry-After
        # (PagerDuty's `ratelimit-reset`, Opsgenie's `X-RateLimit-Period-In-Sec`).
        self.wait_headers = wait_headers
        self.sleep = sleep
        self.check_interrupted = check_interrupted
        self.etags = etags
        self.retry = retry or RetryPolicy()
        self.stats = RequestStats()
        self.clock = clock
        # `core` is the REST budget (requests); `graphql` the GraphQL one (points).
        self.budgets: dict[str, Budget] = {"core": Budget(), "graphql": Budget()}
        # Connectors may fetch one page's children from several threads; counters stay exact.
        self._lock = threading.Lock()
        self._client = httpx.Client(headers=dict(headers), timeout=timeout, transport=transport, follow_redirects=True)

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """An absolute URL for a path under the API root (absolute URLs pass through)."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + "/" + path.lstrip("/")
        if params:
            query = urlencode([(k, v) for k, v in params.items() if v is not None])
            url += ("&" if "?" in url else "?") + query
        return url

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, conditional: bool = False) -> Page:
        """GET a page; with `conditional`, a stored ETag is sent so an unchanged page answers 304."""
        return self._request("GET", self.url(path, params), conditional=conditional)

    def post(self, path: str, body: Any) -> Page:
        """POST a JSON body."""
        return self._request("POST", self.url(path), body=body)

    def graphql(
        self, url: str, query: str, variables: Mapping[str, Any], page_sizes: tuple[str, ...] = ("first", "nested")
    ) -> GraphQLAnswer:
        """POST a GraphQL query to `url`, waiting out spent points and `RATE_LIMITED` errors.

        A 502 (GitHub's answer to a query that timed out) is retried with the largest of the `page_sizes`
        variables halved, so the answer's `variables` say which page sizes were finally used. Other errors
        come back in `errors` next to whatever partial `data` the source answered.
        """
        sent: dict[str, Any] = dict(variables)
        body: dict[str, Any] = {"query": query, "variables": sent}
        limited = 0
        while True:
            try:
                shrink = _shrink(sent, page_sizes)
                page = self._request("POST", url, body=body, resource="graphql", before_retry=shrink)
            except SourceError as exc:
                if exc.status in (401, 403, 404):
                    raise GraphQLUnavailable(exc.status, url, str(exc)) from exc
                raise
            payload: dict[str, Any] = page.data if isinstance(page.data, dict) else {}
            data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
            errors = [e for e in payload.get("errors") or [] if isinstance(e, dict)]
            rate: dict[str, Any] = data["rateLimit"] if isinstance(data.get("rateLimit"), dict) else {}
            cost = int(rate.get("cost") or 0)
            with self._lock:
                self.stats.graphql_requests += 1
                self.stats.points += cost
            if isinstance(rate.get("remaining"), int):
                budget = self.budgets["graphql"]
                self.stats.points_remaining = rate["remaining"]
                # Too few points for another query like this one count as none: the next call waits for resetAt.
                budget.remaining = rate["remaining"] if rate["remaining"] >= max(cost, 1) else 0
                budget.reset = _parse_reset(rate.get("resetAt"), self.clock()) or budget.reset
            if not any(e.get("type") == "RATE_LIMITED" for e in errors):
                return GraphQLAnswer(data, errors, cost, dict(sent))
            limited += 1
            if limited > self.retry.max_rate_limit_waits:
                raise SourceError(200, url, "GraphQL rate limited too many times in a row")
            budget = self.budgets["graphql"]
            wait = min(MAX_RESET_WAIT, budget.reset - self.clock() + 0.5) if budget.reset else 60.0
            budget.remaining = None  # this wait is the one for the reset
            self.stats.rate_limit_waits += 1
            log.info("source_rate_limited", url=url, status=200, wait_seconds=round(max(wait, 0.05), 2))
            self.sleep(max(wait, 0.05))

    def _request(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        conditional: bool = False,
        resource: str = "core",
        before_retry: Callable[[int], None] | None = None,
    ) -> Page:
        attempt = 0
        limit_waits = 0
        while True:
            self.check_interrupted()
            self._wait_for_budget(resource)
            headers: dict[str, str] = {}
            cached = self.etags.get(url) if (conditional and self.etags) else None
            if cached:
                headers["If-None-Match"] = cached[0]
            try:
                response = self._client.request(method, url, json=body, headers=headers)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                attempt += 1
                self._retry_or_raise(attempt, url, f"{type(exc).__name__}: {exc}")
                continue
            with self._lock:
                self.stats.requests += 1
                self.stats.by_status[response.status_code] = self.stats.by_status.get(response.status_code, 0) + 1
            self._account(response)
            status = response.status_code
            if status == 304 and cached:
                with self._lock:
                    self.stats.not_modified += 1
                return Page(304, url, response.headers, None, True, cached[1])
            wait = self._limit_wait(response)
            if wait is not None:
                limit_waits += 1
                if limit_waits > self.retry.max_rate_limit_waits:
                    raise SourceError(status, url, "rate limited too many times in a row")
                self.stats.rate_limit_waits += 1
                log.info("source_rate_limited", url=url, status=status, wait_seconds=round(wait, 2))
                self.sleep(wait)
                continue
            if status in RETRY_STATUSES:
                attempt += 1
                self._retry_or_raise(attempt, url, f"HTTP {status}")
                if before_retry is not None:
                    before_retry(status)
                continue
            if status >= 400:
                raise SourceError(status, url, _error_text(response))
            try:
                data = response.json() if response.content else None
            except ValueError:
                # A truncated body is a transport fault in disguise.
                attempt += 1
                self._retry_or_raise(attempt, url, "invalid JSON body")
                continue
            link = response.headers.get("link")
            etag = response.headers.get("etag")
            if conditional and self.etags is not None and etag:
                self.etags.put(url, etag, link)
            return Page(status, url, response.headers, data, False, link)

    def _retry_or_raise(self, attempt: int, url: str, reason: str) -> None:
        if attempt >= self.retry.max_attempts:
            raise SourceUnavailable(f"{url} failed {attempt} times; last: {reason}")
        with self._lock:
            self.stats.retries += 1
        wait = self.retry.backoff(attempt)
        log.info("source_retry", url=url, reason=reason, attempt=attempt, wait_seconds=round(wait, 2))
        self.sleep(wait)

    def _account(self, response: httpx.Response) -> None:
        # GitHub and Jira say `X-RateLimit-*`; GitLab says `RateLimit-*` (same meaning, reset in epoch seconds).
        remaining = _header(response, "x-ratelimit-remaining", "ratelimit-remaining")
        reset = _header(response, "x-ratelimit-reset", "ratelimit-reset")
        if remaining is not None and remaining.strip().lstrip("-").isdigit():
            # GitHub names the budget an answer counted against; GraphQL's is in points, not requests.
            resource = "graphql" if response.headers.get("x-ratelimit-resource") == "graphql" else "core"
            budget = self.budgets[resource]
            budget.remaining = int(remaining)
            budget.reset = _parse_reset(reset, self.clock())
            if resource == "graphql":
                self.stats.points_remaining = budget.remaining
            else:
                self.stats.requests_remaining = budget.remaining

    def _wait_for_budget(self, resource: str = "core") -> None:
        """Pause until the window resets when the last answer said nothing is left of the budget."""
        budget = self.budgets[resource]
        if budget.remaining is None or budget.remaining > 0 or budget.reset is None:
            return
        wait = min(MAX_RESET_WAIT, max(0.0, budget.reset - self.clock()) + 0.5)
        budget.remaining = None
        if wait > 0:
            self.stats.rate_limit_waits += 1
            log.info("source_budget_exhausted", wait_seconds=round(wait, 2))
            self.sleep(wait)

    def _limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait when the answer is a primary or secondary rate limit, else None."""
        status = response.status_code
        if status not in (403, 429):
            return None
        retry_after = response.headers.get("retry-after")
        if retry_after is not None:
            seconds = _parse_retry_after(retry_after, self.clock())
            if seconds is not None:
                return max(seconds, 0.05)
        if status == 429:
            for name in self.wait_headers:
                value = response.headers.get(name, "").strip()
                if value.replace(".", "", 1).isdigit():
                    return max(float(value), 0.05)
        budget = self.budgets["graphql" if response.headers.get("x-ratelimit-resource") == "graphql" else "core"]
        if _header(response, "x-ratelimit-remaining", "ratelimit-remaining") == "0" and budget.reset is not None:
            budget.remaining = None
            return min(MAX_RESET_WAIT, max(0.0, budget.reset - self.clock()) + 0.5)
        if status == 429:
            return 60.0
        text = response.text.lower()
        if "rate limit" in text:
            # Secondary limit without Retry-After: GitHub says wait at least a minute.
            return 60.0
        return None


class SourceUnavailable(Exception):
    """Retries ran out on transient failures; the job machinery may retry the whole run later."""


def _shrink(variables: dict[str, Any], page_sizes: tuple[str, ...]) -> Callable[[int], None]:
    """A retry hook that halves the query's largest page-size variable on a 502."""

    def shrink(status: int) -> None:
        sizes = {name: variables[name] for name in page_sizes if isinstance(variables.get(name), int)}
        if status != 502 or not sizes or max(sizes.values()) <= 1:
            return
        name = max(sizes, key=lambda n: sizes[n])
        variables[name] = sizes[name] // 2
        log.info("graphql_page_shrunk", variable=name, size=variables[name])

    return shrink


def _header(response: httpx.Response, *names: str) -> str | None:
    """The first of `names` the response carries."""
    for name in names:
        value = response.headers.get(name)
        if value is not None:
            return value
    return None


def _parse_reset(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).timestamp()
    except ValueError:
        return None


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - now


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        if "message" in body:
            return str(body["message"])[:300]
        if body.get("errorMessages"):
            return "; ".join(map(str, body["errorMessages"]))[:300]
    return str(body)[:300]
