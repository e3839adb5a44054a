"""The GitLab connector: projects of groups (subgroups included) or named projects, stream by stream.

It reuses the GitHub sync's storage (same tables, same review figures, same shipped-changes computation):
a GitLab project is a repository, a merge request a pull request, approvals and change requests are
reviews, non-system notes are review comments, issues are repository issues, deployments and default-branch
pipelines are deployments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pulse.core.db.models.business import GithubIssue
from pulse.etl.connectors.base.http import EtagCache, SourceClient, SourceError
from pulse.etl.connectors.base.interface import IntegrationConfig, PermanentSyncError, SyncContext
from pulse.etl.connectors.base.probe import probe_identity
from pulse.etl.connectors.base.streams import iso, low_watermark
from pulse.etl.connectors.github.connector import (
    GitHubConnector,
    GitHubSync,
    Repo,
    _flag,
    integration_client,
    review_figures,
)
from pulse.etl.connectors.gitlab import streams as gl
from pulse.etl.load.upsert import upsert

API_PREFIX = "/api/v4"
DEPLOYMENT_SOURCES = ("deployment", "pipeline")


def api_root(base_url: str | None) -> str:
    """`https://gitlab.com` or a self-managed root (with or without `/api/v4`) as the API root."""
    root = (base_url or "https://gitlab.com").rstrip("/")
    return root if root.endswith(API_PREFIX) else root + API_PREFIX


def client_for(
    integration: IntegrationConfig, ctx: SyncContext | None = None, etags: EtagCache | None = None
) -> SourceClient:
    """A SourceClient on the GitLab API root; the token goes in `PRIVATE-TOKEN` (personal or group token)."""
    token = (integration.credentials or {}).get("token", "")
    headers = {"PRIVATE-TOKEN": token, "Accept": "application/json", "User-Agent": "pulse-etl"}
    return integration_client(integration, api_root(integration.base_url), headers, ctx, etags)


class GitLabConnector(GitHubConnector):
    """Projects, merge requests (approvals, notes, commits, sizes), issues, deployments or pipelines."""

    type: ClassVar[str] = "gitlab"

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """Calls `/user` with the token."""
        return probe_identity(client_for(integration), source="GitLab", path="/user", name_field="username")

    def reads_graphql(self, ctx: SyncContext) -> bool:
        """GitLab is read over its REST API only (GitHub's GraphQL path does not apply)."""
        return False

    def new_run(self, ctx: SyncContext) -> GitLabSync:
        """A GitLab sync run (projects and merge requests, stored like repositories and pull requests)."""
        return GitLabSync(ctx)


class GitLabSync(GitHubSync):
    """One sync run of one GitLab integration."""

    def __init__(self, ctx: SyncContext, etags: EtagCache | None = None) -> None:
        # Checked before the base opens its HTTP client and thread pool.
        source = str((ctx.integration.settings or {}).get("deployment_source") or "deployment")
        if source not in DEPLOYMENT_SOURCES:
            raise PermanentSyncError("settings.deployment_source must be `deployment` or `pipeline`")
        super().__init__(ctx, etags)
        self.deployment_source = source
        self.shipped_source = source
        # `tier`: a deployment's environment is its GitLab deployment tier (production, staging...).
        self.environment_from = str(self.settings.get("environment_from") or "name")
        # Sizes cost one `/diffs` listing per merge request: off unless asked for, like GitHub's details.
        self.fetch_details = _flag(self.settings.get("merge_request_details", False))
        self.repo_level_comments = False

    def make_client(self) -> SourceClient:
        """The GitLab client."""
        return client_for(self.integration, self.ctx, self.etags)

    def run(self) -> None:
        """All streams of all projects."""
        repos = self.sync_repositories()
        for index, repo in enumerate(repos):
            share = 100.0 / max(1, len(repos))
            self.progress(f"{repo.full_name}: merge requests", index * share)
            self.sync_merge_requests(repo)
            self.progress(f"{repo.full_name}: issues", (index + 0.5) * share)
            self.sync_issues(repo)
            self.progress(f"{repo.full_name}: {self.deployment_source}s", (index + 0.6) * share)
            if self.deployment_source == "pipeline":
                self.sync_pipelines(repo)
            else:
                self.sync_deployments(repo)
            self.progress(f"{repo.full_name}: production changes", (index + 0.9) * share)
            self.sync_shipped(repo)
        self.finish()

    # -- projects -------------------------------------------------------------------------------------------

    def sync_repositories(self) -> list[Repo]:
        """Named projects and every project of the named groups (subgroups included), upserted."""
        stream = gl.Projects(self.client, self.counts)
        projects = [str(p).strip().strip("/") for p in self.settings.get("projects") or [] if str(p).strip()]
        groups = [str(g).strip().strip("/") for g in self.settings.get("groups") or [] if str(g).strip()]
        if not projects and not groups:
            raise PermanentSyncError("settings must name `groups` or `projects`")
        rows: dict[str, dict[str, Any]] = {}
        for path in projects:
            page = self._get_or_fail(f"/projects/{gl.path_id(path)}", f"project {path}")
            for row in stream.rows([page.data]):
                rows[row["external_id"]] = row
        for group in groups:
            self._get_or_fail(f"/groups/{gl.path_id(group)}", f"group {group}")
            params = {"include_subgroups": "true", "archived": "false", "pagination": "keyset", "order_by": "id",
                      "sort": "asc", "per_page": self.page_size}  # fmt: skip
            for page in stream.pages(params, group=gl.path_id(group)):
                for row in stream.rows(stream.records(page)):
                    rows[row["external_id"]] = row
        return self.store_repositories(list(rows.values()))

    def _get_or_fail(self, path: str, what: str) -> Any:
        try:
            return self.client.get(path)
        except SourceError as exc:
            if exc.status == 404:
                raise PermanentSyncError(f"{what} not found or not accessible") from exc
            raise

    # -- merge requests -------------------------------------------------------------------------------------

    def sync_merge_requests(self, repo: Repo) -> None:
        """Merge requests updated since the cursor, oldest update first, with approvals, notes and commits."""
        name = f"merge_requests:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        stream = gl.MergeRequests(self.client, self.counts)
        params: dict[str, Any] = {"state": "all", "order_by": "updated_at", "sort": "asc", "per_page": self.page_size}
        if low is not None:
            params["updated_after"] = iso(low)
        cursor = checkpoint.get("cursor")
        for page in stream.pages(params, project=repo.external_id):
            rows = stream.rows(stream.records(page))
            details = [d for d in self.map(lambda r: self.gone_is_none(self.merge_request_details, repo, r), rows) if d]
            cursor = _latest(cursor, [r["source_updated_at"] for r in rows])
            self.commit(name, {"cursor": cursor}, lambda s, d=details: self.write_pull_requests(s, repo, d))
            self.counts.written["pull_requests"] += len(details)
            self.progress(f"{repo.full_name}: merge requests")

    def merge_request_details(self, repo: Repo, row: dict[str, Any]) -> dict[str, Any]:
        """Approvals, notes, commits and (with `merge_request_details`) sizes of one merge request."""
        args = {"project": repo.external_id, "iid": str(row["number"])}
        row = dict(row)
        if self.fetch_details:
            diffs = gl.MergeRequestDiffs(self.client, self.counts)
            files = [
                f for page in diffs.pages({"per_page": self.page_size}, **args) for f in diffs.rows(diffs.records(page))
            ]
            row.update(additions=sum(f["additions"] for f in files), deletions=sum(f["deletions"] for f in files),
                       changed_files=len(files))  # fmt: skip
        else:
            for field in ("additions", "deletions", "changed_files"):
                row.pop(field, None)
        notes_stream = gl.Notes(self.client, self.counts)
        notes = [
            n
            for page in notes_stream.pages(
                {"sort": "asc", "order_by": "created_at", "per_page": self.page_size}, **args
            )
            for n in notes_stream.rows(notes_stream.records(page))
        ]
        approvals = gl.Approvals(self.client, self.counts)
        approvers = [
            a["reviewer_login"] for page in approvals.pages({}, **args) for a in approvals.rows(approvals.records(page))
        ]
        commit_stream = gl.MergeRequestCommits(self.client, self.counts)
        commits = [
            c
            for page in commit_stream.pages({"per_page": self.page_size}, **args)
            for c in commit_stream.rows(commit_stream.records(page))
        ]
        reviews = reviews_of(row, notes, approvers)
        comments = [
            {k: n[k] for k in ("external_id", "author_login", "commented_at")} for n in notes if not n["system"]
        ]
        return {"pr": row, "reviews": reviews, "commits": commits, "comments": comments, "body": None,
                "note_reviews": note_reviews(row, notes)}  # fmt: skip

    def figures_of(self, pr: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        """Review figures where reviewers' comments also count as a first review; stored reviews are counted."""
        figures = review_figures(pr, detail["reviews"] + detail["note_reviews"], detail["commits"])
        figures["reviews_count"] = len(detail["reviews"])
        return figures

    # -- issues ---------------------------------------------------------------------------------------------

    def sync_issues(self, repo: Repo) -> None:
        """Issues updated since the cursor, oldest update first, with their labels (incidents by label)."""
        self.sync_listing(repo, gl.Issues, "issues", {"state": "all", "scope": "all"}, self.write_issues)

    def write_issues(self, session: Any, repo: Repo, rows: list[dict[str, Any]]) -> None:
        """Upsert issues into the repository issue table."""
        upsert(session, GithubIssue, [self.base({**r, "repository_id": repo.id}) for r in rows])
        self.counts.written["github_issues"] += len(rows)

    # -- deployments and pipelines ----------------------------------------------------------------------

    def sync_deployments(self, repo: Repo) -> None:
        """Deployments updated since the cursor; with `environment_from: tier`, named by their tier."""
        tiers = self.environment_tiers(repo) if self.environment_from == "tier" else {}

        def write(session: Any, repo: Repo, rows: list[dict[str, Any]]) -> None:
            out = []
            for row in rows:
                tier = row.pop("tier", None) or tiers.get(row["environment"])
                if self.environment_from == "tier" and tier:
                    row["environment"] = tier
                out.append(self.base({**row, "repository_id": repo.id}))
            self.write_deployments(session, out)
            self.counts.written["deployments"] += len(out)

        self.sync_listing(repo, gl.Deployments, "deployments", {"order_by": "updated_at", "sort": "asc"}, write)

    def environment_tiers(self, repo: Repo) -> dict[str, str]:
        """{environment name: deployment tier} of a project (one fixed-URL listing, answered 304 when unchanged)."""
        name = f"environments:{repo.full_name}"
        stream = gl.Environments(self.client, self.counts)
        tiers = dict((self.ctx.get_checkpoint(name) or {}).get("tiers") or {})
        fresh: dict[str, str] = {}
        changed = False
        for page in stream.pages({"per_page": self.page_size}, project=repo.external_id):
            if page.not_modified:
                continue
            changed = True
            fresh.update({r["name"]: r["tier"] for r in stream.rows(stream.records(page)) if r["tier"]})
        if changed:
            tiers = fresh
            self.commit(name, {"tiers": tiers}, lambda s: None)
        return tiers

    def sync_pipelines(self, repo: Repo) -> None:
        """Default-branch pipelines updated since the cursor, as `pipeline`-source production deployments."""
        branch = repo.default_branch

        def write(session: Any, repo: Repo, rows: list[dict[str, Any]]) -> None:
            out = []
            for row in rows:
                origin = row.pop("_source", None)
                # Merge-request and other-branch pipelines test changes; they deploy nothing.
                if origin in ("merge_request_event", "external_pull_request_event") or (
                    branch and row["ref"] != branch
                ):
                    continue
                out.append(self.base({**row, "repository_id": repo.id}))
            self.write_deployments(session, out)
            self.counts.written["deployments"] += len(out)

        params = (
            {"order_by": "updated_at", "sort": "asc", "ref": branch}
            if branch
            else {"order_by": "updated_at", "sort": "asc"}
        )
        self.sync_listing(repo, gl.Pipelines, "pipelines", params, write)

    def sync_listing(self, repo: Repo, stream_type: Any, kind: str, params: dict[str, Any], write: Any) -> None:
        """One `updated_after` listing, oldest update first: each page and the cursor in one commit."""
        name = f"{kind}:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        stream = stream_type(self.client, self.counts)
        query = {**params, "per_page": self.page_size}
        if low is not None:
            query["updated_after"] = iso(low)
        cursor = checkpoint.get("cursor")
        for page in stream.pages(query, project=repo.external_id):
            rows = stream.rows(stream.records(page))
            cursor = _latest(cursor, [r["source_updated_at"] for r in rows])
            self.commit(name, {"cursor": cursor}, lambda s, r=rows: write(s, repo, r))

    # -- what production deployments shipped ---------------------------------------------------------------

    def compare(self, repo: Repo, prev: str, sha: str) -> list[dict[str, Any]]:
        """Commits from GitLab's compare (`from` the previous production deployment `to` this one), oldest first."""
        stream = gl.Compare(self.client, self.counts)
        commits: list[dict[str, Any]] = []
        try:
            for page in stream.pages({"from": prev, "to": sha, "straight": "true"}, project=repo.external_id):
                commits.extend(stream.rows(stream.records(page)))
        except SourceError as exc:
            if exc.status not in (404, 422):
                raise
            self.ctx.log("warning", f"compare {prev[:12]}...{sha[:12]} of {repo.full_name} unavailable ({exc.status})")
            return []
        return commits

    def history(self, repo: Repo, sha: str) -> list[dict[str, Any]]:
        """Commits reachable from `sha` (since `sync_since`), oldest first: what the first deployment shipped."""
        history = gl.Commits(self.client, self.counts)
        params: dict[str, Any] = {"ref_name": sha, "per_page": self.page_size}
        since = low_watermark(None, self.sync_since, self.overlap)
        if since is not None:
            params["since"] = iso(since)
        commits: list[dict[str, Any]] = []
        for page in history.pages(params, project=repo.external_id):
            commits.extend(history.rows(history.records(page)))
        commits.reverse()
        return commits


def reviews_of(mr: dict[str, Any], notes: list[dict[str, Any]], approvers: list[str]) -> list[dict[str, Any]]:
    """Approvals (timed by their latest "approved" system note) and change requests, as review rows."""
    reviews = []
    approved_at: dict[str, datetime] = {}
    for note in notes:
        if note["system"] and note["body"].strip().lower() == gl.APPROVED_NOTE and note["author_login"]:
            approved_at[note["author_login"]] = note["commented_at"]
        if note["system"] and note["body"].strip().lower() == gl.CHANGES_REQUESTED_NOTE:
            reviews.append({"external_id": f"note:{note['external_id']}", "reviewer_login": note["author_login"],
                            "state": "CHANGES_REQUESTED", "submitted_at": note["commented_at"]})  # fmt: skip
    for login in approvers:
        reviews.append({"external_id": f"approval:{mr['external_id']}:{login}", "reviewer_login": login,
                        "state": "APPROVED", "submitted_at": approved_at.get(login)})  # fmt: skip
    return reviews


def note_reviews(mr: dict[str, Any], notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reviewers' comments as COMMENTED reviews: they count for the first review, not as stored reviews."""
    return [
        {"reviewer_login": n["author_login"], "state": "COMMENTED", "submitted_at": n["commented_at"]}
        for n in notes
        if not n["system"] and n["author_login"] != mr.get("author_login")
    ]


def _latest(cursor: str | None, times: list[datetime]) -> str | None:
    """The later of a cursor and the newest of `times`, as a cursor string."""
    for at in times:
        if cursor is None or iso(at) > cursor:
            cursor = iso(at)
    return cursor


__all__ = ["GitLabConnector", "GitLabSync", "api_root", "client_for"]
