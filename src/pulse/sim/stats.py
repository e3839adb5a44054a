"""Request accounting exposed at `/_sim/stats`."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


class Stats:
    """Counts requests by route template, status, API and fault; GraphQL queries and points on their own."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every count."""
        self.requests = 0
        self.by_route: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.by_status: Counter[str] = Counter()
        self.by_api: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.charged: Counter[str] = Counter()
        self.not_modified = 0
        self.graphql_points: Counter[str] = Counter()
        self.graphql_nodes = 0

    def record(self, *, api: str, route: str, status: int, charged_to: str | None) -> None:
        """Count one answered request."""
        self.requests += 1
        self.by_route[route][str(status)] += 1
        self.by_status[str(status)] += 1
        self.by_api[api] += 1
        if status == 304:
            self.not_modified += 1
        if charged_to:
            self.charged[charged_to] += 1

    def spend_points(self, token: str, points: int, nodes: int) -> None:
        """Count the rate-limit points (and possible nodes) one executed GraphQL query cost."""
        self.graphql_points[token] += points
        self.graphql_nodes += nodes

    def fault(self, kind: str) -> None:
        """Count one injected fault."""
        self.faults[kind] += 1

    def snapshot(self, rate_limit_used: dict[str, int], graphql_used: dict[str, int] | None = None) -> dict[str, Any]:
        """JSON view of the counters (`requests` counts every API; `by_api` splits github/graphql/jira)."""
        return {
            "requests": self.requests,
            "by_route": {route: dict(counts) for route, counts in sorted(self.by_route.items())},
            "by_status": dict(self.by_status),
            "by_api": dict(self.by_api),
            "not_modified": self.not_modified,
            "faults": dict(self.faults),
            "charged": dict(self.charged),
            "rate_limit_used": rate_limit_used,
            "graphql": {
                "requests": self.by_api.get("graphql", 0),
                "points": sum(self.graphql_points.values()),
                "points_by_token": dict(self.graphql_points),
                "nodes": self.graphql_nodes,
                "rate_limit_used": graphql_used or {},
            },
        }
