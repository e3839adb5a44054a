"""GitHub GraphQL simulation: GitHub's schema and rules, cost, rate limit, pagination, data, faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulse.sim.dataset import Dataset
from pulse.sim.server import RunningSimulator
from tests.sim.conftest import configure

REPO_ARGS = 'owner: "acme", name: "payments-api"'


def gql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None, path: str = "/graphql") -> Any:
    """POST one query; GitHub answers 200 for query errors too."""
    response = client.post(path, json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


def messages(body: dict[str, Any]) -> list[str]:
    """The error messages of an answer."""
    return [e["message"] for e in body.get("errors", [])]


# --- what GitHub would reject --------------------------------------------------------------------------


def test_unknown_field_fails_with_githubs_message(github: httpx.Client) -> None:
    query = f"{{ repository({REPO_ARGS}) {{ nameWithOwner stars }} }}"
    body = gql(github, query)
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == "Field 'stars' doesn't exist on type 'Repository'"
    assert error["extensions"] == {"code": "undefinedField", "typeName": "Repository", "fieldName": "stars"}
    assert error["locations"] == [{"line": 1, "column": query.index("stars") + 1}]


def test_wrong_and_missing_arguments_fail_like_github(github: httpx.Client) -> None:
    wrong = gql(github, f"{{ repository({REPO_ARGS}) {{ pullRequests(first: 5, sort: CREATED) {{ totalCount }} }} }}")
    assert messages(wrong) == ["Field 'pullRequests' doesn't accept argument 'sort'"]
    missing = gql(github, '{ repository(owner: "acme") { id } }')
    assert messages(missing) == ["Field 'repository' is missing required arguments: name"]
    bad_enum = gql(
        github, f"{{ repository({REPO_ARGS}) {{ pullRequests(first: 5, states: [DONE]) {{ totalCount }} }} }}"
    )
    assert bad_enum["errors"] and "DONE" in bad_enum["errors"][0]["message"]
    syntax = gql(github, "{ repository(")
    assert syntax["errors"][0]["locations"]


def test_connections_need_first_or_last_of_at_most_100(github: httpx.Client) -> None:
    query = f"{{ repository({REPO_ARGS}) {{ pullRequests {{ nodes {{ number }} }} }} }}"
    missing = gql(github, query)
    assert missing["errors"] == [
        {
            "type": "MISSING_PAGINATION_BOUNDARIES",
            "message": "You must provide a `first` or `last` value to properly paginate the `pullRequests` connection.",
            "locations": [{"line": 1, "column": query.index("pullRequests") + 1}],
            "path": ["query", "repository", "pullRequests"],
        }
    ]
    nested = gql(
        github,
        f"{{ repository({REPO_ARGS}) {{ pullRequests(first: 5) {{ nodes {{ reviews {{ nodes {{ state }} }} }} }} }} }}",
    )
    assert messages(nested) == [
        "You must provide a `first` or `last` value to properly paginate the `reviews` connection."
    ]
    too_many = gql(github, "query($n: Int) { viewer { repositories(first: $n) { nodes { name } } } }", {"n": 101})
    assert too_many["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    assert messages(too_many) == [
        "Requesting 101 records on the `repositories` connection exceeds the `first` limit of 100 records."
    ]
    # A bare totalCount needs no page bounds.
    counted = gql(github, f"{{ repository({REPO_ARGS}) {{ pullRequests {{ totalCount }} }} }}")
    assert counted["data"]["repository"]["pullRequests"]["totalCount"] == 60


def test_node_limit_of_500000(github: httpx.Client) -> None:
    query = """{ viewer { repositories(first: 100) { nodes { pullRequests(first: 100) { nodes {
        reviews(first: 51) { nodes { state } } } } } } } }"""
    body = gql(github, query)
    [error] = body["errors"]
    assert error["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert error["message"] == (
        "By the time this query traverses to the reviews connection, it is requesting up to 520,100 possible "
        "nodes which exceeds the maximum limit of 500,000."
    )
    ok = gql(github, query.replace("first: 51", "first: 48"))  # 100 + 10,000 + 480,000
    assert "errors" not in ok


# --- cost and rate limit -------------------------------------------------------------------------------

DOCS_EXAMPLE = """query {
  viewer {
    login
    repositories(first: 100) {
      edges { node { id
          issues(first: 50) {
            edges { node { id
                labels(first: 60) { edges { node { id name } } } } } } } } }
  }
  rateLimit { limit cost remaining resetAt used nodeCount }
}"""


def test_cost_of_githubs_documented_example(github: httpx.Client) -> None:
    # GitHub's docs: 1 + 100 + 5,000 requests = 5,101 -> 51 points; 100 + 5,000 + 300,000 nodes.
    body = gql(github, DOCS_EXAMPLE)
    assert "errors" not in body
    rate = body["data"]["rateLimit"]
    assert rate["cost"] == 51 and rate["nodeCount"] == 305_100
    assert rate["limit"] == 5000 and rate["used"] == 51 and rate["remaining"] == 4949
    assert rate["resetAt"].endswith("Z")


def test_small_queries_cost_one_point_and_headers_say_graphql(github: httpx.Client, sim: RunningSimulator) -> None:
    first = github.post("/graphql", json={"query": "{ viewer { login } rateLimit { cost remaining } }"})
    assert first.json()["data"] == {"viewer": {"login": "pulse-sim"}, "rateLimit": {"cost": 1, "remaining": 4999}}
    assert first.headers["x-ratelimit-resource"] == "graphql"
    assert first.headers["x-ratelimit-used"] == "1" and first.headers["x-ratelimit-remaining"] == "4999"
    # Page of 100 pull requests with 2 nested connections: 1 + 100 + 100 requests -> 2 points.
    page = gql(
        github,
        f"""{{ repository({REPO_ARGS}) {{ pullRequests(first: 100) {{ nodes {{ number
            reviews(first: 10) {{ nodes {{ state }} }} commits(first: 10) {{ nodes {{ commit {{ oid }} }} }} }} }} }}
            rateLimit {{ cost used }} }}""",
    )
    assert page["data"]["rateLimit"] == {"cost": 2, "used": 3}
    # The REST budget is untouched and the counters keep GraphQL apart.
    assert github.get("/rate_limit").json()["resources"]["core"]["used"] == 0
    stats = httpx.get(f"{sim.base_url}/_sim/stats").json()
    assert stats["by_api"] == {"graphql": 2, "github": 1}
    assert stats["graphql"]["requests"] == 2 and stats["graphql"]["points"] == 3
    assert stats["graphql"]["rate_limit_used"] == {"sim-github-token": 3}
    assert stats["charged"] == {}


def test_spent_points_answer_rate_limited(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, graphql={"rate_limit": {"limit": 52}})
    assert gql(github, DOCS_EXAMPLE)["data"]["rateLimit"]["remaining"] == 1
    response = github.post("/graphql", json={"query": DOCS_EXAMPLE})
    assert response.status_code == 200 and response.headers["x-ratelimit-remaining"] == "0"
    [error] = response.json()["errors"]
    assert error["type"] == "RATE_LIMITED" and "rate limit" in error["message"]
    cheap = gql(github, "{ rateLimit { cost remaining } }")
    assert cheap["data"]["rateLimit"] == {"cost": 1, "remaining": 0}


# --- endpoint, auth, Enterprise ------------------------------------------------------------------------


def test_bad_token_gets_401_bad_credentials(sim: RunningSimulator) -> None:
    response = httpx.post(
        f"{sim.base_url}/graphql", json={"query": "{ viewer { login } }"}, headers={"Authorization": "bearer nope"}
    )
    assert response.status_code == 401 and response.json()["message"] == "Bad credentials"


def test_enterprise_path_serves_the_same_api(github: httpx.Client) -> None:
    query = f"{{ repository({REPO_ARGS}) {{ databaseId pullRequests(first: 3) {{ nodes {{ number url }} }} }} }}"
    plain, enterprise = gql(github, query), gql(github, query, path="/api/graphql")
    assert plain == enterprise and plain["data"]["repository"]["databaseId"]


# --- pagination and data -------------------------------------------------------------------------------

PULLS_PAGE = """query($after: String, $size: Int!) {
  repository(owner: "acme", name: "payments-api") {
    pullRequests(first: $size, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { number updatedAt }
    }
  }
}"""


def test_pull_requests_page_by_cursor_in_updated_order(github: httpx.Client, ds: Dataset) -> None:
    seen: list[int] = []
    after = None
    while True:
        conn = gql(github, PULLS_PAGE, {"after": after, "size": 25})["data"]["repository"]["pullRequests"]
        assert conn["totalCount"] == 60
        seen += [n["number"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    pulls = ds.repository("payments-api").pulls
    assert seen == [p.number for p in sorted(pulls, key=lambda p: (p.updated_at, p.number), reverse=True)]


def test_missing_repository_is_null_with_not_found(github: httpx.Client) -> None:
    body = gql(github, '{ a: repository(owner: "acme", name: "nope") { id } viewer { login } }')
    assert body["data"] == {"a": None, "viewer": {"login": "pulse-sim"}}
    assert body["errors"] == [
        {
            "type": "NOT_FOUND",
            "message": "Could not resolve to a Repository with the name 'acme/nope'.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["a"],
        }
    ]


@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_get_is_not_a_query(github: httpx.Client, path: str) -> None:
    assert github.get(path).status_code in (404, 405)
