"""GitHub's GraphQL API (`POST /graphql`, Enterprise `POST /api/graphql`) over the live dataset.

Queries are parsed and validated by graphql-core against GitHub's published schema, then checked with
GitHub's own rules (pagination bounds, node limit), priced in GitHub's points, charged to the token's own
GraphQL budget and executed by the resolvers of `graphql_views`. Query errors answer HTTP 200 with GitHub's
`{"errors": [...]}` shape, as github.com does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeGuard

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from pulse.sim.endpoint import Endpoint, SimState, github_error, json_bytes
from pulse.sim.faults import Fault
from pulse.sim.graphql_cost import QueryCost, query_cost
from pulse.sim.graphql_schema import SchemaMissingError, github_schema
from pulse.sim.graphql_views import SAML_MESSAGE, Views, not_found
from pulse.sim.ratelimit import Quota

GRAPHQL_DOCS = "https://docs.github.com/graphql"
Answer = tuple[int, bytes | None, dict[str, str]]

# graphql-core's validation messages in the words of GitHub's server (graphql-ruby), with its `code`s.
_TRANSLATIONS: list[tuple[re.Pattern[str], str, dict[str, str]]] = [
    (
        re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\."),
        "Field '{field}' doesn't exist on type '{type}'",
        {"code": "undefinedField", "typeName": "{type}", "fieldName": "{field}"},
    ),
    (
        re.compile(r"^Unknown argument '(?P<arg>\w+)' on field '\w+\.(?P<field>\w+)'\."),
        "Field '{field}' doesn't accept argument '{arg}'",
        {"code": "argumentNotAccepted", "name": "{field}", "typeName": "Field", "argumentName": "{arg}"},
    ),
    (
        re.compile(
            r"^Argument '\w+\.(?P<field>\w+)\((?P<arg>\w+):\)' of type '.*' is required, but it was not provided\."
        ),
        "Field '{field}' is missing required arguments: {arg}",
        {"code": "missingRequiredArguments", "className": "Field", "name": "{field}", "arguments": "{arg}"},
    ),
]


def github_message(error: GraphQLError) -> dict[str, Any]:
    """One error in GitHub's shape: `type` at the top for execution errors, `extensions.code` for validation."""
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    extensions = dict(error.extensions or {})
    if "type" in extensions:
        out = {"type": extensions.pop("type"), **out}
    for pattern, message, codes in _TRANSLATIONS:
        match = pattern.match(error.message)
        if match:
            out["message"] = message.format(**match.groupdict())
            extensions = {k: v.format(**match.groupdict()) for k, v in codes.items()}
            break
    if extensions:
        out["extensions"] = extensions
    return out


@dataclass(slots=True)
class PreparedQuery:
    """A parsed, validated and priced operation ready to run."""

    document: DocumentNode
    operation: OperationDefinitionNode
    variables: dict[str, Any]
    cost: QueryCost


@lru_cache(maxsize=256)
def _parse_and_validate(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parse and validate a query text once: connectors send the same few texts with other variables."""
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        return None, (exc,)
    return document, tuple(validate(github_schema(), document))


def prepare(body: Any) -> PreparedQuery | list[GraphQLError]:
    """Parse, validate and price a request body; the errors GitHub would answer instead."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return [GraphQLError("A query attribute must be specified and must be a string.")]
    raw_vars = body.get("variables") or {}
    if isinstance(raw_vars, str):
        try:
            raw_vars = json.loads(raw_vars or "{}")
        except ValueError:
            return [GraphQLError("Variables are invalid JSON.")]
    if not isinstance(raw_vars, dict):
        return [GraphQLError("Variables are invalid JSON.")]
    schema = github_schema()
    document, errors = _parse_and_validate(body["query"])
    if document is None or errors:
        return list(errors)
    operation = get_operation_ast(document, body.get("operationName"))
    if operation is None:
        return [GraphQLError("An operation name is required when the document holds several operations.")]
    if operation.operation is not OperationType.QUERY:
        return [GraphQLError(f"The simulator serves queries only, not {operation.operation.value}s.", operation)]
    coerced = get_variable_values(schema, operation.variable_definitions or (), raw_vars)
    if isinstance(coerced, list):
        return coerced
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    cost = query_cost(schema, operation, fragments, coerced)
    if cost.errors:
        return cost.errors
    return PreparedQuery(document, operation, raw_vars, cost)


def _never_awaitable(_value: Any) -> TypeGuard[Awaitable[Any]]:
    """Every resolver here is synchronous; telling graphql-core so spares it a check per field."""
    return False


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GraphQLEndpoint(Endpoint):
    """`POST /graphql`: the shared pipeline (latency, faults, auth) with GitHub's GraphQL budget and errors."""

    def __init__(self, state: SimState, path: str) -> None:
        self.state = state
        self.api = "graphql"
        self.route = f"POST {path}"
        self.charge = True

    async def _answer(self, request: Request, fault: Fault) -> Answer:
        state, knobs = self.state, self.state.knobs.graphql
        if not knobs.enabled:
            # A GitHub Enterprise Server without the GraphQL API: the REST fallback must take over.
            state.stats.record(api=self.api, route=self.route, status=404, charged_to=None)
            return 404, json_bytes(github_error(404, "Not Found", GRAPHQL_DOCS)), {}
        if fault in (Fault.ERROR_500, Fault.ERROR_502):
            return self._server_error(fault)
        credential = self._authenticate(request)
        if credential is None:
            return self._unauthorized()
        token, identity = credential
        limits, faults = state.graphql_limits, state.graphql_faults
        quota = limits.peek(token)
        if fault is Fault.SECONDARY or faults.take("secondary_next"):
            state.stats.fault("secondary")
            return self._secondary(quota)
        if faults.take("fail_next"):
            return self._server_error(Fault.ERROR_502)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            state.stats.record(api=self.api, route=self.route, status=400, charged_to=None)
            return 400, json_bytes({"message": "Problems parsing JSON", "documentation_url": GRAPHQL_DOCS}), {}
        try:
            prepared = prepare(body)
        except SchemaMissingError as exc:
            # An install problem, not a GitHub answer: say what to run instead of a bare 500.
            state.stats.record(api=self.api, route=self.route, status=500, charged_to=None)
            return 500, json_bytes(github_error(500, str(exc), GRAPHQL_DOCS)), {}
        if isinstance(prepared, list):
            return self._errors(prepared, quota)
        cost = prepared.cost
        if knobs.max_page_size and cost.largest_page > knobs.max_page_size:
            # GitHub answers 502 when a query times out; big pages are what make it time out.
            return self._server_error(Fault.ERROR_502)
        if faults.take("rate_limited_next") or quota.remaining < cost.points:
            state.stats.fault("graphql_rate_limited")
            user_id = next((p.id for p in state.dataset.people.values() if p.login == identity), 0)
            error = GraphQLError(
                f"API rate limit already exceeded for user ID {user_id}.", extensions={"type": "RATE_LIMITED"}
            )
            return self._errors([error], quota, limited=True)
        quota = limits.charge(token, cost.points)
        state.stats.spend_points(token, cost.points, cost.nodes)
        result = self._execute(request, prepared, identity, quota)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [github_message(e) for e in result.errors]
        state.stats.record(api=self.api, route=self.route, status=200, charged_to=None)
        return (
            200,
            json_bytes(payload),
            {"content-type": "application/json; charset=utf-8", **self._quota_headers(quota)},
        )

    def _errors(self, errors: list[GraphQLError], quota: Quota, limited: bool = False) -> Answer:
        self.state.stats.record(api=self.api, route=self.route, status=200, charged_to=None)
        headers = self._quota_headers(quota)
        if limited:
            headers["X-RateLimit-Remaining"] = "0"
        body = {"errors": [github_message(e) for e in errors]}
        return 200, json_bytes(body), {"content-type": "application/json; charset=utf-8", **headers}

    def _execute(self, request: Request, prepared: PreparedQuery, identity: str, quota: Quota) -> ExecutionResult:
        ds = self.state.dataset
        host = request.headers.get("host") or "localhost"
        views = Views(ds, f"{request.url.scheme}://{host}")
        repo_errors = self.state.knobs.graphql.repository_errors
        cost = prepared.cost

        def repository(_info: Any, owner: str, name: str, **_: Any) -> Any:
            problem = repo_errors.get(name)
            if problem == "FORBIDDEN":
                raise GraphQLError(SAML_MESSAGE, extensions={"type": "FORBIDDEN", "saml_failure": True})
            repo = ds.repository(name)
            if problem == "NOT_FOUND" or repo is None or owner.lower() != ds.org.lower():
                raise not_found(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
            return views.repository(repo)

        def organization(_info: Any, login: str) -> Any:
            if login.lower() != ds.org.lower():
                raise not_found(f"Could not resolve to an Organization with the login of '{login}'.")
            return views.organization()

        def nodes(_info: Any, ids: list[str]) -> list[Any]:
            out: list[Any] = []
            for ident in ids:
                try:
                    out.append(views.node(ident))
                except GraphQLError as exc:
                    out.append(exc)
            return out

        rate_limit = {
            "limit": quota.limit,
            "cost": cost.points,
            "remaining": quota.remaining,
            "used": quota.used,
            "resetAt": _iso(quota.reset),
            "nodeCount": cost.nodes,
        }
        root = {
            "repository": repository,
            "organization": organization,
            "repositoryOwner": lambda _i, login: organization(_i, login),
            "node": lambda _i, id: views.node(id),
            "nodes": nodes,
            "rateLimit": lambda _i, **_: rate_limit,
            # The token's user sees the organisation's repositories (GitHub's docs price queries from `viewer`).
            "viewer": lambda _i: {**(views.user(identity) or {}), "repositories": views.repositories},
            "user": lambda _i, login: views.user(login) if login in ds.people or login == identity else None,
        }
        result = execute(
            github_schema(),
            prepared.document,
            root_value=root,
            variable_values=prepared.variables,
            operation_name=prepared.operation.name.value if prepared.operation.name else None,
            is_awaitable=_never_awaitable,
        )
        assert isinstance(result, ExecutionResult)  # every resolver is synchronous
        return result


def graphql_routes(state: SimState) -> list[BaseRoute]:
    """`POST /graphql` (github.com) and `POST /api/graphql` (Enterprise Server, base `…/api/v3`)."""
    return [Route(path, GraphQLEndpoint(state, path), methods=["POST"]) for path in ("/graphql", "/api/graphql")]
