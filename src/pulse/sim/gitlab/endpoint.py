"""GitLab's side of the request pipeline: token auth, `RateLimit-*` headers, 429 with Retry-After, ETags."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from pulse.sim.endpoint import GITHUB_DOCS, Endpoint, json_bytes
from pulse.sim.ratelimit import Quota, RateLimiter

GITLAB_DOCS = "https://docs.gitlab.com/ee/api/rest/"


def gitlab_error(status: int, message: str) -> dict[str, Any]:
    """GitLab's error body: `{"message": "404 Project Not Found"}`."""
    return {"message": message if message[:3].isdigit() else f"{status} {message}"}


class GitLabEndpoint(Endpoint):
    """The shared pipeline (latency, faults, stats) with GitLab's authentication, limits and error bodies."""

    def limiter(self) -> RateLimiter:
        return self.state.gitlab_limits

    def _sends_etags(self) -> bool:
        # GitLab answers GETs with a (weak) ETag and honours If-None-Match with 304.
        return True

    def _error_body(self, status: int, message: str, docs: str = GITHUB_DOCS) -> Any:
        return gitlab_error(status, message)

    def _authenticate(self, request: Request) -> tuple[str, str] | None:
        """`PRIVATE-TOKEN: <token>` or `Authorization: Bearer <token>` (personal, group or OAuth tokens)."""
        tokens = self.state.config.gitlab_tokens
        token = request.headers.get("private-token", "").strip()
        if not token:
            scheme, _, value = request.headers.get("authorization", "").partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else ""
        if token and token in tokens:
            return token, tokens[token]
        return None

    def _quota_headers(self, quota: Quota) -> dict[str, str]:
        reset = datetime.fromtimestamp(quota.reset, UTC)
        return {
            "RateLimit-Limit": str(quota.limit),
            "RateLimit-Observed": str(quota.used),
            "RateLimit-Remaining": str(quota.remaining),
            "RateLimit-Reset": str(quota.reset),
            "RateLimit-ResetTime": reset.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        }

    def _secondary(self, quota: Quota) -> tuple[int, bytes, dict[str, str]]:
        """A burst limit (GitLab's protected-path and per-endpoint throttles answer 429 with Retry-After)."""
        self.state.stats.record(api=self.api, route=self.route, status=429, charged_to=None)
        retry = str(self.state.knobs.secondary_retry_after)
        return 429, b"Retry later\n", {"content-type": "text/plain", "Retry-After": retry, **self._quota_headers(quota)}

    def _exhausted(
        self, key: str, identity: str, quota: Quota, limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str]]:
        self.state.stats.record(api=self.api, route=self.route, status=429, charged_to=None)
        wait = str(limiter.seconds_to_reset(key))
        return 429, b"Retry later\n", {"content-type": "text/plain", "Retry-After": wait, **self._quota_headers(quota)}

    async def _answer(self, request: Request, fault: Any) -> tuple[int, bytes | None, dict[str, str]]:
        status, body, headers = await super()._answer(request, fault)
        if status == 401:
            body = json_bytes(gitlab_error(401, "Unauthorized"))
            headers = {}
        elif "ETag" in headers:
            headers["ETag"] = "W/" + headers["ETag"]
        return status, body, headers
