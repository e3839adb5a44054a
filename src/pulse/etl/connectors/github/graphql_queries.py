"""The GraphQL queries the GitHub connector sends, built from one description of each record's fields.

Every query is static text with variables (`$first`, `$after`, `$nested`...), so `all_queries()` can list
them and a test validates each against GitHub's published schema. Each asks `rateLimit` for its cost.
Nested connections (a pull request's reviews and commits, a review's comments, a deployment's statuses,
an issue's labels) take `first: $nested`; a node with more than that is completed by `follow_up` queries
that page one connection of one node through `node(id:)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

PAGE_INFO = "pageInfo { hasNextPage endCursor }"
RATE_LIMIT = "rateLimit { cost remaining resetAt }"
ACTOR = "author { login }"
GIT_COMMIT = "oid authoredDate committedDate message author { name user { login } }"


@dataclass(frozen=True)
class Nested:
    """A connection inside a node: its field on the parent type, the fields of its nodes and its own children."""

    field: str
    parent: str
    selection: str
    children: tuple[Nested, ...] = ()
    # Extra arguments (an order) that the first page and every follow-up page share, so cursors stay valid.
    arguments: str = ""
    first: str = "$nested"

    def node_fields(self) -> str:
        """Fields of one node, children included (first page of each)."""
        return " ".join([self.selection, *(child.first_page() for child in self.children)])

    def first_page(self) -> str:
        """The connection as it appears inside its parent's selection."""
        return connection(f"{self.field}(first: {self.first}{self.arguments})", self.node_fields())


def connection(head: str, fields: str) -> str:
    """`head { pageInfo nodes { fields } }`."""
    return f"{head} {{ {PAGE_INFO} nodes {{ {fields} }} }}"


# `fullDatabaseId` (a BigInt string) where GitHub has it: `databaseId` is a 32-bit Int that real ids outgrew.
REVIEW_COMMENTS = Nested("comments", "PullRequestReview", f"fullDatabaseId {ACTOR} createdAt")
REVIEWS = Nested("reviews", "PullRequest", f"id fullDatabaseId state {ACTOR} submittedAt", (REVIEW_COMMENTS,))
PR_COMMITS = Nested("commits", "PullRequest", f"commit {{ {GIT_COMMIT} }}")
STATUSES = Nested("statuses", "Deployment", "state createdAt")
LABELS = Nested("labels", "Issue", "name")

RELEASE = "databaseId tagName name tagCommit { oid } publishedAt isDraft isPrerelease"
# A repository's releases come with it (`$releases`, 100): GitHub charges a connection per parent whatever its
# `first`, so 100 releases in the listing cost what one would; a repository with more gets follow-up pages.
RELEASES = Nested(
    "releases", "Repository", RELEASE, arguments=", orderBy: {field: CREATED_AT, direction: DESC}", first="$releases"
)
REPOSITORY = (
    "id databaseId name nameWithOwner owner { login } defaultBranchRef { name } url isPrivate " + RELEASES.first_page()
)
# The newest pull request, issue and deployment of a repository, read with the repository list: a stream
# whose newest record is not newer than its cursor is not queried at all (an unchanged re-sync's saving).
NEWEST = (
    "pullRequests(first: 1, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { updatedAt } } "
    "issues(first: 1, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { updatedAt } } "
    "deployments(first: 1, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { createdAt updatedAt } }"
)
PULL_REQUEST = (
    "id fullDatabaseId number title body state isDraft createdAt updatedAt closedAt mergedAt "
    f"{ACTOR} headRefName baseRefName mergeCommit {{ oid }} additions deletions changedFiles"
)
DEPLOYMENT = "id databaseId environment commitOid ref { name } createdAt updatedAt"
ISSUE = f"id fullDatabaseId number title state createdAt updatedAt closedAt {ACTOR}"

NESTED: dict[str, tuple[Nested, ...]] = {
    "PullRequest": (REVIEWS, PR_COMMITS),
    "PullRequestReview": (REVIEW_COMMENTS,),
    "Deployment": (STATUSES,),
    "Issue": (LABELS,),
    "Repository": (RELEASES,),
}


def _with_children(type_name: str, fields: str) -> str:
    return " ".join([fields, *(n.first_page() for n in NESTED.get(type_name, ()))])


def _repository_query(variables: str, body: str) -> str:
    return (
        f"query($owner: String!, $name: String!{', ' + variables if variables else ''}) {{ {RATE_LIMIT} "
        f"repository(owner: $owner, name: $name) {{ {body} }} }}"
    )


ORG_REPOSITORIES = (
    f"query($login: String!, $first: Int!, $after: String, $releases: Int!) {{ {RATE_LIMIT} "
    "organization(login: $login) { "
    + connection(
        "repositories(first: $first, after: $after, orderBy: {field: NAME, direction: ASC})", f"{REPOSITORY} {NEWEST}"
    )
    + " } }"
)
NAMED_REPOSITORY = _repository_query("$releases: Int!", f"{REPOSITORY} {NEWEST}")
PULL_REQUESTS = _repository_query(
    "$first: Int!, $after: String, $nested: Int!",
    connection(
        "pullRequests(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC})",
        _with_children("PullRequest", PULL_REQUEST),
    ),
)
ISSUES = _repository_query(
    "$first: Int!, $after: String, $nested: Int!, $since: DateTime",
    connection(
        "issues(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: ASC}, filterBy: {since: $since})",
        _with_children("Issue", ISSUE),
    ),
)
DEPLOYMENTS = _repository_query(
    "$first: Int!, $after: String, $nested: Int!",
    connection(
        "deployments(first: $first, after: $after, orderBy: {field: CREATED_AT, direction: DESC})",
        _with_children("Deployment", DEPLOYMENT),
    ),
)
HISTORY = _repository_query(
    "$oid: GitObjectID!, $first: Int!, $after: String, $since: GitTimestamp",
    "object(oid: $oid) { ... on Commit { "
    + connection("history(first: $first, after: $after, since: $since)", GIT_COMMIT)
    + " } }",
)

# Shipped changes: the history of many deployments' shas in one query, each aliased `d{slot}` with its own
# `$oid{slot}` and `$after{slot}` (a walk's next page); `$first` commits a page.
SHIPPED_BATCH = 25


@cache
def shipped_history(count: int) -> str:
    """The query that reads one page of history from each of `count` commits."""
    variables = ", ".join(f"$oid{k}: GitObjectID!, $after{k}: String" for k in range(count))
    body = " ".join(
        f"d{k}: object(oid: $oid{k}) {{ ... on Commit {{ "
        + connection(f"history(first: $first, after: $after{k})", GIT_COMMIT)
        + " } }"
        for k in range(count)
    )
    return _repository_query(f"$first: Int!, {variables}", body)


def follow_up(nested: Nested) -> str:
    """The query that pages `nested` of one node (`$id`) from `$after` on."""
    fields = nested.node_fields()
    variables = "$id: ID!, $first: Int!, $after: String" + (", $nested: Int!" if "$nested" in fields else "")
    return (
        f"query({variables}) {{ {RATE_LIMIT} node(id: $id) {{ ... on {nested.parent} {{ "
        + connection(f"{nested.field}(first: $first, after: $after{nested.arguments})", fields)
        + " } } }"
    )


def all_queries() -> dict[str, str]:
    """Every query the connector can send, by name."""
    queries = {
        "org_repositories": ORG_REPOSITORIES,
        "named_repository": NAMED_REPOSITORY,
        "pull_requests": PULL_REQUESTS,
        "issues": ISSUES,
        "deployments": DEPLOYMENTS,
        "history": HISTORY,
        "shipped_history": shipped_history(SHIPPED_BATCH),
        "shipped_history:1": shipped_history(1),
    }
    for children in NESTED.values():
        for nested in children:
            queries[f"follow_up:{nested.parent}.{nested.field}"] = follow_up(nested)
    return queries
