"""Services and incidents of the simulated incident tools (PagerDuty, Opsgenie), derived from the dataset.

Nothing here is stored: every service and incident is a pure function of the dataset (its seed, repositories,
production deployments and clock), recomputed after each `touch`. So `/_sim/advance` adds incidents (new
deployments, a later clock) and resolutions (a planned resolution time passes) without any extra state, and
two simulators with the same spec serve the same incidents.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pulse.sim.gen_base import secs, sha_of
from pulse.sim.gen_github import successful_production
from pulse.sim.store import Dataset

Tool = Literal["pagerduty", "opsgenie"]
TOOLS: tuple[Tool, ...] = ("pagerduty", "opsgenie")
# Share of successful production deployments followed by an incident, per tool (different, so a tenant using
# both sees two different incident streams).
INCIDENT_RATE = {"pagerduty": 0.18, "opsgenie": 0.12}
UNMAPPED_SERVICE = "Office IT"
UNMAPPED_EVERY_DAYS = 23


@dataclass(frozen=True, slots=True)
class ToolService:
    """A service of an incident tool: one per repository, plus one that maps to no repository."""

    id: str
    name: str
    repo: str | None
    team: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ToolIncident:
    """One incident; `resolved_at` is when it resolves, which may still lie after the dataset's clock."""

    tool: Tool
    id: str
    number: int
    title: str
    service: ToolService
    opened_at: datetime
    acknowledged_at: datetime
    resolved_at: datetime
    urgency: str
    priority: str
    deployment_id: int | None

    def resolved(self, now: datetime) -> bool:
        """Whether the incident is resolved at `now`."""
        return self.resolved_at <= now

    def updated_at(self, now: datetime) -> datetime:
        """Its last change as seen at `now`."""
        if self.resolved(now):
            return self.resolved_at
        return self.acknowledged_at if self.acknowledged_at <= now else self.opened_at


def _uuid(*parts: object) -> str:
    h = sha_of(*parts)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def services(ds: Dataset, tool: Tool) -> list[ToolService]:
    """The tool's services: one per repository (named like it), then the unmapped one."""

    def build() -> list[ToolService]:
        start = ds.spec.anchor - timedelta(days=ds.spec.history_days)
        out = []
        for repo in ds.repositories:
            out.append(ToolService(_service_id(ds, tool, repo.name), repo.name, repo.full_name, repo.team, start))
        out.append(ToolService(_service_id(ds, tool, UNMAPPED_SERVICE), UNMAPPED_SERVICE, None, None, start))
        return out

    result: list[ToolService] = ds.cached(("tool_services", tool), build)
    return result


def _service_id(ds: Dataset, tool: Tool, name: str) -> str:
    if tool == "pagerduty":
        return "P" + sha_of("pd-service", ds.spec.seed, name)[:6].upper()
    return _uuid("og-service", ds.spec.seed, name)


def incidents(ds: Dataset, tool: Tool) -> list[ToolIncident]:
    """The incidents opened by the dataset's clock, oldest first, numbered in that order."""
    result: list[ToolIncident] = ds.cached(("tool_incidents", tool), lambda: _build(ds, tool))
    return result


def _build(ds: Dataset, tool: Tool) -> list[ToolIncident]:
    drafts: list[tuple[datetime, str, ToolService, str]] = []
    by_repo = {s.repo: s for s in services(ds, tool) if s.repo}
    for repo in ds.repositories:
        service = by_repo[repo.full_name]
        for dep in successful_production(repo.deployments):
            rng = random.Random(f"{tool}:{ds.spec.seed}:{dep.id}")
            if rng.random() >= INCIDENT_RATE[tool]:
                continue
            opened = secs(dep.finished_at or dep.created_at, rng.uniform(0.1, 6.0) * 3600)
            drafts.append((opened, f"{tool}:{dep.id}", service, f"{repo.name}: errors after {dep.sha[:7]}"))
    unmapped = services(ds, tool)[-1]
    moment = unmapped.created_at + timedelta(days=3)
    while moment <= ds.now:
        drafts.append((moment, f"{tool}:it:{moment.isoformat()}", unmapped, "VPN outage in the office"))
        moment += timedelta(days=UNMAPPED_EVERY_DAYS)
    visible = sorted((d for d in drafts if d[0] <= ds.now), key=lambda d: (d[0], d[1]))
    out = []
    for number, (opened, seed, service, title) in enumerate(visible, start=1):
        rng = random.Random(seed)
        acknowledged = secs(opened, rng.uniform(60, 1800))
        resolved = secs(acknowledged, rng.uniform(0.25, 30.0) * 3600)
        priority = rng.choice(["P1", "P2", "P3", "P3", "P4"])
        ident = "Q" + sha_of(seed)[:13].upper() if tool == "pagerduty" else _uuid(seed)
        out.append(
            ToolIncident(
                tool=tool,
                id=ident,
                number=number,
                title=title,
                service=service,
                opened_at=opened,
                acknowledged_at=acknowledged,
                resolved_at=resolved,
                urgency="high" if priority in ("P1", "P2") else "low",
                priority=priority,
                deployment_id=_attributed(ds, service, opened),
            )
        )
    return out


def _attributed(ds: Dataset, service: ToolService, opened: datetime) -> int | None:
    """Ground truth: the latest successful production deployment of the service's repository before it opened."""
    repo = ds.repository(service.repo) if service.repo else None
    if repo is None:
        return None
    deps = successful_production(repo.deployments)
    index = bisect_right([d.finished_at or d.created_at for d in deps], opened) - 1
    # A deployment finishing at the very second the incident opens is not "before" it.
    while index >= 0 and (deps[index].finished_at or deps[index].created_at) >= opened:
        index -= 1
    return deps[index].id if index >= 0 else None
