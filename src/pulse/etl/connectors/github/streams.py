"""GitHub REST v3 streams: where each record kind is listed and how one record becomes a row."""

from __future__ import annotations

import re
from typing import Any

from pulse.etl.connectors.base.http import Page
from pulse.etl.connectors.base.streams import MalformedRecord, Stream, parse_time, require_time

# Jira keys: a project key (letters, digits, underscores, starting with a letter) and a number.
JIRA_KEY = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]{0,9}-[1-9][0-9]{0,7})(?![0-9])")
TERMINAL_STATES = ("success", "failure", "error")
SHA = re.compile(r"[0-9a-f]{40}")
KNOWN_STATES = ("success", "failure", "error", "pending", "queued", "in_progress")


def login(user: Any) -> str | None:
    """A user object's login."""
    return user.get("login") if isinstance(user, dict) else None


def jira_keys(text: str | None) -> set[str]:
    """Jira issue keys mentioned in a text (branch names are often lower-case, so keys are upper-cased)."""
    return {match.upper() for match in JIRA_KEY.findall(text or "")}


def keys_found(**texts: Any) -> list[tuple[str, str]]:
    """(Jira key, where) pairs found in a change's texts, e.g. `branch=`, `title=`, `body=`."""
    return [
        (key, found_in)
        for found_in, text in texts.items()
        for key in sorted(jira_keys(text if isinstance(text, str) else None))
    ]


def label_names(labels: Any) -> set[str]:
    """Lower-cased label names from label objects or plain strings."""
    return {str(label["name"] if isinstance(label, dict) else label).lower() for label in labels or []}


class Repositories(Stream[dict[str, Any]]):
    """An organisation's repositories (named repositories are fetched one by one instead)."""

    conditional = False
    name = "repositories"
    path = "/orgs/{org}/repos"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        full_name = record["full_name"]
        owner, _, name = full_name.partition("/")
        if not name:
            raise MalformedRecord(f"full_name {full_name!r} is not owner/name")
        return {
            "external_id": str(int(record["id"])),
            "full_name": full_name,
            "owner": owner,
            "name": name,
            "default_branch": record.get("default_branch"),
            "html_url": record.get("html_url"),
            "is_private": bool(record.get("private", False)),
        }


class PullRequests(Stream[dict[str, Any]]):
    """Pull requests, most recently updated first, so an incremental run stops at its cursor."""

    name = "pull_requests"
    path = "/repos/{owner}/{repo}/pulls"
    cursor_field = "updated_at"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        merged_at = parse_time(record.get("merged_at"))
        state = "merged" if merged_at else record["state"]
        if state not in ("open", "closed", "merged"):
            raise MalformedRecord(f"unknown state {state!r}")
        head, base = record.get("head") or {}, record.get("base") or {}
        return {
            "external_id": str(int(record["id"])),
            "number": int(record["number"]),
            "title": str(record.get("title") or ""),
            "author_login": login(record.get("user")),
            "state": state,
            "draft": bool(record.get("draft", False)),
            "opened_at": require_time(record.get("created_at"), "created_at"),
            "source_updated_at": require_time(record.get("updated_at"), "updated_at"),
            "closed_at": parse_time(record.get("closed_at")),
            "merged_at": merged_at,
            "merge_commit_sha": record.get("merge_commit_sha") if merged_at else None,
            "head_ref": head.get("ref"),
            "base_ref": base.get("ref"),
            # The list shape has no size figures; the single-PR shape does (kept when present).
            "additions": record.get("additions"),
            "deletions": record.get("deletions"),
            "changed_files": record.get("changed_files"),
            "_keys": keys_found(branch=head.get("ref"), title=record.get("title"), body=record.get("body")),
        }


class PullRequestDetail(Stream[dict[str, Any]]):
    """One pull request in the single-PR shape, for the size figures the list shape lacks."""

    conditional = False
    name = "pull_request_details"
    path = "/repos/{owner}/{repo}/pulls/{number}"

    def records(self, page: Page) -> list[dict[str, Any]]:
        """The one object of the page; anything else is skipped and reported (the sizes stay unknown)."""
        if isinstance(page.data, dict):
            return [page.data]
        self.counts.skip(self.name, page.url, MalformedRecord("the answer is not a pull request object"))
        return []

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        sizes = {field: record[field] for field in ("additions", "deletions", "changed_files")}
        for field, value in sizes.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise MalformedRecord(f"{field} {value!r} is not a count")
        return sizes


class PullRequestReviews(Stream[dict[str, Any]]):
    """Reviews of one pull request."""

    conditional = False
    name = "pull_request_reviews"
    path = "/repos/{owner}/{repo}/pulls/{number}/reviews"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": str(int(record["id"])),
            "reviewer_login": login(record.get("user")),
            "state": str(record["state"]),
            "submitted_at": parse_time(record.get("submitted_at")),
        }


class PullRequestCommits(Stream[dict[str, Any]]):
    """Commits of one pull request."""

    conditional = False
    name = "pull_request_commits"
    path = "/repos/{owner}/{repo}/pulls/{number}/commits"
    primary_key = "sha"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return commit_row(record)


class PullRequestComments(Stream[dict[str, Any]]):
    """Review comments of one pull request."""

    conditional = False
    name = "pull_request_comments"
    path = "/repos/{owner}/{repo}/pulls/{number}/comments"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": str(int(record["id"])),
            "author_login": login(record.get("user")),
            "commented_at": require_time(record.get("created_at"), "created_at"),
        }


class RepositoryReviewComments(PullRequestComments):
    """Review comments of a whole repository since a time (one listing instead of one per pull request)."""

    name = "pull_request_comments"
    path = "/repos/{owner}/{repo}/pulls/comments"
    conditional = True

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        row = super().transform(record)
        url = str(record["pull_request_url"])
        row["pr_number"] = int(url.rstrip("/").rsplit("/", 1)[1])
        row["updated_at"] = require_time(record.get("updated_at") or record.get("created_at"), "updated_at")
        return row


class Issues(Stream[dict[str, Any] | None]):
    """Issues (pull requests, which GitHub lists here too, become None and are dropped)."""

    name = "github_issues"
    path = "/repos/{owner}/{repo}/issues"
    cursor_field = "updated_at"

    def transform(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if "pull_request" in record:
            return None
        labels = label_names(record.get("labels"))
        return {
            "external_id": str(int(record["id"])),
            "number": int(record["number"]),
            "title": str(record.get("title") or ""),
            "state": str(record["state"]),
            "labels": sorted(labels),
            "author_login": login(record.get("user")),
            "opened_at": require_time(record.get("created_at"), "created_at"),
            "closed_at": parse_time(record.get("closed_at")),
            "source_updated_at": require_time(record.get("updated_at"), "updated_at"),
        }


class Deployments(Stream[dict[str, Any]]):
    """Deployments, newest first."""

    name = "deployments"
    path = "/repos/{owner}/{repo}/deployments"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        sha = record["sha"]
        if not isinstance(sha, str) or not sha:
            raise MalformedRecord("sha is missing")
        created = require_time(record.get("created_at"), "created_at")
        return {
            "external_id": f"deployment:{int(record['id'])}",
            "id": int(record["id"]),
            "environment": str(record["environment"]),
            "sha": sha,
            "ref": record.get("ref"),
            "source": "deployment",
            "started_at": created,
            "source_updated_at": parse_time(record.get("updated_at")) or created,
        }


class DeploymentStatuses(Stream[dict[str, Any]]):
    """Statuses of one deployment, newest first."""

    conditional = False
    name = "deployment_statuses"
    path = "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"state": str(record["state"]), "at": require_time(record.get("created_at"), "created_at")}


def latest_status(statuses: list[dict[str, Any]]) -> tuple[str, Any]:
    """(status, finished_at) from statuses: the newest non-`inactive` one; finish time only when terminal."""
    ordered = sorted(statuses, key=lambda s: s["at"], reverse=True)
    for status in ordered:
        if status["state"] == "inactive":
            continue
        state = status["state"] if status["state"] in KNOWN_STATES else "pending"
        return state, status["at"] if state in TERMINAL_STATES else None
    return "pending", None


class Releases(Stream[dict[str, Any]]):
    """Releases, newest first."""

    name = "releases"
    path = "/repos/{owner}/{repo}/releases"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": str(int(record["id"])),
            "tag_name": str(record["tag_name"]),
            "name": record.get("name"),
            "target_commitish": record.get("target_commitish"),
            "published_at": parse_time(record.get("published_at")),
            "draft": bool(record.get("draft", False)),
            "prerelease": bool(record.get("prerelease", False)),
        }


class WorkflowRuns(Stream[dict[str, Any]]):
    """GitHub Actions workflow runs, newest first."""

    name = "workflow_runs"
    path = "/repos/{owner}/{repo}/actions/runs"
    records_key = "workflow_runs"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        status = record.get("status")
        return {
            "external_id": str(int(record["id"])),
            "workflow_id": record.get("workflow_id"),
            "name": record.get("name"),
            "head_sha": record.get("head_sha"),
            "head_branch": record.get("head_branch"),
            "event": record.get("event"),
            "status": status,
            "conclusion": record.get("conclusion"),
            "run_started_at": parse_time(record.get("run_started_at") or record.get("created_at")),
            "completed_at": parse_time(record.get("updated_at")) if status == "completed" else None,
        }


class Compare(Stream[dict[str, Any]]):
    """Commits between two refs, oldest first."""

    conditional = False
    name = "compare"
    path = "/repos/{owner}/{repo}/compare/{basehead}"
    records_key = "commits"
    primary_key = "sha"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return commit_row(record)


class Commits(Stream[dict[str, Any]]):
    """Commits reachable from a ref, newest first (what the first production deployment shipped)."""

    name = "commits"
    path = "/repos/{owner}/{repo}/commits"
    primary_key = "sha"
    conditional = False

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return commit_row(record)


def commit_row(record: dict[str, Any]) -> dict[str, Any]:
    """A commit object (as /commits, /pulls/{n}/commits and compare list them) as a row."""
    sha = record["sha"]
    if not isinstance(sha, str) or not sha:
        raise MalformedRecord("sha is missing")
    commit = record.get("commit") or {}
    author = commit.get("author") or {}
    committer = commit.get("committer") or {}
    return {
        "sha": sha,
        "author_login": login(record.get("author")) or author.get("name"),
        "authored_at": parse_time(author.get("date")),
        "committed_at": parse_time(committer.get("date")),
        "message": commit.get("message"),
    }
