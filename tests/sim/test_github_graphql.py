"""GitHub GraphQL simulation: GitHub's schema and rules, cost, rate limit, pagination, data, faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from pulse.sim.dataset import Dataset
from pulse.sim.graphql_schema import SCHEMA_ENV, SchemaMissingError, github_schema
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
    both = gql(github, f"{{ repository({REPO_ARGS}) {{ pullRequests(first: 5, last: 5) {{ nodes {{ number }} }} }} }}")
    assert messages(both) == [
        "Passing both `first` and `last` to paginate the `pullRequests` connection is not supported."
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


PULL_FIELDS = """
  id databaseId number title body state isDraft createdAt updatedAt closedAt mergedAt
  author { login } headRefName headRefOid baseRefName mergeCommit { oid }
  additions deletions changedFiles labels(first: 20) { nodes { name } }
  reviews(first: 100) { totalCount nodes { id databaseId state author { login } submittedAt createdAt } }
  commits(first: 100) { totalCount nodes { commit {
    oid authoredDate committedDate author { name email date user { login } } committer { date } } } }
  reviewThreads(first: 50) { nodes { comments(first: 5) { nodes {
    id databaseId body path line createdAt updatedAt author { login } commit { oid }
    pullRequestReview { databaseId } } } } }
  comments { totalCount }
"""


def rest_all(client: httpx.Client, url: str, **params: Any) -> list[Any]:
    """Every item of a REST list (100 a page)."""
    out: list[Any] = []
    page = 1
    while True:
        batch = client.get(url, params={**params, "per_page": 100, "page": page}).json()
        out += batch
        if len(batch) < 100:
            return out
        page += 1


def test_pull_requests_equal_the_rest_routes(github: httpx.Client) -> None:
    query = f"{{ repository({REPO_ARGS}) {{ pullRequests(first: 100) {{ nodes {{ {PULL_FIELDS} }} }} }} }}"
    body = gql(github, query)
    assert "errors" not in body
    nodes = {n["number"]: n for n in body["data"]["repository"]["pullRequests"]["nodes"]}
    listed = rest_all(github, "/repos/acme/payments-api/pulls", state="all")
    assert set(nodes) == {p["number"] for p in listed}
    for rest in listed[:20]:
        g = nodes[rest["number"]]
        detail = github.get(f"/repos/acme/payments-api/pulls/{rest['number']}").json()
        assert (g["databaseId"], g["id"], g["title"], g["body"]) == (
            rest["id"],
            rest["node_id"],
            rest["title"],
            rest["body"],
        )
        expected_state = "MERGED" if rest["merged_at"] else rest["state"].upper()
        assert g["state"] == expected_state and g["isDraft"] == rest["draft"]
        assert [g["createdAt"], g["updatedAt"], g["closedAt"], g["mergedAt"]] == [
            rest["created_at"],
            rest["updated_at"],
            rest["closed_at"],
            rest["merged_at"],
        ]
        assert g["author"]["login"] == rest["user"]["login"]
        assert (g["headRefName"], g["headRefOid"], g["baseRefName"]) == (
            rest["head"]["ref"],
            rest["head"]["sha"],
            rest["base"]["ref"],
        )
        assert (g["mergeCommit"] or {}).get("oid") == (rest["merge_commit_sha"] if rest["merged_at"] else None)
        assert (g["additions"], g["deletions"], g["changedFiles"]) == (
            detail["additions"],
            detail["deletions"],
            detail["changed_files"],
        )
        assert [x["name"] for x in g["labels"]["nodes"]] == [x["name"] for x in rest["labels"]]
        reviews = github.get(f"/repos/acme/payments-api/pulls/{rest['number']}/reviews").json()
        assert g["reviews"]["totalCount"] == len(reviews)
        assert [
            (r["databaseId"], r["id"], r["state"], r["author"]["login"], r["submittedAt"])
            for r in g["reviews"]["nodes"]
        ] == [(r["id"], r["node_id"], r["state"], r["user"]["login"], r["submitted_at"]) for r in reviews]
        commits = github.get(f"/repos/acme/payments-api/pulls/{rest['number']}/commits").json()
        assert g["commits"]["totalCount"] == detail["commits"] == len(commits)
        assert [
            (
                c["commit"]["oid"],
                c["commit"]["authoredDate"],
                c["commit"]["committedDate"],
                c["commit"]["author"]["name"],
                c["commit"]["author"]["email"],
                (c["commit"]["author"]["user"] or {}).get("login"),
            )
            for c in g["commits"]["nodes"]
        ] == [
            (
                c["sha"],
                c["commit"]["author"]["date"],
                c["commit"]["committer"]["date"],
                c["commit"]["author"]["name"],
                c["commit"]["author"]["email"],
                (c["author"] or {}).get("login"),
            )
            for c in commits
        ]
        comments = github.get(f"/repos/acme/payments-api/pulls/{rest['number']}/comments").json()
        threads = [c for t in g["reviewThreads"]["nodes"] for c in t["comments"]["nodes"]]
        assert len(threads) == detail["review_comments"] == len(comments)
        assert sorted(
            (
                c["databaseId"],
                c["id"],
                c["body"],
                c["path"],
                c["line"],
                c["createdAt"],
                c["updatedAt"],
                c["author"]["login"],
                c["commit"]["oid"],
                c["pullRequestReview"]["databaseId"],
            )
            for c in threads
        ) == sorted(
            (
                c["id"],
                c["node_id"],
                c["body"],
                c["path"],
                c["line"],
                c["created_at"],
                c["updated_at"],
                c["user"]["login"],
                c["commit_id"],
                c["pull_request_review_id"],
            )
            for c in comments
        )
        assert g["comments"]["totalCount"] == detail["comments"]


def test_deployments_releases_and_issues_equal_the_rest_routes(github: httpx.Client) -> None:
    query = f"""{{ repository({REPO_ARGS}) {{
      deployments(first: 100, orderBy: {{field: CREATED_AT, direction: DESC}}) {{ totalCount nodes {{
        id databaseId environment commitOid commit {{ oid }} ref {{ name }} creator {{ login }} createdAt updatedAt
        state latestStatus {{ state }} statuses(first: 100) {{ totalCount nodes {{ state createdAt updatedAt }} }} }} }}
      releases(first: 100, orderBy: {{field: CREATED_AT, direction: DESC}}) {{ nodes {{
        id databaseId name tagName tagCommit {{ oid }} isDraft isPrerelease publishedAt createdAt }} }}
      issues(first: 100, filterBy: {{since: "2000-01-01T00:00:00Z"}}) {{ nodes {{
        id databaseId number title state createdAt updatedAt closedAt author {{ login }}
        labels(first: 10) {{ nodes {{ name }} }} }} }}
    }} }}"""
    data = gql(github, query)["data"]["repository"]
    deployments = rest_all(github, "/repos/acme/payments-api/deployments")
    assert data["deployments"]["totalCount"] == len(deployments) > 0
    assert len(deployments) <= 100, "the small dataset fits one page"
    saw_inactive = False
    for g, rest in zip(data["deployments"]["nodes"], deployments, strict=True):
        assert (g["databaseId"], g["id"], g["environment"], g["commitOid"], g["ref"]["name"]) == (
            rest["id"],
            rest["node_id"],
            rest["environment"],
            rest["sha"],
            rest["ref"],
        )
        assert g["commit"]["oid"] == rest["sha"] and g["creator"]["login"] == rest["creator"]["login"]
        assert (g["createdAt"], g["updatedAt"]) == (rest["created_at"], rest["updated_at"])
        statuses = github.get(f"/repos/acme/payments-api/deployments/{rest['id']}/statuses").json()
        assert [(s["state"].lower(), s["createdAt"]) for s in g["statuses"]["nodes"]] == [
            (s["state"], s["created_at"]) for s in statuses
        ]
        assert g["latestStatus"]["state"] == statuses[0]["state"].upper()
        saw_inactive |= any(s["state"] == "INACTIVE" for s in g["statuses"]["nodes"])
    assert saw_inactive
    releases = rest_all(github, "/repos/acme/payments-api/releases")
    assert [
        (
            r["databaseId"],
            r["id"],
            r["name"],
            r["tagName"],
            r["tagCommit"]["oid"],
            r["isDraft"],
            r["isPrerelease"],
            r["publishedAt"],
            r["createdAt"],
        )
        for r in data["releases"]["nodes"]
    ] == [
        (
            r["id"],
            r["node_id"],
            r["name"],
            r["tag_name"],
            r["target_commitish"],
            r["draft"],
            r["prerelease"],
            r["published_at"],
            r["created_at"],
        )
        for r in releases
    ]
    issues = [
        i
        for i in rest_all(github, "/repos/acme/payments-api/issues", state="all", direction="asc")
        if "pull_request" not in i
    ]
    assert [
        (
            i["databaseId"],
            i["id"],
            i["number"],
            i["title"],
            i["state"].lower(),
            i["createdAt"],
            i["updatedAt"],
            i["closedAt"],
            i["author"]["login"],
            [x["name"] for x in i["labels"]["nodes"]],
        )
        for i in data["issues"]["nodes"]
    ] == [
        (
            i["id"],
            i["node_id"],
            i["number"],
            i["title"],
            i["state"],
            i["created_at"],
            i["updated_at"],
            i["closed_at"],
            i["user"]["login"],
            [x["name"] for x in i["labels"]],
        )
        for i in issues
    ]
    incidents = gql(
        github, f'{{ repository({REPO_ARGS}) {{ issues(first: 100, labels: ["incident"]) {{ totalCount }} }} }}'
    )
    assert incidents["data"]["repository"]["issues"]["totalCount"] == sum(
        "incident" in [x["name"].lower() for x in i["labels"]] for i in issues
    )


def test_nested_connection_pages_through_node_follow_ups(github: httpx.Client, ds: Dataset) -> None:
    repo = ds.repository("payments-api")
    big = max(repo.pulls, key=lambda p: len(p.commits))
    assert len(big.commits) > 2
    page = gql(
        github,
        f"""{{ repository({REPO_ARGS}) {{ pullRequests(first: 100) {{ nodes {{ id number
            commits(first: 2) {{ totalCount pageInfo {{ hasNextPage endCursor }}
            nodes {{ commit {{ oid }} }} }} }} }} }} }}""",
    )["data"]["repository"]["pullRequests"]["nodes"]
    first = next(p for p in page if p["number"] == big.number)
    oids = [n["commit"]["oid"] for n in first["commits"]["nodes"]]
    info = first["commits"]["pageInfo"]
    follow_up = """query($id: ID!, $after: String) { node(id: $id) { ... on PullRequest { number
        commits(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { commit { oid } } } } } }"""
    while info["hasNextPage"]:
        node = gql(github, follow_up, {"id": first["id"], "after": info["endCursor"]})["data"]["node"]
        assert node["number"] == big.number
        oids += [n["commit"]["oid"] for n in node["commits"]["nodes"]]
        info = node["commits"]["pageInfo"]
    assert oids == [c.sha for c in big.commits] and first["commits"]["totalCount"] == len(big.commits)
    # `last`/`before` walk backwards.
    tail = gql(
        github,
        f"""{{ node(id: "{first["id"]}") {{ ... on PullRequest {{
        commits(last: 2) {{ pageInfo {{ hasPreviousPage }} nodes {{ commit {{ oid }} }} }} }} }} }}""",
    )
    commits = tail["data"]["node"]["commits"]
    assert [n["commit"]["oid"] for n in commits["nodes"]] == [c.sha for c in big.commits[-2:]]
    assert commits["pageInfo"]["hasPreviousPage"]


def test_nodes_resolve_global_ids_of_every_kind(github: httpx.Client, ds: Dataset) -> None:
    repo = ds.repository("payments-api")
    pr = next(p for p in repo.pulls if p.reviews)
    rest_pr = github.get(f"/repos/acme/payments-api/pulls/{pr.number}").json()
    review = github.get(f"/repos/acme/payments-api/pulls/{pr.number}/reviews").json()[0]
    dep = github.get("/repos/acme/payments-api/deployments").json()[0]
    rel = github.get("/repos/acme/payments-api/releases").json()[0]
    ids = [rest_pr["node_id"], "bm9wZQ", review["node_id"], dep["node_id"], rel["node_id"]]
    body = gql(
        github,
        """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
            ... on PullRequest { number } ... on PullRequestReview { databaseId }
            ... on Deployment { databaseId } ... on Release { tagName } } }""",
        {"ids": ids},
    )
    assert body["data"]["nodes"] == [
        {"__typename": "PullRequest", "id": ids[0], "number": pr.number},
        None,
        {"__typename": "PullRequestReview", "id": ids[2], "databaseId": review["id"]},
        {"__typename": "Deployment", "id": ids[3], "databaseId": dep["id"]},
        {"__typename": "Release", "id": ids[4], "tagName": rel["tag_name"]},
    ]
    [error] = body["errors"]
    assert error["type"] == "NOT_FOUND" and error["path"] == ["nodes", 1]


def test_main_branch_history_and_object(github: httpx.Client, ds: Dataset) -> None:
    repo = ds.repository("payments-api")
    since = repo.main[-10].committed_at.isoformat()
    body = gql(
        github,
        f"""query($since: GitTimestamp) {{ repository({REPO_ARGS}) {{
          defaultBranchRef {{ name target {{ ... on Commit {{ oid history(first: 100, since: $since) {{
            totalCount nodes {{ oid }} }} }} }} }}
          object(expression: "{repo.main[5].sha[:10]}") {{ ... on Commit {{ oid }} }} }} }}""",
        {"since": since},
    )["data"]["repository"]
    ref = body["defaultBranchRef"]
    assert ref["name"] == "main" and ref["target"]["oid"] == repo.main[-1].sha
    expected = [c.sha for c in reversed(repo.main) if c.committed_at >= repo.main[-10].committed_at]
    assert [n["oid"] for n in ref["target"]["history"]["nodes"]] == expected
    assert body["object"] == {"oid": repo.main[5].sha}


def test_organization_repositories(github: httpx.Client, ds: Dataset) -> None:
    body = gql(
        github,
        """{ organization(login: "acme") { login repositories(first: 2, orderBy: {field: NAME, direction: ASC}) {
            totalCount pageInfo { hasNextPage } nodes { name nameWithOwner owner { login } } } } }""",
    )
    repos = body["data"]["organization"]["repositories"]
    names = sorted(r.name for r in ds.repositories)
    assert repos["totalCount"] == len(names) and repos["pageInfo"]["hasNextPage"]
    assert [r["name"] for r in repos["nodes"]] == names[:2]
    assert repos["nodes"][0]["nameWithOwner"] == f"acme/{names[0]}"
    missing = gql(github, '{ organization(login: "other") { login } }')
    assert missing["data"] == {"organization": None} and missing["errors"][0]["type"] == "NOT_FOUND"


def test_bad_cursor_is_an_error_not_a_crash(github: httpx.Client) -> None:
    body = gql(github, f'{{ repository({REPO_ARGS}) {{ pullRequests(first: 2, after: "garbage") {{ totalCount }} }} }}')
    assert body["errors"][0]["type"] == "INVALID_CURSOR_ARGUMENTS"
    assert body["data"] == {"repository": None}


# --- faults --------------------------------------------------------------------------------------------

SMALL_QUERY = "{ viewer { login } }"


def test_graphql_can_be_switched_off_for_the_rest_fallback(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, graphql={"enabled": False})
    for path in ("/graphql", "/api/graphql"):
        response = github.post(path, json={"query": SMALL_QUERY})
        assert response.status_code == 404 and response.json()["message"] == "Not Found"
    assert github.get("/repos/acme/payments-api").status_code == 200
    configure(sim, graphql={"enabled": True})
    assert gql(github, SMALL_QUERY)["data"]["viewer"]["login"] == "pulse-sim"


def test_next_queries_get_502(github: httpx.Client, sim: RunningSimulator) -> None:
    view = configure(sim, graphql={"fail_next": 2})
    assert view["graphql"]["fail_next"] == 2
    assert [github.post("/graphql", json={"query": SMALL_QUERY}).status_code for _ in range(3)] == [502, 502, 200]
    assert httpx.get(f"{sim.base_url}/_sim/config").json()["graphql"]["fail_next"] == 0
    stats = httpx.get(f"{sim.base_url}/_sim/stats").json()
    assert stats["faults"]["error_502"] == 2 and stats["graphql"]["points"] == 1


def test_big_pages_time_out_with_502_and_smaller_pages_pass(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, graphql={"max_page_size": 50})
    query = f"""query($n: Int!) {{ repository({REPO_ARGS}) {{
        pullRequests(first: 20) {{ nodes {{ commits(first: $n) {{ totalCount }} }} }} }} }}"""
    assert github.post("/graphql", json={"query": query, "variables": {"n": 100}}).status_code == 502
    assert github.post("/graphql", json={"query": query, "variables": {"n": 50}}).status_code == 200


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_limits_answer_with_retry_after(github: httpx.Client, sim: RunningSimulator, status: int) -> None:
    sim.app.state.config.secondary_status = status
    configure(sim, graphql={"secondary_next": 1}, secondary_retry_after=7)
    limited = github.post("/graphql", json={"query": SMALL_QUERY})
    assert limited.status_code == status and limited.headers["retry-after"] == "7"
    assert "secondary rate limit" in limited.json()["message"]
    assert limited.headers["x-ratelimit-resource"] == "graphql"
    assert github.post("/graphql", json={"query": SMALL_QUERY}).status_code == 200
    configure(sim, secondary_limit_every=2)
    codes = [github.post("/graphql", json={"query": SMALL_QUERY}).status_code for _ in range(4)]
    assert codes.count(status) == 2


def test_rate_limited_error_on_demand(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, graphql={"rate_limited_next": 1})
    body = gql(github, SMALL_QUERY)
    assert body["errors"][0]["type"] == "RATE_LIMITED" and "data" not in body
    assert gql(github, SMALL_QUERY)["data"]["viewer"]["login"] == "pulse-sim"


def test_partial_errors_per_repository(github: httpx.Client, sim: RunningSimulator) -> None:
    configure(sim, graphql={"repository_errors": {"payments-api": "FORBIDDEN", "web-app": "NOT_FOUND"}})
    names = [r.name for r in sim.app.dataset.repositories]
    assert "payments-api" in names and "web-app" in names
    query = (
        "{ "
        + " ".join(f'r{i}: repository(owner: "acme", name: "{name}") {{ name }}' for i, name in enumerate(names))
        + " }"
    )
    body = gql(github, query)
    by_alias = {f"r{i}": name for i, name in enumerate(names)}
    for alias, value in body["data"].items():
        assert (value is None) == (by_alias[alias] in ("payments-api", "web-app"))
    errors = {e["path"][0]: e for e in body["errors"]}
    forbidden = errors[f"r{names.index('payments-api')}"]
    assert forbidden["type"] == "FORBIDDEN" and "SAML enforcement" in forbidden["message"]
    assert forbidden["extensions"] == {"saml_failure": True}
    assert errors[f"r{names.index('web-app')}"]["type"] == "NOT_FOUND"


def test_missing_schema_names_the_install_command(
    github: httpx.Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SCHEMA_ENV, str(tmp_path / "schema.graphql"))
    with pytest.raises(SchemaMissingError, match=r"scripts/install\.sh"):
        github_schema()
    response = github.post("/graphql", json={"query": SMALL_QUERY})
    assert response.status_code == 500 and "scripts/install.sh" in response.json()["message"]
    monkeypatch.delenv(SCHEMA_ENV)
    assert gql(github, SMALL_QUERY)["data"]["viewer"]["login"] == "pulse-sim"


def test_keyset_cursors_survive_data_changes_between_pages(
    github: httpx.Client, sim: RunningSimulator, ds: Dataset
) -> None:
    query = """query($after: String) { repository(owner: "acme", name: "payments-api") {
        pullRequests(first: 10, after: $after, orderBy: {field: UPDATED_AT, direction: ASC}) {
          pageInfo { endCursor } edges { cursor node { number updatedAt } } } } }"""
    first = gql(github, query)["data"]["repository"]["pullRequests"]
    edges = first["edges"]
    assert edges[-1]["cursor"] == first["pageInfo"]["endCursor"]
    last_seen = (edges[-1]["node"]["updatedAt"], edges[-1]["node"]["number"])
    before = {p.number: p.updated_at for p in ds.repository("payments-api").pulls}
    assert httpx.post(f"{sim.base_url}/_sim/advance", json={"hours": 48, "new_pulls_per_repo": 3}).status_code == 200
    rest = gql(github, query, {"after": first["pageInfo"]["endCursor"]})["data"]["repository"]["pullRequests"]
    numbers = [e["node"]["number"] for e in rest["edges"]]
    # Everything after the cursor's (updatedAt, number), in order: nothing from the first page comes back
    # unless it was updated since, and nothing that was not updated is skipped.
    keys = [(e["node"]["updatedAt"], e["node"]["number"]) for e in rest["edges"]]
    assert keys == sorted(keys) and all(key > last_seen for key in keys)
    skipped = [
        p.number
        for p in ds.repository("payments-api").pulls
        if before.get(p.number) == p.updated_at
        and last_seen < (iso_z(p.updated_at), p.number) <= keys[-1]
        and p.number not in numbers
    ]
    assert len(numbers) == 10 and skipped == []


def iso_z(value: Any) -> str:
    """GitHub's timestamp form."""
    return str(value.isoformat()[:19] + "Z")


def test_rest_rate_limit_route_reports_the_graphql_points(github: httpx.Client) -> None:
    gql(github, DOCS_EXAMPLE)
    resources = github.get("/rate_limit").json()["resources"]
    assert resources["graphql"]["used"] == 51 and resources["core"]["used"] == 0
