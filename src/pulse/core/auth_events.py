"""The contract between the Backend's revocation events and the ETL Service's token cache.

The Backend sends `NOTIFY pulse_auth_events, '<json>'` in the same transaction that revokes or changes
access; the ETL Service LISTENs and evicts matching cache entries. Payloads never carry a token.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

CHANNEL = "pulse_auth_events"

EventKind = Literal["sessions_revoked", "user_changed", "client_changed"]


@dataclass(frozen=True)
class AuthEvent:
    """What changed: specific sessions, everything of one user, or everything of one tenant."""

    kind: EventKind
    session_ids: list[str] = field(default_factory=list)
    user_id: int | None = None
    client_id: int | None = None

    def covers(self, *, session_id: str, user_id: int, client_id: int) -> bool:
        """Whether a cached answer about this session, user and tenant is stale after this event."""
        if session_id in self.session_ids:
            return True
        if self.kind == "user_changed":
            return user_id == self.user_id
        if self.kind == "client_changed":
            return client_id == self.client_id
        return False

    def to_payload(self) -> str:
        """JSON for NOTIFY (PostgreSQL caps payloads at 8000 bytes; callers batch session ids)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_payload(cls, payload: str) -> AuthEvent:
        """Parse a NOTIFY payload; raises ValueError on anything malformed."""
        data = json.loads(payload)
        if not isinstance(data, dict) or data.get("kind") not in ("sessions_revoked", "user_changed", "client_changed"):
            raise ValueError("not an auth event")
        return cls(
            kind=data["kind"],
            session_ids=[str(s) for s in data.get("session_ids") or []],
            user_id=data.get("user_id"),
            client_id=data.get("client_id"),
        )
