"""GitHub's GraphQL limits, read from a validated query before it runs: pagination bounds, nodes, points.

Follows GitHub's "Rate limits and node limits for the GraphQL API": every connection needs `first` or
`last` (1..100, we also accept 0 like GitHub); a connection is one request per page of its parents, so
`repositories(first: 100) { issues(first: 50) { labels(first: 60) } }` is 1 + 100 + 5,000 requests; the
point cost is that sum divided by 100, rounded, at least 1; the node count multiplies `first`/`last` down
the nesting (100 + 5,000 + 300,000) and may not exceed 500,000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

MAX_PAGE = 100
MAX_NODES = 500_000


@dataclass(slots=True)
class QueryCost:
    """What a query may cost: requests, GitHub points, possible nodes and the largest page it asks for."""

    requests: int = 0
    nodes: int = 0
    largest_page: int = 0
    errors: list[GraphQLError] = field(default_factory=list)

    @property
    def points(self) -> int:
        """GitHub's point cost: requests / 100, rounded half up, at least 1."""
        return max(1, math.floor(self.requests / 100 + 0.5))


def is_connection(kind: Any) -> bool:
    """Whether a named output type is a Relay connection (GitHub's `...Connection` objects)."""
    return isinstance(kind, GraphQLObjectType) and kind.name.endswith("Connection") and "pageInfo" in kind.fields


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> QueryCost:
    """Walk a validated operation and apply GitHub's connection, node and cost rules."""
    root = schema.get_root_type(operation.operation)
    if root is None:  # pragma: no cover - validation rejects operations the schema has no root for
        return QueryCost()
    head = operation.operation.value + (f" {operation.name.value}" if operation.name else "")
    walker = _Walker(schema, fragments, variables)
    walker.walk(operation.selection_set, root, 1, [head])
    return walker.cost


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: VariableValues
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.cost = QueryCost()

    def walk(self, selections: SelectionSetNode | None, parent: Any, multiplier: int, path: list[str]) -> None:
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                self.field(node, parent, multiplier, path)
            elif isinstance(node, InlineFragmentNode):
                kind = parent
                if node.type_condition is not None:
                    kind = self.fragment_type(node.type_condition.name.value, parent)
                self.walk(node.selection_set, kind, multiplier, path)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                kind = self.fragment_type(fragment.type_condition.name.value, parent)
                self.walk(fragment.selection_set, kind, multiplier, path)

    def fragment_type(self, name: str, parent: Any) -> Any:
        return self.schema.get_type(name) or parent

    def field(self, node: FieldNode, parent: Any, multiplier: int, path: list[str]) -> None:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return
        definition = fields[name]
        kind = get_named_type(definition.type)
        here = [*path, (node.alias or node.name).value]
        if not is_connection(kind):
            self.walk(node.selection_set, kind, multiplier, here)
            return
        args = get_argument_values(definition, node, self.variables)
        size = args.get("first") if args.get("first") is not None else args.get("last")
        if size is None:
            if _selects_items(node.selection_set, self.fragments):
                self.fail(
                    f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
                    "MISSING_PAGINATION_BOUNDARIES",
                    node,
                    here,
                )
            size = 0
        if args.get("first") is not None and args.get("last") is not None:
            self.fail(
                f"Passing both `first` and `last` to paginate the `{name}` connection is not supported.",
                "INVALID_PAGINATION",
                node,
                here,
            )
        for arg in ("first", "last"):
            value = args.get(arg)
            if value is not None and value > MAX_PAGE:
                self.fail(
                    f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` limit of "
                    f"{MAX_PAGE} records.",
                    "EXCESSIVE_PAGINATION",
                    node,
                    here,
                )
            elif value is not None and value < 0:
                self.fail(
                    f"`{arg}` on the `{name}` connection cannot be less than zero.", "INVALID_PAGINATION", node, here
                )
        size = max(0, min(size, MAX_PAGE))
        before = self.cost.nodes
        self.cost.requests += multiplier
        self.cost.nodes += multiplier * size
        self.cost.largest_page = max(self.cost.largest_page, size)
        if before <= MAX_NODES < self.cost.nodes:
            self.fail(
                f"By the time this query traverses to the {name} connection, it is requesting up to "
                f"{self.cost.nodes:,} possible nodes which exceeds the maximum limit of {MAX_NODES:,}.",
                "MAX_NODE_LIMIT_EXCEEDED",
                node,
                here,
            )
        self.walk(node.selection_set, kind, multiplier * size, here)

    def fail(self, message: str, kind: str, node: FieldNode, path: list[str]) -> None:
        self.cost.errors.append(GraphQLError(message, node, path=path, extensions={"type": kind}))


def _selects_items(selections: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]) -> bool:
    """Whether a connection's selection asks for `nodes` or `edges` (a bare `totalCount` needs no bounds)."""
    for node in selections.selections if selections else ():
        if isinstance(node, FieldNode) and node.name.value in ("nodes", "edges"):
            return True
        inner = fragments[node.name.value].selection_set if isinstance(node, FragmentSpreadNode) else None
        if isinstance(node, InlineFragmentNode):
            inner = node.selection_set
        if inner is not None and _selects_items(inner, fragments):
            return True
    return False
