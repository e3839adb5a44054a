"""Every query the GitHub connector can send is valid against GitHub's published schema."""

from __future__ import annotations

import graphql
import pytest

from pulse.etl.connectors.github.graphql_queries import all_queries
from pulse.etl.connectors.github.graphql_sync import graphql_url
from pulse.sim.graphql_schema import github_schema


@pytest.mark.parametrize("name", sorted(all_queries()))
def test_query_is_valid_against_githubs_schema(name: str) -> None:
    errors = graphql.validate(github_schema(), graphql.parse(all_queries()[name]))
    assert [e.message for e in errors] == []


def test_a_query_github_would_reject_fails_validation() -> None:
    bad = all_queries()["pull_requests"].replace("changedFiles", "changedFilez")
    assert graphql.validate(github_schema(), graphql.parse(bad))


def test_every_query_asks_for_its_cost_and_every_connection_for_a_page_size() -> None:
    for name, text in all_queries().items():
        document = graphql.parse(text)
        assert "rateLimit { cost remaining resetAt }" in text, name
        for node in _fields(document):
            if node.name.value in ("pullRequests", "reviews", "comments", "commits", "statuses", "labels",
                                   "deployments", "releases", "issues", "repositories", "history"):  # fmt: skip
                assert "first" in {a.name.value for a in node.arguments}, f"{name}: {node.name.value}"


def _fields(document: graphql.DocumentNode) -> list[graphql.FieldNode]:
    found: list[graphql.FieldNode] = []

    class Collect(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: object) -> None:
            found.append(node)

    graphql.visit(document, Collect())
    return found


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://api.github.com", "https://api.github.com/graphql"),
        ("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/graphql"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123/graphql"),
    ],
)
def test_graphql_url_follows_the_rest_root(base: str, expected: str) -> None:
    assert graphql_url(base) == expected
