"""The simulator's own control routes under `/_sim`: knobs, data evolution and request statistics."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from pulse.sim.advance import advance
from pulse.sim.endpoint import SimState
from pulse.sim.gen_incident_tools import TOOLS
from pulse.sim.gen_incident_tools import incidents as tool_incidents
from pulse.sim.gitlab.world import advance_gitlab
from pulse.sim.model import PRODUCTION


def _knobs_view(state: SimState) -> dict[str, Any]:
    spec = state.dataset.spec
    knobs = state.knobs.model_dump()
    # The count-down faults show what is left, not what was asked for.
    knobs["graphql"].update(state.graphql_faults.left)
    return {
        **knobs,
        "dataset": {
            "seed": spec.seed,
            "anchor": spec.anchor.isoformat(),
            "org": spec.org,
            "repos": spec.repos,
            "teams": spec.teams,
            "prs_per_repo": spec.prs_per_repo,
            "work_items_per_project": spec.work_items_per_project,
            "now": state.dataset.now.isoformat(),
            "version": state.dataset.version,
        },
        "jira_time_zone": state.config.jira_time_zone,
    }


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def _advance_all(state: SimState, body: dict[str, Any]) -> dict[str, Any]:
    """One step of the organisation, and of the GitLab group under `gitlab`."""
    step = advance(state.dataset, **body).as_dict()
    if state.gitlab_dataset is not None:
        step["gitlab"] = advance_gitlab(state.gitlab_dataset, body)
    return step


def control_routes(state: SimState) -> list[BaseRoute]:
    """Starlette routes of `/_sim`."""

    async def get_config(request: Request) -> JSONResponse:
        """Current knobs and dataset facts."""
        return JSONResponse(_knobs_view(state))

    async def post_config(request: Request) -> JSONResponse:
        """Change knobs; `exhaust_rate_limit_now` uses up every credential's budgets (REST and GraphQL) at once."""
        try:
            patch = await _json(request)
            exhaust = bool(patch.pop("exhaust_rate_limit_now", False))
            knobs = state.knobs.merged(patch)
        except (ValueError, ValidationError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        state.knobs = knobs
        state.config.knobs = knobs
        state.faults.configure(knobs)
        state.github_limits.configure(knobs.rate_limit)
        state.jira_limits.configure(knobs.jira_rate_limit)
        state.graphql_limits.configure(knobs.graphql.rate_limit)
        state.graphql_faults.arm(patch.get("graphql", {}))
        state.incident_limits.configure(knobs.incident_rate_limit)
        state.gitlab_limits.configure(knobs.gitlab_rate_limit)
        if exhaust:
            for key in [*state.config.pagerduty_tokens, *state.config.opsgenie_keys]:
                state.incident_limits.exhaust(key)
            for token in state.config.github_tokens:
                state.github_limits.exhaust(token)
                state.graphql_limits.exhaust(token)
            for email in state.config.jira_accounts:
                state.jira_limits.exhaust(email)
            for token in state.config.gitlab_tokens:
                state.gitlab_limits.exhaust(token)
        return JSONResponse(_knobs_view(state))

    async def post_advance(request: Request) -> JSONResponse:
        """Evolve the data (`hours`, `steps`, `new_pulls_per_repo`, `new_work_items_per_project`)."""
        try:
            body = await _json(request)
            steps = int(body.pop("steps", 1))
            results = [_advance_all(state, body) for _ in range(max(1, steps))]
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse({"steps": results, "now": results[-1]["now"], "version": state.dataset.version})

    async def get_stats(request: Request) -> JSONResponse:
        """Request counts by route and status, 304s, faults and rate-limit use per credential."""
        used = {**state.github_limits.used(), **state.jira_limits.used(), **state.incident_limits.used(),
                **state.gitlab_limits.used()}  # fmt: skip
        return JSONResponse(state.stats.snapshot(used, state.graphql_limits.used()))

    async def reset_stats(request: Request) -> JSONResponse:
        """Zero the request counters."""
        state.stats.reset()
        return JSONResponse({"ok": True})

    async def summary(request: Request) -> JSONResponse:
        """Object counts, so a benchmark can report requests per pull request or work item."""
        ds = state.dataset
        repos = ds.repositories
        return JSONResponse(
            {
                "repositories": len(repos),
                "pull_requests": sum(len(r.pulls) for r in repos),
                "pull_request_commits": sum(len(p.commits) for r in repos for p in r.pulls),
                "reviews": sum(len(p.reviews) for r in repos for p in r.pulls),
                "review_comments": sum(len(p.comments) for r in repos for p in r.pulls),
                "main_commits": sum(len(r.main) for r in repos),
                "deployments": sum(len(r.deployments) for r in repos),
                "production_deployments": sum(1 for r in repos for d in r.deployments if d.environment == PRODUCTION),
                "releases": sum(len(r.releases) for r in repos),
                "workflow_runs": sum(len(r.workflow_runs) for r in repos),
                "issues": sum(len(r.issues) for r in repos),
                "incidents": len(ds.incidents()),
                **{f"{tool}_incidents": len(tool_incidents(ds, tool)) for tool in TOOLS},
                "projects": len(ds.projects),
                "work_items": len(ds.work_items),
                "changelog_histories": sum(len(w.histories) for w in ds.work_items),
                "now": ds.now.isoformat(),
            }
        )

    async def health(request: Request) -> JSONResponse:
        """Liveness for supervisors (`pulse up --demo` waits on it)."""
        return JSONResponse({"status": "ok", "version": state.dataset.version})

    return [
        Route("/_sim/health", health, methods=["GET"]),
        Route("/_sim/summary", summary, methods=["GET"]),
        Route("/_sim/config", get_config, methods=["GET"]),
        Route("/_sim/config", post_config, methods=["POST"]),
        Route("/_sim/advance", post_advance, methods=["POST"]),
        Route("/_sim/stats", get_stats, methods=["GET"]),
        Route("/_sim/reset-stats", reset_stats, methods=["POST"]),
    ]
