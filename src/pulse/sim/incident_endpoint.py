"""The request pipeline for the incident tools: the shared one, with each tool's auth, errors and rate limits.

PagerDuty: `Authorization: Token token=<key>`; errors `{"error": {"message", "code", "errors"}}`; a spent
budget answers 429 with `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (seconds until the
window renews). Opsgenie: `Authorization: GenieKey <key>`; errors `{"message", "took", "requestId"}`; a spent
budget answers 429 with `X-RateLimit-State: THROTTLED`, `X-RateLimit-Reason` and `X-RateLimit-Period-In-Sec`.
Faults (errors, dropped connections, latency, the "secondary" limit as a 429) come from the shared knobs.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request

from pulse.sim.endpoint import GITHUB_DOCS, Endpoint, json_bytes
from pulse.sim.faults import Fault
from pulse.sim.ratelimit import Quota, RateLimiter

PAGERDUTY_CODES = {400: 2001, 401: 2006, 404: 2100, 429: 2020}


def pagerduty_error(status: int, message: str) -> dict[str, Any]:
    """PagerDuty's error body."""
    return {"error": {"message": message, "code": PAGERDUTY_CODES.get(status, 2000), "errors": [message]}}


def opsgenie_error(message: str) -> dict[str, Any]:
    """Opsgenie's error body."""
    return {"message": message, "took": 0.001, "requestId": str(uuid.uuid4())}


class IncidentToolEndpoint(Endpoint):
    """An Endpoint speaking PagerDuty's or Opsgenie's dialect."""

    def limiter(self) -> RateLimiter:
        """Both tools count in the incident-tool limiter (`incident_rate_limit` knob), per key."""
        return self.state.incident_limits

    def _error_body(self, status: int, message: str, docs: str = GITHUB_DOCS) -> Any:
        if self.api == "pagerduty":
            return pagerduty_error(status, message)
        return opsgenie_error(message)

    def _server_error(self, fault: Fault) -> tuple[int, bytes, dict[str, str]]:
        if fault is Fault.ERROR_502:
            return super()._server_error(fault)
        self.state.stats.fault(fault.value)
        self.state.stats.record(api=self.api, route=self.route, status=500, charged_to=None)
        return 500, json_bytes(self._error_body(500, "Internal Server Error")), {}

    def _quota_headers(self, quota: Quota) -> dict[str, str]:
        # Neither tool reports its budget on successful answers; only a 429 says how long to wait.
        return {}

    def _authenticate(self, request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        config = self.state.config
        if self.api == "pagerduty":
            scheme, _, rest = header.partition(" ")
            key = rest.strip().removeprefix("token=")
            if scheme == "Token" and rest.strip().startswith("token=") and key in config.pagerduty_tokens:
                return key, config.pagerduty_tokens[key]
            return None
        scheme, _, key = header.partition(" ")
        if scheme == "GenieKey" and key.strip() in config.opsgenie_keys:
            return key.strip(), config.opsgenie_keys[key.strip()]
        return None

    def _unauthorized(self) -> tuple[int, bytes, dict[str, str]]:
        self.state.stats.record(api=self.api, route=self.route, status=401, charged_to=None)
        if self.api == "pagerduty":
            return 401, json_bytes(pagerduty_error(401, "Authentication failed")), {}
        return 401, json_bytes(opsgenie_error("Could not authenticate")), {}

    def _limit_headers(self, wait: int, quota: Quota) -> dict[str, str]:
        if self.api == "pagerduty":
            return {
                "ratelimit-limit": str(quota.limit),
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(wait),
            }
        return {
            "X-RateLimit-State": "THROTTLED",
            "X-RateLimit-Reason": "INTEGRATION",
            "X-RateLimit-Period-In-Sec": str(wait),
        }

    def _secondary(self, quota: Quota) -> tuple[int, bytes, dict[str, str]]:
        self.state.stats.record(api=self.api, route=self.route, status=429, charged_to=None)
        headers = self._limit_headers(self.state.knobs.secondary_retry_after, quota)
        return 429, json_bytes(self._error_body(429, "Rate Limit Exceeded")), headers

    def _exhausted(
        self, key: str, identity: str, quota: Quota, limiter: RateLimiter
    ) -> tuple[int, bytes, dict[str, str]]:
        self.state.stats.record(api=self.api, route=self.route, status=429, charged_to=None)
        headers = self._limit_headers(limiter.seconds_to_reset(key), quota)
        return 429, json_bytes(self._error_body(429, "Rate Limit Exceeded")), headers

    def _fail(
        self, status: int, message: str, quota: Quota, docs: str = "", charged_to: str | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        self.state.stats.record(api=self.api, route=self.route, status=status, charged_to=charged_to)
        return status, json_bytes(self._error_body(status, message)), {}
