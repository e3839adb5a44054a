"""GitHub's published GraphQL schema (`@octokit/graphql-schema`), loaded once per process."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from graphql import GraphQLSchema, build_ast_schema, parse

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
    return build_ast_schema(document, assume_valid=True, assume_valid_sdl=True)


def github_schema() -> GraphQLSchema:
    """The executable schema (built on first use, then cached for the process)."""
    return _load(schema_path())
