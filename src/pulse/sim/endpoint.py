"""The request pipeline every API route goes through: latency, faults, auth, limits, ETag, accounting."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.datastructures import QueryParams
from starlette.requests import Request

from pulse.sim.config import SimConfig
from pulse.sim.dataset import Dataset
from pulse.sim.faults import Fault, FaultInjector, GraphQLFaults, drop_connection
from pulse.sim.paging import PageRequest, link_header, slice_page
from pulse.sim.ratelimit import Quota, RateLimiter
from pulse.sim.stats import Stats

Api = Literal["github", "graphql", "jira", "gitlab", "pagerduty", "opsgenie"]
GITHUB_DOCS = "https://docs.github.com/rest"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


class ApiError(Exception):
    """An error answer a handler wants to give (404, 400, 410, ...)."""

    def __init__(self, status: int, message: str, documentation_url: str = GITHUB_DOCS) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.documentation_url = documentation_url


@dataclass(slots=True)
class Reply:
    """A handler's answer before serialisation."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class SimState:
    """Mutable simulator state shared by all routes."""

    def __init__(self, config: SimConfig, dataset: Dataset, gitlab_dataset: Dataset | None = None) -> None:
        self.config = config
        self.dataset = dataset
        # The GitLab group: an organisation of its own (another seed), served under `/gitlab/api/v4`.
        self.gitlab_dataset = gitlab_dataset
        self.knobs = config.knobs
        self.faults = FaultInjector(config.knobs)
        self.github_limits = RateLimiter(config.knobs.rate_limit)
        self.jira_limits = RateLimiter(config.knobs.jira_rate_limit)
        self.graphql_limits = RateLimiter(config.knobs.graphql.rate_limit)
        self.graphql_faults = GraphQLFaults()
        self.graphql_faults.arm(config.knobs.graphql.model_dump())
        self.incident_limits = RateLimiter(config.knobs.incident_rate_limit)
        self.gitlab_limits = RateLimiter(config.knobs.gitlab_rate_limit)
        self.stats = Stats()
        self.served = 0

    def github_login(self, token: str) -> str:
        """The login behind a configured GitHub token."""
        return self.config.github_tokens[token]


@dataclass(slots=True)
class Ctx:
    """What a handler gets: the request, the state and derived URLs."""

    request: Request
    state: SimState
    identity: str
    body: Any = None

    @property
    def ds(self) -> Dataset:
        """The dataset."""
        return self.state.dataset

    @property
    def params(self) -> dict[str, Any]:
        """Path parameters."""
        return self.request.path_params

    @property
    def query(self) -> QueryParams:
        """Query parameters."""
        return self.request.query_params

    @property
    def site_root(self) -> str:
        """Scheme and host the client used."""
        host = self.request.headers.get("host") or "localhost"
        return f"{self.request.url.scheme}://{host}"

    @property
    def api_root(self) -> str:
        """GitHub API root as the client addressed it (with `/api/v3` for Enterprise)."""
        raw_path: bytes = self.request.scope.get("raw_path") or self.request.url.path.encode()
        prefix = "/api/v3" if raw_path.startswith(b"/api/v3/") or raw_path == b"/api/v3" else ""
        return self.site_root + prefix

    def paged(self, items: Sequence[Any], req: PageRequest, render: Callable[[Any], Any]) -> Reply:
        """One GitHub page of `items` with its `Link` header."""
        reply = Reply([render(item) for item in slice_page(items, req)])
        link = self.link(req, len(items))
        if link:
            reply.headers["Link"] = link
        return reply

    def link(self, req: PageRequest, total: int) -> str | None:
        """The `Link` header for a page of `total` items."""
        raw_path: bytes = self.request.scope.get("raw_path") or self.request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        return link_header(self.site_root + path, self.query.multi_items(), req, total)


Handler = Callable[[Ctx], Reply]


def json_bytes(value: Any) -> bytes:
    """Compact JSON like the real APIs send."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def github_error(status: int, message: str, documentation_url: str = GITHUB_DOCS) -> dict[str, Any]:
    """GitHub's error body."""
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


def jira_error(message: str) -> dict[str, Any]:
    """Jira's error body."""
    return {"errorMessages": [message], "errors": {}}


class Endpoint:
    """An ASGI endpoint wrapping one handler in the simulator's pipeline."""

    def __init__(
        self, state: SimState, api: Api, method: str, template: str, handler: Handler, *, charge: bool = True
    ) -> None:
        self.state = state
        self.api = api
        self.route = f"{method} {template}"
        self.handler = handler
        self.charge = charge

    @property
    def is_github(self) -> bool:
        """GitHub's REST and GraphQL APIs share credentials, the rate-limit headers and the error shape."""
        return self.api in ("github", "graphql")

    def limiter(self) -> RateLimiter:
        """The rate limiter this API's credentials are counted in."""
        return self.state.github_limits if self.is_github else self.state.jira_limits

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer one request."""
        state = self.state
        request = Request(scope, receive)
        await state.faults.delay()
        fault = state.faults.decide()
        if fault is Fault.DROP:
            state.stats.fault("drop")
            state.stats.record(api=self.api, route=self.route, status=0, charged_to=None)
            await drop_connection(scope, send)
            return
        status, body, headers = await self._answer(request, fault)
        await self._send(send, status, body, headers)

    async def _answer(self, request: Request, fault: Fault) -> tuple[int, bytes | None, dict[str, str]]:
        state = self.state
        if fault in (Fault.ERROR_500, Fault.ERROR_502):
            return self._server_error(fault)
        credential = self._authenticate(request)
        if credential is None:
            return self._unauthorized()
        key, identity = credential
        limiter = self.limiter()
        quota = limiter.peek(key)
        if fault is Fault.SECONDARY:
            state.stats.fault("secondary")
            return self._secondary(quota)
        if quota.exhausted and self.charge:
            state.stats.fault("rate_limited")
            return self._exhausted(key, identity, quota, limiter)
        ctx = Ctx(request, state, identity)
        if request.method == "POST":
            try:
                ctx.body = json.loads(await request.body() or b"{}")
            except ValueError:
                return self._fail(400, "Invalid JSON body", quota)
        try:
            reply = self.handler(ctx)
        except ApiError as exc:
            # GitHub counts error answers against the budget too.
            charged = limiter.charge(key) if self.charge else quota
            return self._fail(exc.status, exc.message, charged, exc.documentation_url, key if self.charge else None)
        payload = json_bytes(reply.body)
        headers = {"content-type": "application/json; charset=utf-8", **reply.headers}
        if self._sends_etags() and request.method == "GET":
            etag = '"' + hashlib.sha256(payload + headers.get("Link", "").encode()).hexdigest()[:40] + '"'
            headers["ETag"] = etag
            if _etag_matches(request.headers.get("if-none-match"), etag):
                # A conditional hit costs nothing, as on GitHub.
                state.stats.record(api=self.api, route=self.route, status=304, charged_to=None)
                return 304, None, {"ETag": etag, **self._quota_headers(quota)}
        if self.charge:
            quota = limiter.charge(key)
        headers.update(self._quota_headers(quota))
        state.stats.record(api=self.api, route=self.route, status=reply.status, charged_to=key if self.charge else None)
        return reply.status, payload, headers

    def _sends_etags(self) -> bool:
        """Whether GET answers carry an ETag and honour If-None-Match."""
        return self.is_github

    def _error_body(self, status: int, message: str, docs: str = GITHUB_DOCS) -> Any:
        """The API's error body."""
        if self.is_github:
            return github_error(status, message, docs)
        return jira_error("Internal error" if status == 500 else message)

    def _server_error(self, fault: Fault) -> tuple[int, bytes, dict[str, str]]:
        """An injected 500 (JSON) or 502 (a proxy's HTML page, as GitHub's edge sends)."""
        self.state.stats.fault(fault.value)
        code = 502 if fault is Fault.ERROR_502 else 500
        self.state.stats.record(api=self.api, route=self.route, status=code, charged_to=None)
        if fault is Fault.ERROR_502:
            return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {"content-type": "text/html"}
        return 500, json_bytes(self._error_body(500, "Server Error")), {}

    def _unauthorized(self) -> tuple[int, bytes, dict[str, str]]:
        """401 in the API's own words."""
        self.state.stats.record(api=self.api, route=self.route, status=401, charged_to=None)
        if self.is_github:
            return 401, json_bytes(github_error(401, "Bad credentials")), {}
        message = "Client must be authenticated to access this resource."
        return 401, json_bytes(jira_error(message)), {"WWW-Authenticate": 'Basic realm="protected-area"'}

    def _authenticate(self, request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        config = self.state.config
        if self.is_github:
            if scheme.lower() in ("bearer", "token") and value in config.github_tokens:
                return value, config.github_tokens[value]
            return None
        if scheme.lower() != "basic":
            return None
        try:
            email, _, token = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if config.jira_accounts.get(email) == token and token:
            return email, email
        return None

    def _quota_headers(self, quota: Quota) -> dict[str, str]:
        if not self.is_github:
            return {}
        return {
            "X-RateLimit-Limit": str(quota.limit),
            "X-RateLimit-Remaining": str(quota.remaining),
            "X-RateLimit-Reset": str(quota.reset),
            "X-RateLimit-Used": str(quota.used),
            "X-RateLimit-Resource": "graphql" if self.api == "graphql" else "core",
        }

    def _secondary(self, quota: Quota) -> tuple[int, bytes, dict[str, str]]:
        retry = str(self.state.knobs.secondary_retry_after)
        self.state.stats.record(api=self.api, route=self.route, status=self._secondary_status(), charged_to=None)
        if not self.is_github:
            headers = {"Retry-After": retry, "RateLimit-Reason": "jira-burst-based"}
            return 429, json_bytes(jira_error("Rate limit exceeded.")), headers
        message = (
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
            f"If you reach out to GitHub Support for help, please include the request ID {uuid.uuid4()}."
        )
        body = github_error(self._secondary_status(), message, RATE_DOCS + "#about-secondary-rate-limits")
        return self._secondary_status(), json_bytes(body), {"Retry-After": retry, **self._quota_headers(quota)}

    def _secondary_status(self) -> int:
        return self.state.config.secondary_status if self.is_github else 429

    def _exhausted(
        self, key: str, identity: str, quota: Quota, limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str]]:
        wait = str(limiter.seconds_to_reset(key))
        if not self.is_github:
            self.state.stats.record(api=self.api, route=self.route, status=429, charged_to=None)
            reset = datetime.fromtimestamp(quota.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            headers = {
                "Retry-After": wait,
                "X-RateLimit-Limit": str(quota.limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
                "RateLimit-Reason": "jira-quota-tenant-based",
            }
            return 429, json_bytes(jira_error("Rate limit exceeded.")), headers
        self.state.stats.record(api=self.api, route=self.route, status=403, charged_to=None)
        message = (
            f"API rate limit exceeded for user {identity}. If you reach out to GitHub Support for help, "
            f"please include the request ID {uuid.uuid4()}."
        )
        body = github_error(403, message, RATE_DOCS + "#about-primary-rate-limits")
        return 403, json_bytes(body), self._quota_headers(quota)

    def _fail(
        self, status: int, message: str, quota: Quota, docs: str = GITHUB_DOCS, charged_to: str | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        self.state.stats.record(api=self.api, route=self.route, status=status, charged_to=charged_to)
        return status, json_bytes(self._error_body(status, message, docs)), self._quota_headers(quota)

    async def _send(self, send: Any, status: int, body: bytes | None, headers: dict[str, str]) -> None:
        raw = [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
        if body is not None:
            if not any(k == b"content-type" for k, _ in raw):
                raw.append((b"content-type", b"application/json; charset=utf-8"))
            raw.append((b"content-length", str(len(body)).encode()))
        if self.is_github:
            self.state.served += 1
            raw.append((b"x-github-request-id", f"5E1A:{self.state.served:06X}:{id(self) % 65536:04X}".encode()))
            media = b"github.v4; format=json" if self.api == "graphql" else b"github.v3; format=json"
            raw.append((b"x-github-media-type", media))
            if status == 200:
                raw.append((b"cache-control", b"private, max-age=60, s-maxage=60"))
                raw.append((b"vary", b"Accept, Authorization, Cookie, X-GitHub-OTP"))
            raw.append((b"x-github-api-version-selected", b"2022-11-28"))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body or b""})


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags
