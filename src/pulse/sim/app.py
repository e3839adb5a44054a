"""The simulator's ASGI application: GitHub, Jira, PagerDuty and Opsgenie APIs plus `/_sim` control routes."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

from pulse.sim.config import SimConfig
from pulse.sim.control import control_routes
from pulse.sim.dataset import Dataset, generate_dataset
from pulse.sim.endpoint import SimState, github_error, jira_error
from pulse.sim.faults import RAW_SEND
from pulse.sim.github_graphql import graphql_routes
from pulse.sim.github_routes import github_routes
from pulse.sim.gitlab.endpoint import gitlab_error
from pulse.sim.gitlab.routes import PREFIX as GITLAB_PREFIX
from pulse.sim.gitlab.routes import gitlab_routes
from pulse.sim.gitlab.world import generate_gitlab_dataset
from pulse.sim.jira_routes import jira_routes
from pulse.sim.opsgenie_routes import opsgenie_routes
from pulse.sim.pagerduty_routes import pagerduty_routes


class SimApp:
    """ASGI callable around the Starlette app; keeps the server's own `send` so faults can drop sockets."""

    def __init__(self, state: SimState, app: Starlette) -> None:
        self.state = state
        self.app = app

    @property
    def dataset(self) -> Dataset:
        """The live dataset (ground truth for tests)."""
        return self.state.dataset

    @property
    def gitlab_dataset(self) -> Dataset:
        """The GitLab group's live dataset (ground truth for tests)."""
        assert self.state.gitlab_dataset is not None
        return self.state.gitlab_dataset

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "http":
            scope[RAW_SEND] = send
        await self.app(scope, receive, send)


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/rest/"):
        return JSONResponse(jira_error("Not found"), status_code=404)
    if request.url.path.startswith(GITLAB_PREFIX):
        return JSONResponse(gitlab_error(404, "404 Not Found"), status_code=404)
    return JSONResponse(github_error(404, "Not Found"), status_code=404)


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse(github_error(405, "Method Not Allowed"), status_code=405)


def create_app(config: SimConfig | None = None, dataset: Dataset | None = None) -> SimApp:
    """Build the simulator for `config` (generating its dataset unless one is given)."""
    config = config or SimConfig()
    state = SimState(config, dataset or generate_dataset(config.dataset), generate_gitlab_dataset(config.dataset))
    github = github_routes(state)
    routes = [
        *control_routes(state),
        *jira_routes(state),
        *graphql_routes(state),
        Mount("/api/v3", routes=github),
        Mount(GITLAB_PREFIX, routes=gitlab_routes(state)),
        *github,
    ]
    routes += [*pagerduty_routes(state), *opsgenie_routes(state)]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _method_not_allowed})
    return SimApp(state, app)
