"""The GitHub connector: syncs the configured repositories stream by stream, committing page by page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pulse.core.db.models.business import (
    Commit,
    Deployment,
    DeploymentCommit,
    DeploymentPullRequest,
    GithubIssue,
    PullRequest,
    PullRequestComment,
    PullRequestCommit,
    PullRequestIssueKey,
    PullRequestReview,
    Release,
    Repository,
    WorkflowRun,
)
from pulse.etl.connectors.base.http import EtagCache, GraphQLUnavailable, RetryPolicy, SourceClient, SourceError
from pulse.etl.connectors.base.interface import IntegrationConfig, PermanentSyncError, SyncContext
from pulse.etl.connectors.base.probe import probe_identity
from pulse.etl.connectors.base.streams import SyncCounts, iso, low_watermark, parse_time, summary
from pulse.etl.connectors.github import streams as gh
from pulse.etl.load.links import link_work_items
from pulse.etl.load.upsert import deactivate_missing, deactivate_others, upsert

DEFAULT_PRODUCTION_PATTERN = r"^(prod|production)$"
PAGE_SIZE = 100


def client_for(
    integration: IntegrationConfig, ctx: SyncContext | None = None, etags: EtagCache | None = None
) -> SourceClient:
    """A SourceClient on the integration's API root (api.github.com or an Enterprise `/api/v3`)."""
    token = (integration.credentials or {}).get("token", "")
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "pulse-etl",
    }
    return integration_client(integration, integration.base_url or "https://api.github.com", headers, ctx, etags)


def integration_client(
    integration: IntegrationConfig,
    base_url: str,
    headers: dict[str, str],
    ctx: SyncContext | None = None,
    etags: EtagCache | None = None,
) -> SourceClient:
    """A SourceClient waiting through the run's context (or briefly, for a connection test) with its settings."""
    settings = integration.settings or {}
    return SourceClient(
        base_url=base_url,
        headers=headers,
        sleep=ctx.sleep if ctx else _no_sleep,
        check_interrupted=ctx.check_interrupted if ctx else lambda: None,
        etags=etags,
        retry=RetryPolicy(backoff_seconds=float(settings.get("retry_backoff_seconds", 1.0))),
    )


def _no_sleep(seconds: float) -> None:
    time.sleep(min(seconds, 5.0))


@dataclass
class Repo:
    """A synced repository: its row id and names."""

    id: int
    external_id: str
    owner: str
    name: str
    default_branch: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class GitHubConnector:
    """Repositories, pull requests (reviews, commits, comments), issues, deployments, releases, workflow runs."""

    type: ClassVar[str] = "github"

    def test_connection(self, integration: IntegrationConfig) -> tuple[bool, str]:
        """Calls `/user` with the token."""
        return probe_identity(client_for(integration), source="GitHub", path="/user", name_field="login")

    def sync(self, ctx: SyncContext) -> None:
        """Sync every configured repository (GraphQL unless `api: rest`), then link PRs to Jira work items."""
        if self.reads_graphql(ctx):
            # Imported here: the GraphQL run extends `GitHubSync` of this module.
            from pulse.etl.connectors.github.graphql_sync import GraphQLSync

            graphql = GraphQLSync(ctx)
            try:
                graphql.run()
                return
            except GraphQLUnavailable as exc:
                # REST resumes from the same checkpoints: whatever GraphQL committed is kept.
                ctx.log("warning", f"GitHub GraphQL is not available ({exc.status} from {exc.url}): syncing over REST")
            finally:
                graphql.close()
        run = self.new_run(ctx)
        try:
            run.run()
        finally:
            run.close()

    def reads_graphql(self, ctx: SyncContext) -> bool:
        """Whether a run reads over GitHub's GraphQL API: the default, unless the integration says `api: rest`."""
        return api_of(ctx.integration.settings or {}) == "graphql"

    def new_run(self, ctx: SyncContext) -> GitHubSync:
        """The run object of one sync."""
        return GitHubSync(ctx)


def api_of(settings: dict[str, Any]) -> str:
    """The integration's `api` setting: `graphql` (the default) or `rest`."""
    return str(settings.get("api") or "graphql").strip().lower()


class GitHubSync:
    """One sync run of one GitHub integration."""

    # Production deployments whose shipped commits are read together (REST: one compare each).
    shipped_batch = 1

    def __init__(self, ctx: SyncContext, etags: EtagCache | None = None) -> None:
        self.ctx = ctx
        self.integration = ctx.integration
        self.settings: dict[str, Any] = dict(self.integration.settings or {})
        self.client_id = self.integration.client_id
        self.integration_id = self.integration.id
        self.etags = etags or EtagCache(
            client_id=self.client_id,
            integration_id=self.integration_id,
            loader=lambda read: ctx.commit("http_cache", None, read),
        )
        self.client = self.make_client()
        self.counts = SyncCounts(ctx)
        self.overlap = timedelta(minutes=float(self.settings.get("overlap_minutes", 10)))
        self.sync_since: str | None = self.settings.get("sync_since")
        pattern = self.settings.get("production_environment_pattern") or DEFAULT_PRODUCTION_PATTERN
        self.production = re.compile(pattern, re.IGNORECASE)
        self.repo_level_comments = True
        # One `/pulls/{n}` per pull request in the sync window for additions, deletions and changed files.
        # Off by default: sizes cost one more request per PR, which would put a full sync over the
        # ≤ 3.2 requests-per-PR budget; turn it on when PR size analytics are worth the rate limit.
        self.fetch_details = _flag(self.settings.get("pull_request_details", False))
        self.page_size = int(self.settings.get("page_size", PAGE_SIZE))
        # Per-PR and per-deployment requests of one page run in parallel; pages and commits stay in order.
        self.concurrency = max(1, min(16, int(self.settings.get("concurrency", 4))))
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="github") if self.concurrency > 1 else None
        # Which deployments get their shipped changes from the source's compare (others use the fallback).
        self.shipped_source = "deployment"

    # -- plumbing -------------------------------------------------------------------------------------------

    def make_client(self) -> SourceClient:
        """The HTTP client of this source (subclasses for other Git hosts give their own)."""
        return client_for(self.integration, self.ctx, self.etags)

    def base(self, row: dict[str, Any]) -> dict[str, Any]:
        """Tenant and integration columns added to a row."""
        return {"client_id": self.client_id, "integration_id": self.integration_id, **row}

    def commit(self, stream: str, checkpoint: dict[str, Any] | None, write: Any) -> None:
        """Commit rows, pending ETags and the stream's checkpoint in one transaction."""

        def both(session: Session) -> None:
            write(session)
            self.etags.flush(session)

        self.ctx.commit(stream, checkpoint, both)

    def read(self, stream: str, query: Any) -> Any:
        """Run a read in a transaction that keeps the stream's checkpoint (connectors get sessions only there)."""
        out: list[Any] = []
        self.ctx.commit(stream, None, lambda session: out.append(query(session)))
        return out[0]

    def gone_is_none(self, fn: Callable[[Repo, dict[str, Any]], Any], repo: Repo, row: dict[str, Any]) -> Any:
        """`fn(repo, row)`, or None (logged and counted as skipped) when the source says the record is gone."""
        try:
            return fn(repo, row)
        except SourceError as exc:
            if exc.status not in (404, 410):
                raise
            self.counts.skip("gone", str(row.get("external_id") or row.get("id")), exc)
            return None

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """`fn` over items, in parallel when configured; results in order, the first error raised."""
        if self.pool is None or len(items) < 2:
            return [fn(item) for item in items]
        return list(self.pool.map(fn, items))

    def close(self) -> None:
        """Release the HTTP pool and the worker threads."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.client.close()

    def progress(self, step: str, percent: float | None = None) -> None:
        """Report the current step and counts."""
        self.ctx.progress(step=step, percent=percent, counts=self.counts.as_progress(self.client.stats.as_counts()))

    # -- the run --------------------------------------------------------------------------------------------

    def run(self) -> None:
        """All streams of all repositories."""
        repos = self.sync_repositories()
        for index, repo in enumerate(repos):
            share = 100.0 / max(1, len(repos))
            self.sync_repository(repo, index * share, share)
        self.finish()

    def finish(self) -> None:
        """Link changes to Jira work items, report 100% and log the run's summary."""
        self.commit("links", None, lambda s: link_work_items(s, client_id=self.client_id))
        self.progress("done", 100.0)
        self.ctx.log(
            "info", summary(self.counts, self.client), **self.counts.as_progress(self.client.stats.as_counts())
        )

    def sync_repository(self, repo: Repo, start: float, share: float) -> None:
        """Every stream of one repository; `start` and `share` place it on the run's progress scale."""
        self.progress(f"{repo.full_name}: pull requests", start)
        self.repo_level_comments = self.comments_mode(repo) == "repo"
        self.sync_pull_requests(repo)
        self.sync_review_comments(repo)
        self.progress(f"{repo.full_name}: issues", start + 0.5 * share)
        self.sync_issues(repo)
        self.progress(f"{repo.full_name}: deployments", start + 0.6 * share)
        self.sync_deployments(repo)
        self.sync_releases(repo)
        self.sync_workflow_runs(repo)
        self.progress(f"{repo.full_name}: production changes", start + 0.9 * share)
        self.sync_shipped(repo)

    def sync_repositories(self) -> list[Repo]:
        """The configured repositories (or all of the organisation's), upserted."""
        stream = gh.Repositories(self.client, self.counts)
        named = [str(r).strip() for r in self.settings.get("repositories") or [] if str(r).strip()]
        rows: list[dict[str, Any]] = []
        if named:
            for full_name in named:
                try:
                    page = self.client.get(f"/repos/{full_name}")
                except SourceError as exc:
                    if exc.status == 404:
                        raise PermanentSyncError(f"repository {full_name} not found or not accessible") from exc
                    raise
                rows.extend(stream.rows([page.data]))
        elif self.settings.get("organization"):
            for page in stream.pages({"per_page": self.page_size, "type": "all"}, org=self.settings["organization"]):
                rows.extend(stream.rows(stream.records(page)))
        else:
            raise PermanentSyncError("settings must name `repositories` or an `organization`")
        return self.store_repositories(rows)

    def store_repositories(self, rows: list[dict[str, Any]]) -> list[Repo]:
        """Upsert the synced repositories (the others become inactive) and answer them as `Repo`s."""
        rows = [self.base(r) for r in rows]
        ids: dict[str, int] = {}

        def write(session: Session) -> None:
            ids.update(upsert(session, Repository, rows))
            # Repositories no longer configured drop out of every metric (their rows stay, inactive).
            deactivate_others(session, Repository, client_id=self.client_id, integration_id=self.integration_id,
                              keep=[r["external_id"] for r in rows])  # fmt: skip

        self.commit("repositories", {"synced_at": iso(_now())}, write)
        self.counts.written["repositories"] += len(rows)
        return [
            Repo(ids[r["external_id"]], r["external_id"], r["owner"], r["name"], r.get("default_branch")) for r in rows
        ]

    # -- pull requests -----------------------------------------------------------------------------------

    def sync_pull_requests(self, repo: Repo) -> None:
        """Pull requests updated since the cursor, newest first, with reviews, commits (and comments)."""
        name = f"pull_requests:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        run = dict(checkpoint.get("run") or {})
        stream = gh.PullRequests(self.client, self.counts)
        first_url = self.client.url(
            stream.path.format(owner=repo.owner, repo=repo.name),
            {"state": "all", "sort": "updated", "direction": "desc", "per_page": self.page_size},
        )
        url: str | None = run.get("next") or first_url
        high = run.get("high")
        # Whether the stored checkpoint still holds an unfinished walk that this run must close.
        open_walk = bool(run)
        while url:
            page = self.client.get(url, conditional=True)
            if page.not_modified:
                # Newest-first: an unchanged page means nothing after it changed either.
                break
            records = stream.records(page)
            in_scope = []
            done = False
            for record in records:
                updated = parse_time(record.get("updated_at")) if isinstance(record, dict) else None
                if updated is not None and low is not None and updated < low:
                    done = True
                    break
                in_scope.append(record)
            rows = stream.rows(in_scope)
            details = [
                d for d in self.map(lambda row: self.gone_is_none(self.pull_request_details, repo, row), rows) if d
            ]
            for row in rows:
                if high is None or iso(row["source_updated_at"]) > high:
                    high = iso(row["source_updated_at"])
            url = None if done else page.next_url()
            if url:
                new_checkpoint = {**checkpoint, "run": {"next": url, "high": high}}
            else:
                new_checkpoint = {"cursor": high or checkpoint.get("cursor")}
            self.commit(name, new_checkpoint, lambda s, d=details: self.write_pull_requests(s, repo, d))
            open_walk = bool(url)
            self.counts.written["pull_requests"] += len(details)
            self.progress(f"{repo.full_name}: pull requests")
        if open_walk:
            # Stopped at an unchanged page: the walk is complete up to the newest update seen.
            self.commit(name, {"cursor": high or checkpoint.get("cursor")}, lambda s: None)

    def pull_request_details(self, repo: Repo, row: dict[str, Any]) -> dict[str, Any]:
        """Reviews, commits, sizes (`pull_request_details`) and, without the repository-wide listing, comments."""
        args = {"owner": repo.owner, "repo": repo.name, "number": str(row["number"])}
        row = dict(row)
        if self.fetch_details:
            detail_stream = gh.PullRequestDetail(self.client, self.counts)
            for page in detail_stream.pages({}, **args):
                for sizes in detail_stream.rows(detail_stream.records(page)):
                    row.update(sizes)
        else:
            # The list shape has no sizes: leave what an earlier sync stored rather than write NULLs.
            for field in ("additions", "deletions", "changed_files"):
                row.pop(field, None)
        reviews: list[dict[str, Any]] = []
        review_stream = gh.PullRequestReviews(self.client, self.counts)
        for page in review_stream.pages({"per_page": self.page_size}, **args):
            reviews.extend(review_stream.rows(review_stream.records(page)))
        commits: list[dict[str, Any]] = []
        commit_stream = gh.PullRequestCommits(self.client, self.counts)
        for page in commit_stream.pages({"per_page": self.page_size}, **args):
            commits.extend(commit_stream.rows(commit_stream.records(page)))
        comments: list[dict[str, Any]] | None = None
        if not self.repo_level_comments:
            comments = []
            comment_stream = gh.PullRequestComments(self.client, self.counts)
            for page in comment_stream.pages({"per_page": self.page_size}, **args):
                comments.extend(comment_stream.rows(comment_stream.records(page)))
        return {"pr": row, "reviews": reviews, "commits": commits, "comments": comments, "body": None}

    def write_pull_requests(self, session: Session, repo: Repo, details: list[dict[str, Any]]) -> None:
        """Upsert pull requests with their children and derived review figures."""
        if not details:
            return
        pr_rows = []
        keys_of: dict[str, list[tuple[str, str]]] = {}
        for d in details:
            pr = dict(d["pr"])
            keys_of[pr["external_id"]] = pr.pop("_keys", [])
            pr.update(self.figures_of(pr, d))
            if d["comments"] is not None:
                pr["comments_count"] = len(d["comments"])
            pr["repository_id"] = repo.id
            pr_rows.append(self.base(pr))
        ids = upsert(session, PullRequest, pr_rows)
        reviews, commits, comments, keys = [], [], [], []
        for d in details:
            pr_ext = d["pr"]["external_id"]
            pr_id = ids[pr_ext]
            for r in d["reviews"]:
                reviews.append(self.base({**r, "pull_request_id": pr_id}))
            for c in d["commits"]:
                commits.append(self.base({**c, "external_id": f"{pr_ext}:{c['sha']}", "pull_request_id": pr_id}))
            for c in d["comments"] or []:
                comments.append(self.base({**c, "pull_request_id": pr_id}))
            for key, found_in in keys_of[pr_ext]:
                keys.append(self.base({"external_id": f"{pr_ext}:{key}:{found_in}", "pull_request_id": pr_id,
                                       "key": key, "found_in": found_in}))  # fmt: skip
        upsert(session, PullRequestReview, reviews)
        upsert(session, PullRequestCommit, commits)
        upsert(session, PullRequestComment, comments)
        upsert(session, PullRequestIssueKey, keys)
        # What the source no longer lists (force-pushed commits, edited titles) stops counting.
        pr_ids = list(ids.values())
        children: list[tuple[Any, list[dict[str, Any]]]] = [
            (PullRequestReview, reviews),
            (PullRequestCommit, commits),
            (PullRequestIssueKey, keys),
        ]
        if not self.repo_level_comments:
            children.append((PullRequestComment, comments))
        for model, rows in children:
            keep = [(r["pull_request_id"], r["external_id"]) for r in rows]
            deactivate_missing(
                session, model, client_id=self.client_id, parent_column="pull_request_id", parent_ids=pr_ids, keep=keep
            )

    def figures_of(self, pr: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        """Review figures of one pull request from its fetched details."""
        return review_figures(pr, detail["reviews"], detail["commits"])

    def comments_mode(self, repo: Repo) -> str:
        """'repo' when the repository-wide review-comment listing exists (probed once, remembered), else 'per_pull'."""
        name = f"review_comments:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        mode = checkpoint.get("mode")
        if mode in ("repo", "per_pull"):
            return str(mode)
        try:
            self.client.get(f"/repos/{repo.owner}/{repo.name}/pulls/comments", {"per_page": 1})
            mode = "repo"
        except SourceError as exc:
            if exc.status != 404:
                raise
            # Some servers (older Enterprise, the simulator) lack it: comments are fetched per pull request.
            mode = "per_pull"
        self.commit(name, {**checkpoint, "mode": mode}, lambda s: None)
        return mode

    def sync_review_comments(self, repo: Repo) -> None:
        """Review comments of the whole repository since the cursor (one listing, not one per PR)."""
        if not self.repo_level_comments:
            return
        name = f"review_comments:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        stream = gh.RepositoryReviewComments(self.client, self.counts)
        params: dict[str, Any] = {"sort": "updated", "direction": "asc", "per_page": self.page_size}
        if low is not None:
            params["since"] = iso(low)
        cursor = checkpoint.get("cursor")
        for page in stream.pages(params, owner=repo.owner, repo=repo.name):
            rows = stream.rows(stream.records(page))
            for row in rows:
                if cursor is None or iso(row["updated_at"]) > cursor:
                    cursor = iso(row["updated_at"])
            new_checkpoint = {"mode": "repo", "cursor": cursor}
            self.commit(name, new_checkpoint, lambda s, r=rows: self.write_comments(s, repo, r))
            self.counts.written["pull_request_comments"] += len(rows)

    def write_comments(self, session: Session, repo: Repo, rows: list[dict[str, Any]]) -> None:
        """Upsert repository-wide review comments onto their pull requests and refresh the counts."""
        if not rows:
            return
        numbers = sorted({r["pr_number"] for r in rows})
        found = dict(
            session.execute(
                select(PullRequest.number, PullRequest.id).where(
                    PullRequest.client_id == self.client_id,
                    PullRequest.repository_id == repo.id,
                    PullRequest.number.in_(numbers),
                )
            ).all()
        )
        out = [
            self.base({"external_id": r["external_id"], "author_login": r["author_login"],
                       "commented_at": r["commented_at"], "pull_request_id": found[r["pr_number"]]})
            for r in rows if r["pr_number"] in found
        ]  # fmt: skip
        upsert(session, PullRequestComment, out)
        recount(session, list({o["pull_request_id"] for o in out}))

    # -- issues ---------------------------------------------------------------------------------------------

    def sync_issues(self, repo: Repo) -> None:
        """Issues updated since the cursor, oldest first, so the cursor moves forward page by page."""
        name = f"issues:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        stream = gh.Issues(self.client, self.counts)
        params: dict[str, Any] = {"state": "all", "sort": "updated", "direction": "asc", "per_page": self.page_size}
        if low is not None:
            params["since"] = iso(low)
        cursor = checkpoint.get("cursor")
        for page in stream.pages(params, owner=repo.owner, repo=repo.name):
            records = stream.records(page)
            rows = [r for r in stream.rows(records) if r is not None]
            for record in records:
                updated = parse_time(record.get("updated_at")) if isinstance(record, dict) else None
                if updated is not None and (cursor is None or iso(updated) > cursor):
                    cursor = iso(updated)
            out = [self.base({**r, "repository_id": repo.id}) for r in rows]
            self.commit(name, {"cursor": cursor}, lambda s, o=out: upsert(s, GithubIssue, o))
            self.counts.written["github_issues"] += len(out)

    # -- deployments ----------------------------------------------------------------------------------------

    def sync_deployments(self, repo: Repo) -> None:
        """Deployments updated since the cursor, newest first, each with its latest status."""
        name = f"deployments:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        run = dict(checkpoint.get("run") or {})
        stream = gh.Deployments(self.client, self.counts)
        statuses = gh.DeploymentStatuses(self.client, self.counts)
        url: str | None = run.get("next") or self.client.url(
            stream.path.format(owner=repo.owner, repo=repo.name), {"per_page": self.page_size}
        )
        high = run.get("high")
        open_walk = bool(run)
        while url:
            page = self.client.get(url, conditional=True)
            if page.not_modified:
                break
            rows = []
            done = False
            in_scope = []
            for row in stream.rows(stream.records(page)):
                if low is not None and row["source_updated_at"] < low and row["started_at"] < low:
                    done = True
                    break
                in_scope.append(row)

            def with_status(row: dict[str, Any]) -> dict[str, Any]:
                found: list[dict[str, Any]] = []
                for status_page in statuses.pages(
                    {"per_page": self.page_size}, owner=repo.owner, repo=repo.name, deployment_id=str(row["id"])
                ):
                    found.extend(statuses.rows(statuses.records(status_page)))
                row["status"], row["finished_at"] = gh.latest_status(found)
                if found:
                    latest = max(s["at"] for s in found)
                    row["source_updated_at"] = max(row["source_updated_at"], latest)
                row.pop("id")
                return row

            for row in (
                r for r in self.map(lambda r: self.gone_is_none(lambda _, x: with_status(x), repo, r), in_scope) if r
            ):
                rows.append(self.base({**row, "repository_id": repo.id}))
                if high is None or iso(row["source_updated_at"]) > high:
                    high = iso(row["source_updated_at"])
            url = None if done else page.next_url()
            new_checkpoint = {**checkpoint, "run": {"next": url, "high": high}} if url else {"cursor": high}
            self.commit(name, new_checkpoint, lambda s, r=rows: self.write_deployments(s, r))
            open_walk = bool(url)
            self.counts.written["deployments"] += len(rows)
        if open_walk:
            self.commit(name, {"cursor": high or checkpoint.get("cursor")}, lambda s: None)

    def write_deployments(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """Upsert deployments; a changed status of a computed one makes its shipped changes recomputed."""
        if not rows:
            return
        for row in rows:
            row["changes_computed"] = False
        # Keep `changes_computed` for rows whose status and sha did not change.
        existing = {
            ext: (status, sha, computed)
            for ext, status, sha, computed in session.execute(
                select(Deployment.external_id, Deployment.status, Deployment.sha, Deployment.changes_computed).where(
                    Deployment.client_id == self.client_id,
                    Deployment.integration_id == self.integration_id,
                    Deployment.external_id.in_([r["external_id"] for r in rows]),
                )
            )
        }
        for row in rows:
            old = existing.get(row["external_id"])
            if old and old[0] == row["status"] and old[1] == row["sha"]:
                row["changes_computed"] = old[2]
        upsert(session, Deployment, rows)

    # -- releases and workflow runs ------------------------------------------------------------------------

    def sync_releases(self, repo: Repo) -> None:
        """Releases (few per repository: every page, each answered 304 when unchanged)."""
        name = f"releases:{repo.full_name}"
        stream = gh.Releases(self.client, self.counts)
        for page in stream.pages({"per_page": self.page_size}, owner=repo.owner, repo=repo.name):
            if page.not_modified:
                break
            out = [self.base({**r, "repository_id": repo.id}) for r in stream.rows(stream.records(page))]
            deployments = [self.base(d) for d in self.map(lambda r: self.release_deployment(repo, r), out) if d]

            def write(session: Session, o: list[dict[str, Any]] = out, d: list[dict[str, Any]] = deployments) -> None:
                upsert(session, Release, o)
                self.write_deployments(session, d)

            self.commit(name, {"synced_at": iso(_now())}, write)
            self.counts.written["releases"] += len(out)

    def release_deployment(self, repo: Repo, release: dict[str, Any]) -> dict[str, Any] | None:
        """A published release as a `release`-source deployment of the commit its tag points at."""
        if release["draft"] or release["published_at"] is None:
            return None
        sha = release.get("target_commitish") or ""
        if not gh.SHA.fullmatch(sha):
            # The target is a branch name: the tag's commit is what shipped.
            try:
                sha = str(self.client.get(f"/repos/{repo.owner}/{repo.name}/commits/{release['tag_name']}").data["sha"])
            except (SourceError, KeyError, TypeError) as exc:
                self.counts.skip("releases", release["external_id"], exc)
                return None
        return {
            "external_id": f"release:{release['external_id']}",
            "repository_id": repo.id,
            "environment": "prerelease" if release["prerelease"] else "production",
            "sha": sha,
            "ref": release["tag_name"],
            "source": "release",
            "status": "success",
            "started_at": release["published_at"],
            "finished_at": release["published_at"],
            "source_updated_at": release["published_at"],
        }

    def sync_workflow_runs(self, repo: Repo) -> None:
        """Workflow runs, newest first, down to the cursor's day (less the overlap).

        The listing's URL stays the same from one sync to the next (only `sync_since` bounds it; the walk stops
        at the first page reaching below the cursor instead), so an unchanged repository answers its stored
        ETag with a free 304 from the first re-sync on.
        """
        name = f"workflow_runs:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        cursor = checkpoint.get("cursor")
        low = low_watermark(cursor, None, self.overlap + timedelta(days=1))
        since = low_watermark(None, self.sync_since, timedelta(0))
        stream = gh.WorkflowRuns(self.client, self.counts)
        params: dict[str, Any] = {"per_page": self.page_size}
        if since is not None:
            params["created"] = f">={since.date().isoformat()}"
        for page in stream.pages(params, owner=repo.owner, repo=repo.name):
            if page.not_modified:
                break
            rows = stream.rows(stream.records(page))
            for row in rows:
                # The source's own clock: a source may live in another time than ours (the simulator does).
                if row["run_started_at"] is not None and (cursor is None or iso(row["run_started_at"]) > cursor):
                    cursor = iso(row["run_started_at"])
            out = [self.base({**r, "repository_id": repo.id}) for r in rows]
            deployments = [self.base(d) for d in (run_deployment(repo, r) for r in out) if d]

            def write(session: Session, o: list[dict[str, Any]] = out, d: list[dict[str, Any]] = deployments) -> None:
                upsert(session, WorkflowRun, o)
                self.write_deployments(session, d)

            self.commit(name, checkpoint, write)
            self.counts.written["workflow_runs"] += len(out)
            # Runs come newest created first and a run starts at or after its creation: once a page reaches
            # below the low watermark, every later page is older still.
            oldest = rows[-1]["run_started_at"] if rows else None
            if low is not None and oldest is not None and oldest < low:
                break
        if cursor is not None:
            self.commit(name, {"cursor": cursor}, lambda s: None)

    # -- what production deployments shipped ---------------------------------------------------------------

    def sync_shipped(self, repo: Repo) -> None:
        """For each successful production deployment not yet computed: compare with the previous one."""
        name = f"shipped:{repo.full_name}"
        checkpoint = self.ctx.get_checkpoint(name)

        def load(session: Session) -> list[tuple[int, str, str, datetime | None, bool, str]]:
            rows = session.execute(
                select(
                    Deployment.id,
                    Deployment.environment,
                    Deployment.sha,
                    Deployment.finished_at,
                    Deployment.changes_computed,
                    Deployment.external_id,
                )
                .where(
                    Deployment.client_id == self.client_id,
                    Deployment.repository_id == repo.id,
                    Deployment.status == "success",
                    Deployment.source == self.shipped_source,
                    Deployment.finished_at.is_not(None),
                    Deployment.active,
                )
                .order_by(Deployment.finished_at, Deployment.id)
            ).all()
            return [(r[0], r[2], r[1], r[3], r[4], r[5]) for r in rows if self.production.search(r[1])]

        deps = self.read(name, load)
        first = next((i for i, d in enumerate(deps) if not d[4]), None)
        if first is None:
            return
        later = [d[0] for d in deps[first:] if d[4]]
        if later:
            # A deployment arrived out of order: what followed it is computed again.
            def reset(session: Session) -> None:
                session.execute(delete(DeploymentCommit).where(DeploymentCommit.deployment_id.in_(later)))
                session.execute(delete(DeploymentPullRequest).where(DeploymentPullRequest.deployment_id.in_(later)))
                session.execute(update(Deployment).where(Deployment.id.in_(later)).values(changes_computed=False))

            self.commit(name, checkpoint, reset)
        for start in range(first, len(deps), self.shipped_batch):
            chunk = range(start, min(start + self.shipped_batch, len(deps)))
            ranges = [(deps[i - 1][1] if i > 0 else None, deps[i][1]) for i in chunk]
            found = list(zip(chunk, self.shipped_commits(repo, ranges), strict=True))

            # One transaction per batch: each deployment's rows and its `changes_computed` flag go in together.
            def write(session: Session, found: list[tuple[int, list[dict[str, Any]]]] = found) -> None:
                for i, commits in found:
                    self.write_shipped(session, repo, deps[i][0], deps[i][5], commits)

            self.commit(name, {"last_deployment_id": deps[chunk[-1]][0]}, write)
            self.counts.written["deployment_commits"] += sum(len(commits) for _, commits in found)

    def shipped_commits(self, repo: Repo, ranges: list[tuple[str | None, str]]) -> list[list[dict[str, Any]]]:
        """Per (previous sha, sha): the commits that deployment shipped, oldest first."""
        # The first production deployment (no previous sha) shipped everything reachable from it since `sync_since`.
        return [self.history(repo, sha) if prev is None else self.compare(repo, prev, sha) for prev, sha in ranges]

    def compare(self, repo: Repo, prev: str, sha: str) -> list[dict[str, Any]]:
        """Commits reachable from `sha` but not `prev`, oldest first (REST compare, paginated)."""
        stream = gh.Compare(self.client, self.counts)
        basehead = f"{prev}...{sha}"
        commits: list[dict[str, Any]] = []
        try:
            for page in stream.pages({"per_page": self.page_size}, owner=repo.owner, repo=repo.name,
                                     basehead=basehead):  # fmt: skip
                commits.extend(stream.rows(stream.records(page)))
        except SourceError as exc:
            if exc.status not in (404, 422):
                raise
            # A sha rewritten away (force-push): nothing can be said about what this deployment shipped.
            self.ctx.log("warning", f"compare {basehead} of {repo.full_name} unavailable ({exc.status})")
            return []
        return commits

    def history(self, repo: Repo, sha: str) -> list[dict[str, Any]]:
        """Commits reachable from `sha` (since `sync_since`), oldest first."""
        history = gh.Commits(self.client, self.counts)
        params: dict[str, Any] = {"sha": sha, "per_page": self.page_size}
        since = low_watermark(None, self.sync_since, self.overlap)
        if since is not None:
            params["since"] = iso(since)
        commits: list[dict[str, Any]] = []
        for page in history.pages(params, owner=repo.owner, repo=repo.name):
            commits.extend(history.rows(history.records(page)))
        commits.reverse()
        return commits

    def write_shipped(
        self, session: Session, repo: Repo, deployment_id: int, deployment_ext: str, commits: list[dict[str, Any]]
    ) -> None:
        """Store a deployment's commits and the pull requests they merged (first deployment wins)."""
        rows = [self.base({**c, "external_id": f"{repo.external_id}:{c['sha']}", "repository_id": repo.id})
                for c in commits]  # fmt: skip
        ids = upsert(session, Commit, rows)
        links = [
            self.base({"external_id": f"{deployment_ext}:{r['sha']}", "deployment_id": deployment_id,
                       "commit_id": ids[r["external_id"]]})
            for r in rows
        ]  # fmt: skip
        upsert(session, DeploymentCommit, links)
        shas = [c["sha"] for c in commits]
        if shas:
            prs = session.execute(
                select(PullRequest.id, PullRequest.external_id).where(
                    PullRequest.client_id == self.client_id,
                    PullRequest.repository_id == repo.id,
                    PullRequest.merge_commit_sha.in_(shas),
                )
            ).all()
            shipped = [
                self.base({"external_id": f"pr:{ext}", "deployment_id": deployment_id, "pull_request_id": pr_id})
                for pr_id, ext in prs
            ]
            upsert(session, DeploymentPullRequest, shipped, update=False)
        session.execute(update(Deployment).where(Deployment.id == deployment_id).values(changes_computed=True))


def review_figures(pr: dict[str, Any], reviews: list[dict[str, Any]], commits: list[dict[str, Any]]) -> dict[str, Any]:
    """First commit and first review times, review cycles, rework commits and counts of a PR."""
    author = pr.get("author_login")
    others = [r for r in reviews if r["reviewer_login"] != author and r["state"] != "PENDING" and r["submitted_at"]]
    first_review = min((r["submitted_at"] for r in others), default=None)
    authored = [c["authored_at"] for c in commits if c["authored_at"]]
    changes_requested = sum(1 for r in others if r["state"] == "CHANGES_REQUESTED")
    rework = 0
    if first_review is not None:
        rework = sum(1 for c in commits if (c["committed_at"] or c["authored_at"]) and
                     (c["committed_at"] or c["authored_at"]) > first_review)  # fmt: skip
    return {
        "commits_count": len(commits),
        "first_commit_at": min(authored, default=None),
        "first_review_at": first_review,
        # One cycle per round sent back to the author, plus the final round when anyone reviewed.
        "review_cycles": changes_requested + (1 if others else 0),
        "rework_commits": rework,
        "reviews_count": len([r for r in reviews if r["state"] != "PENDING"]),
    }


RUN_STATUS = {"success": "success", "failure": "failure", "timed_out": "failure", "startup_failure": "failure"}


def run_deployment(repo: Repo, run: dict[str, Any]) -> dict[str, Any] | None:
    """A workflow run on the default branch (not a pull-request run) as a `workflow_run`-source deployment.

    Runs carry no environment: they count as `production`, and a deployment rule's `workflow_name_pattern`
    picks the deploying workflow (the metrics check the run's name).
    """
    if not run.get("head_sha") or run.get("event") == "pull_request":
        return None
    if repo.default_branch and run.get("head_branch") != repo.default_branch:
        return None
    if run.get("status") == "completed":
        status = RUN_STATUS.get(str(run.get("conclusion")), "error")
        finished = run.get("completed_at")
    else:
        status = "in_progress" if run.get("status") == "in_progress" else "queued"
        finished = None
    started = run.get("run_started_at")
    if started is None:
        return None
    return {
        "external_id": f"workflow_run:{run['external_id']}",
        "repository_id": repo.id,
        "environment": "production",
        "sha": run["head_sha"],
        "ref": run.get("head_branch"),
        "source": "workflow_run",
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "source_updated_at": finished or started,
    }


def recount(session: Session, pr_ids: list[int]) -> None:
    """Refresh `comments_count` of pull requests from their stored comments."""
    if not pr_ids:
        return
    count = (
        select(func.count())
        .select_from(PullRequestComment)
        .where(PullRequestComment.pull_request_id == PullRequest.id, PullRequestComment.active)
        .scalar_subquery()
    )
    session.execute(update(PullRequest).where(PullRequest.id.in_(pr_ids)).values(comments_count=count))


def _flag(value: Any) -> bool:
    """A boolean setting that may arrive as a string from a form ("false", "0", "no", "off")."""
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "off", "")
    return bool(value)


def _now() -> datetime:
    return datetime.now(UTC)
