"""GitLab REST v4 streams: where each record kind is listed and how one record becomes a Pulse row.

Rows have the shapes of the GitHub streams' rows, so merge requests land in `pull_requests`, projects in
`repositories`, issues in `github_issues` (the repository issue table), and every metric reads them alike.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pulse.etl.connectors.base.http import Page
from pulse.etl.connectors.base.paginate import GitLabPaginator
from pulse.etl.connectors.base.streams import MalformedRecord, Stream, parse_time, require_time
from pulse.etl.connectors.github.streams import keys_found, label_names

# GitLab's deployment and pipeline status words as Pulse's deployment statuses (`canceled` is no failure).
DEPLOYMENT_STATUS = {
    "success": "success",
    "failed": "failure",
    "canceled": "error",
    "skipped": "error",
    "running": "in_progress",
    "created": "queued",
    "pending": "queued",
    "waiting_for_resource": "queued",
    "preparing": "queued",
    "scheduled": "queued",
    "manual": "queued",
    "blocked": "queued",
}
TERMINAL = ("success", "failure", "error")
APPROVED_NOTE = "approved this merge request"
CHANGES_REQUESTED_NOTE = "requested changes"


def path_id(path: str) -> str:
    """A group or project path as a URL id (`group/sub/project` → `group%2Fsub%2Fproject`)."""
    return quote(path.strip().strip("/"), safe="")


def username(user: Any) -> str | None:
    """A user object's username."""
    return user.get("username") if isinstance(user, dict) else None


class GitLabStream(Stream[dict[str, Any]]):
    """A GitLab listing: `Link`/`X-Next-Page` paging, no conditional requests unless a stream asks.

    GitLab's ETag covers a page's body only, so the last page of a listing can grow at its end without a new
    ETag: only listings that are one fixed URL send `If-None-Match`; incremental ones use `updated_after`.
    """

    paginator = GitLabPaginator
    conditional = False


class Projects(GitLabStream):
    """Projects of a group and its subgroups (keyset paginated by id)."""

    name = "repositories"
    path = "/groups/{group}/projects"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        full_name = str(record["path_with_namespace"])
        owner, _, name = full_name.rpartition("/")
        if not owner or not name:
            raise MalformedRecord(f"path_with_namespace {full_name!r} has no namespace")
        return {
            "external_id": str(int(record["id"])),
            "full_name": full_name,
            "owner": owner,
            "name": name,
            "default_branch": record.get("default_branch"),
            "html_url": record.get("web_url"),
            "is_private": record.get("visibility", "private") != "public",
        }


class MergeRequests(GitLabStream):
    """Merge requests of every state, oldest update first, so the cursor moves forward page by page."""

    name = "pull_requests"
    path = "/projects/{project}/merge_requests"
    cursor_field = "updated_at"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        merged_at = parse_time(record.get("merged_at"))
        state = {"opened": "open", "locked": "open", "closed": "closed", "merged": "merged"}.get(str(record["state"]))
        if state is None:
            raise MalformedRecord(f"unknown state {record['state']!r}")
        if state == "merged" and merged_at is None:
            # Merged before GitLab recorded merge times: the last update is the best estimate.
            merged_at = require_time(record.get("updated_at"), "updated_at")
        title = str(record.get("title") or "")
        # Squash merges land as the squash commit; fast-forward merges as the head commit itself.
        merge_sha = record.get("merge_commit_sha") or record.get("squash_commit_sha") or record.get("sha")
        return {
            "external_id": str(int(record["id"])),
            "number": int(record["iid"]),
            "title": title,
            "author_login": username(record.get("author")),
            "state": state,
            "draft": bool(record.get("draft", record.get("work_in_progress", False))),
            "opened_at": require_time(record.get("created_at"), "created_at"),
            "source_updated_at": require_time(record.get("updated_at"), "updated_at"),
            "closed_at": merged_at if state == "merged" else parse_time(record.get("closed_at")),
            "merged_at": merged_at if state == "merged" else None,
            "merge_commit_sha": merge_sha if state == "merged" else None,
            "head_ref": record.get("source_branch"),
            "base_ref": record.get("target_branch"),
            "additions": None,
            "deletions": None,
            "changed_files": None,
            "_keys": keys_found(branch=record.get("source_branch"), title=title, body=record.get("description")),
        }


class Approvals(GitLabStream):
    """Who approved one merge request (one object, no paging)."""

    name = "pull_request_reviews"
    path = "/projects/{project}/merge_requests/{iid}/approvals"
    primary_key = "username"

    def records(self, page: Page) -> list[dict[str, Any]]:
        """The `approved_by` users of the answer."""
        if not isinstance(page.data, dict):
            raise MalformedRecord("approvals answer is not an object")
        return [entry["user"] for entry in page.data.get("approved_by") or [] if isinstance(entry, dict)]

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"reviewer_login": str(record["username"])}


class Notes(GitLabStream):
    """Notes of one merge request, oldest first (system notes are kept here for approval times)."""

    name = "pull_request_comments"
    path = "/projects/{project}/merge_requests/{iid}/notes"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "external_id": str(int(record["id"])),
            "author_login": username(record.get("author")),
            "commented_at": require_time(record.get("created_at"), "created_at"),
            "system": bool(record.get("system", False)),
            "body": str(record.get("body") or ""),
        }


class CommitStream(GitLabStream):
    """A listing of GitLab commits."""

    primary_key = "id"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return commit_row(record)


class MergeRequestCommits(CommitStream):
    """Commits of one merge request."""

    name = "pull_request_commits"
    path = "/projects/{project}/merge_requests/{iid}/commits"


class MergeRequestDiffs(GitLabStream):
    """File diffs of one merge request, for its size figures."""

    name = "pull_request_details"
    path = "/projects/{project}/merge_requests/{iid}/diffs"
    primary_key = "new_path"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        diff = record["diff"]
        if not isinstance(diff, str):
            raise MalformedRecord("diff is not text")
        lines = diff.splitlines()
        return {
            "additions": sum(1 for line in lines if line.startswith("+") and not line.startswith("+++")),
            "deletions": sum(1 for line in lines if line.startswith("-") and not line.startswith("---")),
        }


class Issues(GitLabStream):
    """Issues with labels; GitLab incidents (`issue_type: incident`) also get the `incident` label."""

    name = "github_issues"
    path = "/projects/{project}/issues"
    cursor_field = "updated_at"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        labels = label_names(record.get("labels"))
        if str(record.get("issue_type") or "").lower() == "incident":
            labels.add("incident")
        return {
            "external_id": str(int(record["id"])),
            "number": int(record["iid"]),
            "title": str(record.get("title") or ""),
            "state": "open" if record["state"] == "opened" else "closed",
            "labels": sorted(labels),
            "author_login": username(record.get("author")),
            "opened_at": require_time(record.get("created_at"), "created_at"),
            "closed_at": parse_time(record.get("closed_at")),
            "source_updated_at": require_time(record.get("updated_at"), "updated_at"),
        }


class Environments(GitLabStream):
    """Environments of a project, for their deployment tier."""

    name = "environments"
    path = "/projects/{project}/environments"
    conditional = True

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"name": str(record["name"]), "tier": record.get("tier")}


class Deployments(GitLabStream):
    """Deployments, oldest update first."""

    name = "deployments"
    path = "/projects/{project}/deployments"
    cursor_field = "updated_at"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        sha, status = sha_and_status(record)
        environment = record.get("environment") or {}
        created = require_time(record.get("created_at"), "created_at")
        finished = parse_time(record.get("finished_at")) if status in TERMINAL else None
        if status in TERMINAL and finished is None:
            finished = require_time(record.get("updated_at"), "updated_at")
        return {
            "external_id": f"deployment:{int(record['id'])}",
            "environment": str(environment["name"]),
            "tier": environment.get("tier"),
            "sha": sha,
            "ref": record.get("ref"),
            "source": "deployment",
            "status": status,
            "started_at": created,
            "finished_at": finished,
            "source_updated_at": parse_time(record.get("updated_at")) or created,
        }


class Pipelines(GitLabStream):
    """Pipelines of the default branch, oldest update first: a deployment source of their own."""

    name = "pipelines"
    path = "/projects/{project}/pipelines"
    cursor_field = "updated_at"

    def transform(self, record: dict[str, Any]) -> dict[str, Any]:
        sha, status = sha_and_status(record)
        created = require_time(record.get("created_at"), "created_at")
        updated = require_time(record.get("updated_at"), "updated_at")
        return {
            "external_id": f"pipeline:{int(record['id'])}",
            "environment": "production",
            "sha": sha,
            "ref": record.get("ref"),
            "source": "pipeline",
            "status": status,
            "started_at": created,
            # The list shape has no finish time; a finished pipeline's last update is when it finished.
            "finished_at": updated if status in TERMINAL else None,
            "source_updated_at": updated,
            "_source": record.get("source"),
        }


class Compare(CommitStream):
    """Commits between two refs, oldest first (one answer; GitLab does not paginate compare)."""

    name = "compare"
    path = "/projects/{project}/repository/compare"
    records_key = "commits"


class Commits(CommitStream):
    """Commits reachable from a ref, newest first (what the first production deployment shipped)."""

    name = "commits"
    path = "/projects/{project}/repository/commits"


def sha_and_status(record: dict[str, Any]) -> tuple[str, str]:
    """A deployment's or pipeline's commit sha (required) and its status as a Pulse deployment status."""
    sha = record["sha"]
    if not isinstance(sha, str) or not sha:
        raise MalformedRecord("sha is missing")
    return sha, DEPLOYMENT_STATUS.get(str(record.get("status")), "queued")


def commit_row(record: dict[str, Any]) -> dict[str, Any]:
    """A GitLab commit as a row (GitLab commits name their author, they carry no username)."""
    sha = record["id"]
    if not isinstance(sha, str) or not sha:
        raise MalformedRecord("id (sha) is missing")
    return {
        "sha": sha,
        "author_login": record.get("author_name"),
        "authored_at": parse_time(record.get("authored_date")),
        "committed_at": parse_time(record.get("committed_date")),
        "message": record.get("message"),
    }
