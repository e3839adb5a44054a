"""GitHub's published GraphQL schema (`@octokit/graphql-schema`), loaded once per process."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_ast_schema,
    parse,
)

SCHEMA_ENV = "PULSE_GITHUB_GRAPHQL_SCHEMA"
INSTALL_HINT = "bash scripts/install.sh (or: cd tools/github-graphql-schema && npm ci)"
_DEFAULT = (
    Path(__file__).resolve().parents[3]
    / "tools/github-graphql-schema/node_modules/@octokit/graphql-schema/schema.graphql"
)


class SchemaMissingError(RuntimeError):
    """GitHub's schema file is not installed where the simulator looks for it."""


def schema_path() -> Path:
    """Where the SDL is read from: `$PULSE_GITHUB_GRAPHQL_SCHEMA` or the npm install under `tools/`."""
    override = os.environ.get(SCHEMA_ENV)
    return Path(override) if override else _DEFAULT


@cache
def _load(path: Path) -> GraphQLSchema:
    if not path.is_file():
        raise SchemaMissingError(
            f"GitHub's GraphQL schema is missing at {path}; install it with `{INSTALL_HINT}` "
            f"or point {SCHEMA_ENV} at a schema.graphql"
        )
    document = parse(path.read_text(encoding="utf-8"), no_location=True)
    # GitHub's own schema is what GitHub serves, but graphql-core's schema checks refuse two of its habits:
    # two EnterpriseOwnerInfo fields defined twice (identically; the last one is kept) and deprecated
    # implementations of non-deprecated interface fields (Project.id, PullRequest.databaseId, ...).
    # Queries are still validated in full against it.
    schema = build_ast_schema(document, assume_valid=True, assume_valid_sdl=True)
    _widen_int_outputs(schema)
    return schema


def _serialize_wide_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(GraphQLInt.serialize(value))


# GitHub types `databaseId` as a 32-bit Int while its real issue and deployment ids have outgrown 2^31 (hence
# its `fullDatabaseId`); the simulator's ids are that large too, so output Ints are served whole instead of
# failing. Arguments keep the standard Int, so `first: 101` and friends are still checked as on GitHub.
_WIDE_INT = GraphQLScalarType(
    "WideInt",
    serialize=_serialize_wide_int,
    parse_value=GraphQLInt.parse_value,
    parse_literal=GraphQLInt.parse_literal,
    description=GraphQLInt.description,
)
_WIDE_INT.name = "Int"  # graphql-core refuses to construct a scalar under a standard name; errors read "Int"


def _rewrap(kind: Any) -> Any:
    if isinstance(kind, GraphQLNonNull):
        return GraphQLNonNull(_rewrap(kind.of_type))
    if isinstance(kind, GraphQLList):
        return GraphQLList(_rewrap(kind.of_type))
    return _WIDE_INT if kind is GraphQLInt else kind


def _widen_int_outputs(schema: GraphQLSchema) -> None:
    for kind in schema.type_map.values():
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field in kind.fields.values():
                field.type = _rewrap(field.type)


def github_schema() -> GraphQLSchema:
    """The executable schema (built on first use, then cached for the process)."""
    return _load(schema_path())
