"""The job-run state machine: the one place that says which transitions are legal."""

from __future__ import annotations

from pulse.core.errors import Conflict

PENDING, RUNNING, PAUSED, FINISHED, FAILED, CANCELLED = (
    "PENDING",
    "RUNNING",
    "PAUSED",
    "FINISHED",
    "FAILED",
    "CANCELLED",
)

# DESIGN.md: PENDING → RUNNING → FINISHED | FAILED; RUNNING → PAUSED → RUNNING; * → CANCELLED;
# FAILED → PENDING (retry with back-off). Terminal states have no way out.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({RUNNING, CANCELLED}),
    RUNNING: frozenset({FINISHED, FAILED, PAUSED, CANCELLED}),
    PAUSED: frozenset({RUNNING, CANCELLED}),
    FAILED: frozenset({PENDING}),
    FINISHED: frozenset(),
    CANCELLED: frozenset(),
}
LIVE = frozenset({PENDING, RUNNING, PAUSED})
TERMINAL = frozenset({FINISHED, FAILED, CANCELLED})


def can_move(current: str, target: str) -> bool:
    """Whether `current → target` is a legal transition."""
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    """Raise Conflict unless `current → target` is legal."""
    if not can_move(current, target):
        raise Conflict(f"a {current} job cannot become {target}")
