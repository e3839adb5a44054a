"""GitHub GraphQL records as rows: the same rows the REST streams (`streams.py`) write for the same objects.

Ids are GitHub's `fullDatabaseId` or `databaseId` (the REST `id`), states are lower-cased to the REST
spelling, and derived columns use the REST helpers, so a sync through either API stores identical rows.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulse.etl.connectors.base.streams import MalformedRecord, Stream, parse_time, require_time
from pulse.etl.connectors.github import streams as gh


def nodes(connection: Any) -> list[dict[str, Any]]:
    """The non-null nodes of a connection object (GitHub answers null for nodes it could not resolve)."""
    if not isinstance(connection, dict):
        return []
    return [n for n in connection.get("nodes") or [] if isinstance(n, dict)]


def next_cursor(connection: Any) -> str | None:
    """The cursor to ask the next page from, or None after the last page."""
    info = (connection.get("pageInfo") if isinstance(connection, dict) else None) or {}
    return str(info["endCursor"]) if info.get("hasNextPage") and info.get("endCursor") else None


def database_id(node: dict[str, Any]) -> str:
    """A node's REST id (`fullDatabaseId`, a BigInt string, or `databaseId`) as the external id."""
    value = node["fullDatabaseId"] if "fullDatabaseId" in node else node["databaseId"]
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise MalformedRecord(f"database id {value!r} is not an integer")
    return str(int(value))


def git_commit_row(commit: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL `Commit` as the row REST's `commit_row` makes of the same commit."""
    sha = commit["oid"]
    if not isinstance(sha, str) or not sha:
        raise MalformedRecord("oid is missing")
    author = commit.get("author") or {}
    return {
        "sha": sha,
        "author_login": gh.login(author.get("user")) or author.get("name"),
        "authored_at": parse_time(commit.get("authoredDate")),
        "committed_at": parse_time(commit.get("committedDate")),
        "message": commit.get("message"),
    }


class GraphQLStream(Stream[Any]):
    """A GraphQL record kind: only `transform` (pages come from queries, not from a REST path)."""

    path: ClassVar[str] = "/graphql"
    primary_key: ClassVar[str] = "fullDatabaseId"


class Repositories(GraphQLStream):
    """Repositories of an organisation or named ones."""

    name = "repositories"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        owner = gh.login(record.get("owner"))
        if not owner or not record.get("name"):
            raise MalformedRecord("owner or name is missing")
        return {
            "external_id": database_id(record),
            "full_name": str(record.get("nameWithOwner") or f"{owner}/{record['name']}"),
            "owner": owner,
            "name": str(record["name"]),
            "default_branch": (record.get("defaultBranchRef") or {}).get("name"),
            "html_url": record.get("url"),
            "is_private": bool(record.get("isPrivate", False)),
        }


class PullRequests(GraphQLStream):
    """A pull request with its reviews, commits and review comments (nested connections already completed)."""

    name = "pull_requests"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        merged_at = parse_time(record.get("mergedAt"))
        state = "merged" if merged_at else str(record["state"]).lower()
        if state not in ("open", "closed", "merged"):
            raise MalformedRecord(f"unknown state {state!r}")
        head = record.get("headRefName")
        pr = {
            "external_id": database_id(record),
            "number": int(record["number"]),
            "title": str(record.get("title") or ""),
            "author_login": gh.login(record.get("author")),
            "state": state,
            "draft": bool(record.get("isDraft", False)),
            "opened_at": require_time(record.get("createdAt"), "createdAt"),
            "source_updated_at": require_time(record.get("updatedAt"), "updatedAt"),
            "closed_at": parse_time(record.get("closedAt")),
            "merged_at": merged_at,
            "merge_commit_sha": (record.get("mergeCommit") or {}).get("oid") if merged_at else None,
            "head_ref": head,
            "base_ref": record.get("baseRefName"),
            # Sizes come with every GraphQL page at no extra cost, so they are always stored here.
            "additions": record.get("additions"),
            "deletions": record.get("deletions"),
            "changed_files": record.get("changedFiles"),
            "_keys": gh.keys_found(branch=head, title=record.get("title"), body=record.get("body")),
        }
        reviews = nodes(record.get("reviews"))
        return {
            "pr": pr,
            "reviews": [review_row(r) for r in reviews],
            "commits": [git_commit_row(c["commit"]) for c in nodes(record.get("commits"))],
            "comments": [comment_row(c) for r in reviews for c in nodes(r.get("comments"))],
            "body": None,
        }


def review_row(review: dict[str, Any]) -> dict[str, Any]:
    """A review as REST's `PullRequestReviews` row."""
    return {
        "external_id": database_id(review),
        "reviewer_login": gh.login(review.get("author")),
        "state": str(review["state"]),
        "submitted_at": parse_time(review.get("submittedAt")),
    }


def comment_row(comment: dict[str, Any]) -> dict[str, Any]:
    """A review comment as REST's `PullRequestComments` row."""
    return {
        "external_id": database_id(comment),
        "author_login": gh.login(comment.get("author")),
        "commented_at": require_time(comment.get("createdAt"), "createdAt"),
    }


class Issues(GraphQLStream):
    """Issues with their labels (GraphQL lists no pull requests among them)."""

    name = "github_issues"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": database_id(record),
            "number": int(record["number"]),
            "title": str(record.get("title") or ""),
            "state": str(record["state"]).lower(),
            "labels": sorted({str(label["name"]).lower() for label in nodes(record.get("labels"))}),
            "author_login": gh.login(record.get("author")),
            "opened_at": require_time(record.get("createdAt"), "createdAt"),
            "closed_at": parse_time(record.get("closedAt")),
            "source_updated_at": require_time(record.get("updatedAt"), "updatedAt"),
        }


class Deployments(GraphQLStream):
    """Deployments with their statuses inline: no request per deployment."""

    name = "deployments"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        sha = record.get("commitOid")
        if not isinstance(sha, str) or not sha:
            raise MalformedRecord("commitOid is missing")
        created = require_time(record.get("createdAt"), "createdAt")
        statuses: list[dict[str, Any]] = [
            {"state": str(s["state"]).lower(), "at": require_time(s.get("createdAt"), "createdAt")}
            for s in nodes(record.get("statuses"))
        ]
        status, finished = gh.latest_status(statuses)
        updated = parse_time(record.get("updatedAt")) or created
        return {
            "external_id": f"deployment:{database_id(record)}",
            "environment": str(record["environment"]),
            "sha": sha,
            "ref": (record.get("ref") or {}).get("name"),
            "source": "deployment",
            "status": status,
            "started_at": created,
            "finished_at": finished,
            "source_updated_at": max([updated, *(s["at"] for s in statuses)]),
            # REST's stop rule compares the deployment's own `updated_at`, before its statuses are read.
            "_listed_updated_at": updated,
        }


class Releases(GraphQLStream):
    """Releases; `target_commitish` is the tag's commit (GraphQL has no target field, and the sha is what shipped)."""

    name = "releases"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": database_id(record),
            "tag_name": str(record["tagName"]),
            "name": record.get("name"),
            "target_commitish": (record.get("tagCommit") or {}).get("oid"),
            "published_at": parse_time(record.get("publishedAt")),
            "draft": bool(record.get("isDraft", False)),
            "prerelease": bool(record.get("isPrerelease", False)),
        }


class History(GraphQLStream):
    """Commits reachable from a commit, newest first."""

    name = "commits"
    primary_key = "oid"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return git_commit_row(record)
