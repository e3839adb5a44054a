"""One GitHub sync over GraphQL: pages of pull requests, issues, deployments and releases with their children.

It shares the REST run's writes, checkpoints and derived figures (`GitHubSync`) and replaces only how
records are read. What each production deployment shipped is walked back through commit history in
batched queries, REST compare only where history does not meet the previous deployment's sha. Workflow runs
stay on REST: GraphQL has no equivalent. A repository GitHub answers with `NOT_FOUND` or `FORBIDDEN` is
skipped with a log line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pulse.core.db.models.business import GithubIssue, Release
from pulse.etl.connectors.base.interface import PermanentSyncError, SyncContext
from pulse.etl.connectors.base.streams import iso, low_watermark, parse_time, require_time
from pulse.etl.connectors.github import graphql_queries as q
from pulse.etl.connectors.github import graphql_streams as gq
from pulse.etl.connectors.github.connector import GitHubSync, Repo, _now
from pulse.etl.connectors.github.graphql_queries import Nested
from pulse.etl.load.upsert import upsert

# 50 pull requests with 20 reviews (each with 20 comments) and 20 commits cost 11 points: 0.22 per PR.
PAGE_SIZE = 50
NESTED_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100  # GitHub refuses more nodes per connection
# 25 repositories with their releases and newest PR, issue and deployment: 1 + 25 x 4 connections = 101
# requests, 1 point (GitHub divides by 100 and rounds).
REPOSITORY_PAGE_SIZE = 25
REPOSITORY_ERRORS = ("NOT_FOUND", "FORBIDDEN")
# A deployment's history walk that has not met the previous deployment's sha within this many commits is
# handed to REST compare (the sha is not an ancestor: an out-of-order, diverged or very long range).
MAX_SHIPPED_WALK = 1000


def graphql_url(base_url: str) -> str:
    """Where GraphQL answers for a REST root: `…/api/v3` → `…/api/graphql`, anything else → `…/graphql`."""
    root = base_url.rstrip("/")
    if root.endswith("/api/v3"):
        return root[: -len("/v3")] + "/graphql"
    return root + "/graphql"


class RepositoryUnavailable(Exception):
    """GitHub answered a repository's query with NOT_FOUND or FORBIDDEN (e.g. an org's SAML enforcement)."""


class GraphQLSync(GitHubSync):
    """One sync run of one GitHub integration, reading through GraphQL."""

    shipped_batch = q.SHIPPED_BATCH

    def __init__(self, ctx: SyncContext) -> None:
        super().__init__(ctx)
        self.endpoint = graphql_url(self.integration.base_url or "https://api.github.com")
        self.first = _size(self.settings.get("graphql_page_size"), PAGE_SIZE)
        self.nested = _size(self.settings.get("graphql_nested_page_size"), NESTED_PAGE_SIZE)
        # Issues and deployments have one nested connection each: 100 of them cost 1 + 100 requests, 1 point.
        self.wide = min(MAX_PAGE_SIZE, 2 * self.first)
        # Page-size variables as large as GitHub answered without timing out (502) in this run.
        self.page_caps = {"first": MAX_PAGE_SIZE, "releases": MAX_PAGE_SIZE, "nested": MAX_PAGE_SIZE}
        # Per repository external id: the listing's record (with its releases) and each stream's newest update.
        self.listed: dict[str, dict[str, Any]] = {}
        self.newest: dict[str, dict[str, datetime | None]] = {}

    # -- queries --------------------------------------------------------------------------------------------

    def query(self, query: str, variables: dict[str, Any], root: str, what: str) -> Any:
        """`data[root]` of a query; partial errors are logged; a null root with NOT_FOUND/FORBIDDEN raises."""
        sent = dict(variables)
        sizes = tuple(name for name in self.page_caps if name in sent)
        for name in sizes:
            sent[name] = min(sent[name], self.page_caps[name])
        answer = self.client.graphql(self.endpoint, query, sent, page_sizes=sizes)
        # A 502 made the client ask for smaller pages: no later query of this run asks for more.
        for name in sizes:
            if answer.variables[name] < sent[name]:
                self.page_caps[name] = answer.variables[name]
        found = answer.data.get(root)
        messages = "; ".join(f"{e.get('type') or 'ERROR'}: {e.get('message')}" for e in answer.errors)
        if found is None:
            if any(e.get("type") in REPOSITORY_ERRORS for e in answer.errors):
                raise RepositoryUnavailable(messages)
            if answer.errors:
                raise PermanentSyncError(f"GitHub GraphQL refused the {what} query: {messages}")
            raise RepositoryUnavailable(f"NOT_FOUND: GitHub answered no {root}")
        if answer.errors:
            # Partial data: what could be read is kept; the rest is named in the job log.
            self.ctx.log("warning", f"GitHub GraphQL answered {what} partially: {messages}"[:500])
        return found

    def repository_query(self, repo: Repo, query: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        """`data.repository` of a query on one repository."""
        found: dict[str, Any] = self.query(
            query, {"owner": repo.owner, "name": repo.name, **variables}, "repository", f"{what} of {repo.full_name}"
        )
        return found

    def complete(self, node: dict[str, Any], type_name: str) -> None:
        """Fetch the rest of every nested connection of `node` that has more than its first page."""
        for nested in q.NESTED.get(type_name, ()):
            conn = node.get(nested.field)
            if not isinstance(conn, dict):
                continue
            after = gq.next_cursor(conn)
            if after and node.get("id"):
                conn["nodes"] = [*(conn.get("nodes") or []), *self.follow_up(nested, str(node["id"]), after)]
            # A connection's nodes have connections of their own when it has children (a review's comments).
            if nested.children:
                for child in gq.nodes(conn):
                    self.complete(child, nested.children[0].parent)

    def follow_up(self, nested: Nested, node_id: str, after: str) -> list[Any]:
        """The pages after `after` of one nested connection of one node, through `node(id:)`."""
        out: list[Any] = []
        query = q.follow_up(nested)
        cursor: str | None = after
        while cursor:
            variables: dict[str, Any] = {"id": node_id, "first": MAX_PAGE_SIZE, "after": cursor}
            if "$nested" in query:
                variables["nested"] = self.nested
            node = self.query(query, variables, "node", f"{nested.parent}.{nested.field}")
            conn = node.get(nested.field) or {}
            out.extend(conn.get("nodes") or [])
            cursor = gq.next_cursor(conn)
        return out

    # -- the run --------------------------------------------------------------------------------------------

    def sync_repository(self, repo: Repo, start: float, share: float) -> None:
        """Every stream of one repository; one GitHub refuses is skipped with a log line, not a failed run."""
        try:
            super().sync_repository(repo, start, share)
        except RepositoryUnavailable as exc:
            self.skip_repository(repo.full_name, exc)

    def skip_repository(self, full_name: str, exc: RepositoryUnavailable) -> None:
        """Count and log a repository GitHub refused (the run goes on with the others)."""
        self.counts.skip("repositories", full_name, exc)
        self.ctx.log("warning", f"repository {full_name} skipped: {exc}"[:500], repository=full_name)

    def comments_mode(self, repo: Repo) -> str:
        """Review comments come inline with their reviews, one pull request at a time."""
        return "per_pull"

    def sync_repositories(self) -> list[Repo]:
        """The configured repositories (or all of the organisation's), upserted; the run's first query."""
        stream = gq.Repositories(self.client, self.counts)
        named = [str(r).strip() for r in self.settings.get("repositories") or [] if str(r).strip()]
        rows: list[dict[str, Any]] = []
        if named:
            for full_name in named:
                owner, _, name = full_name.partition("/")
                try:
                    variables = {"owner": owner, "name": name, "releases": MAX_PAGE_SIZE}
                    record = self.query(q.NAMED_REPOSITORY, variables, "repository", full_name)
                except RepositoryUnavailable as exc:
                    self.skip_repository(full_name, exc)
                    continue
                rows.extend(self.with_newest(stream.rows([record]), [record]))
            if not rows:
                raise PermanentSyncError("none of the configured repositories is found or accessible")
        elif self.settings.get("organization"):
            login = self.settings["organization"]
            after = None
            while True:
                try:
                    variables = {"login": login, "first": REPOSITORY_PAGE_SIZE, "after": after}
                    variables["releases"] = MAX_PAGE_SIZE
                    org = self.query(q.ORG_REPOSITORIES, variables, "organization", f"repositories of {login}")
                except RepositoryUnavailable as exc:
                    raise PermanentSyncError(f"organization {login}: {exc}") from exc
                conn = org.get("repositories") or {}
                rows.extend(self.with_newest(stream.rows(gq.nodes(conn)), gq.nodes(conn)))
                after = gq.next_cursor(conn)
                if not after:
                    break
        else:
            raise PermanentSyncError("settings must name `repositories` or an `organization`")
        return self.store_repositories(rows)

    def with_newest(self, rows: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Remember each repository's record and its newest PR, issue and deployment times; the rows pass through."""
        for record in records:
            if not isinstance(record.get("databaseId"), int):
                continue
            self.listed[str(record["databaseId"])] = record
            deployment = next(iter(gq.nodes(record.get("deployments"))), {})
            times = [parse_time(deployment.get("createdAt")), parse_time(deployment.get("updatedAt"))]
            self.newest[str(record["databaseId"])] = {
                "pull_requests": parse_time(next(iter(gq.nodes(record.get("pullRequests"))), {}).get("updatedAt")),
                "issues": parse_time(next(iter(gq.nodes(record.get("issues"))), {}).get("updatedAt")),
                "deployments": max((t for t in times if t is not None), default=None),
            }
        return rows

    def unchanged(self, repo: Repo, stream: str, checkpoint: dict[str, Any]) -> bool:
        """Whether the stream's newest record (from the listing) is no newer than its finished walk's cursor."""
        newest = self.newest.get(repo.external_id, {})
        if stream not in newest or checkpoint.get("run") or not checkpoint.get("cursor"):
            return False
        latest = newest[stream]
        return latest is None or latest <= require_time(checkpoint["cursor"], "cursor")

    def sync_pull_requests(self, repo: Repo) -> None:
        """Pull requests updated since the cursor, newest first, each page with reviews, commits and comments."""
        name = f"pull_requests:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        if self.unchanged(repo, "pull_requests", checkpoint):
            return
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        run = dict(checkpoint.get("run") or {})
        # A walk a REST run left unfinished has no GraphQL cursor: start from the newest, keeping its high mark.
        after, high = run.get("after"), run.get("high")
        stream = gq.PullRequests(self.client, self.counts)
        while True:
            found = self.repository_query(
                repo, q.PULL_REQUESTS, {"first": self.first, "after": after, "nested": self.nested}, "pull requests"
            )
            conn = found.get("pullRequests") or {}
            in_scope, done = [], False
            for node in gq.nodes(conn):
                updated = parse_time(node.get("updatedAt"))
                if updated is not None and low is not None and updated < low:
                    done = True
                    break
                in_scope.append(node)
            for node in in_scope:
                self.complete(node, "PullRequest")
            details = stream.rows(in_scope)
            for d in details:
                if high is None or iso(d["pr"]["source_updated_at"]) > high:
                    high = iso(d["pr"]["source_updated_at"])
            after = None if done else gq.next_cursor(conn)
            if after:
                new_checkpoint = {**checkpoint, "run": {"after": after, "high": high}}
            else:
                new_checkpoint = {"cursor": high or checkpoint.get("cursor")}
            self.commit(name, new_checkpoint, lambda s, d=details: self.write_pull_requests(s, repo, d))
            self.counts.written["pull_requests"] += len(details)
            self.progress(f"{repo.full_name}: pull requests")
            if not after:
                return

    def sync_issues(self, repo: Repo) -> None:
        """Issues updated since the cursor, oldest first, with their labels."""
        name = f"issues:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        if self.unchanged(repo, "issues", checkpoint):
            return
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        cursor = checkpoint.get("cursor")
        stream = gq.Issues(self.client, self.counts)
        after = None
        while True:
            variables = {"first": self.wide, "after": after, "nested": self.nested, "since": iso(low) if low else None}
            conn = self.repository_query(repo, q.ISSUES, variables, "issues").get("issues") or {}
            records = gq.nodes(conn)
            for record in records:
                self.complete(record, "Issue")
            rows = stream.rows(records)
            for record in records:
                updated = parse_time(record.get("updatedAt"))
                if updated is not None and (cursor is None or iso(updated) > cursor):
                    cursor = iso(updated)
            out = [self.base({**r, "repository_id": repo.id}) for r in rows]
            self.commit(name, {"cursor": cursor}, lambda s, o=out: upsert(s, GithubIssue, o))
            self.counts.written["github_issues"] += len(out)
            after = gq.next_cursor(conn)
            if not after:
                return

    def sync_deployments(self, repo: Repo) -> None:
        """Deployments updated since the cursor, newest first, with their statuses in the same query."""
        name = f"deployments:{repo.full_name}"
        checkpoint = dict(self.ctx.get_checkpoint(name) or {})
        if self.unchanged(repo, "deployments", checkpoint):
            return
        low = low_watermark(checkpoint.get("cursor"), self.sync_since, self.overlap)
        run = dict(checkpoint.get("run") or {})
        after, high = run.get("after"), run.get("high")
        stream = gq.Deployments(self.client, self.counts)
        while True:
            variables = {"first": self.wide, "after": after, "nested": self.nested}
            conn = self.repository_query(repo, q.DEPLOYMENTS, variables, "deployments").get("deployments") or {}
            records = gq.nodes(conn)
            for record in records:
                self.complete(record, "Deployment")
            rows, done = [], False
            for row in stream.rows(records):
                if low is not None and row["_listed_updated_at"] < low and row["started_at"] < low:
                    done = True
                    break
                row.pop("_listed_updated_at")
                rows.append(self.base({**row, "repository_id": repo.id}))
                if high is None or iso(row["source_updated_at"]) > high:
                    high = iso(row["source_updated_at"])
            after = None if done else gq.next_cursor(conn)
            new_checkpoint = {**checkpoint, "run": {"after": after, "high": high}} if after else {"cursor": high}
            self.commit(name, new_checkpoint, lambda s, r=rows: self.write_deployments(s, r))
            self.counts.written["deployments"] += len(rows)
            if not after:
                return

    def sync_releases(self, repo: Repo) -> None:
        """Releases (every one, each run: few per repository and listed with it), published ones also deployments."""
        listed = self.listed.get(repo.external_id)
        if listed is None:
            return
        self.complete(listed, "Repository")
        stream = gq.Releases(self.client, self.counts)
        out = [self.base({**r, "repository_id": repo.id}) for r in stream.rows(gq.nodes(listed.get("releases")))]
        deployments = [self.base(d) for d in (self.release_deployment(repo, r) for r in out) if d]

        def write(session: Session) -> None:
            upsert(session, Release, out)
            self.write_deployments(session, deployments)

        self.commit(f"releases:{repo.full_name}", {"synced_at": iso(_now())}, write)
        self.counts.written["releases"] += len(out)

    def release_deployment(self, repo: Repo, release: dict[str, Any]) -> dict[str, Any] | None:
        """As on REST; the tag's commit came with the release, so no request resolves it."""
        if not release["draft"] and release["published_at"] is not None and not release.get("target_commitish"):
            self.counts.skip("releases", release["external_id"], ValueError("the release's tag has no commit"))
            return None
        return super().release_deployment(repo, release)

    def history(self, repo: Repo, sha: str) -> list[dict[str, Any]]:
        """Commits reachable from `sha` (since `sync_since`), oldest first, 100 a query."""
        since = low_watermark(None, self.sync_since, self.overlap)
        stream = gq.History(self.client, self.counts)
        commits: list[dict[str, Any]] = []
        after = None
        while True:
            variables = {
                "oid": sha,
                "first": MAX_PAGE_SIZE,
                "after": after,
                "since": iso(since) if since else None,
            }
            found = self.repository_query(repo, q.HISTORY, variables, f"history of {sha[:12]}")
            conn = (found.get("object") or {}).get("history") or {}
            commits.extend(stream.rows(gq.nodes(conn)))
            after = gq.next_cursor(conn)
            if not after:
                break
        commits.reverse()
        return commits

    def shipped_commits(self, repo: Repo, ranges: list[tuple[str | None, str]]) -> list[list[dict[str, Any]]]:
        """As on REST, but ranges are walked back through history in batched queries; REST compare is the fallback."""
        walks = {k: (prev, sha) for k, (prev, sha) in enumerate(ranges) if prev is not None}
        walked = self.walk_histories(repo, walks)
        out: list[list[dict[str, Any]]] = []
        for k, (prev, sha) in enumerate(ranges):
            if prev is None:
                out.append(self.history(repo, sha))
            else:
                found = walked[k]
                out.append(self.compare(repo, prev, sha) if found is None else found)
        return out

    def walk_histories(self, repo: Repo, walks: dict[int, tuple[str, str]]) -> dict[int, list[dict[str, Any]] | None]:
        """Per key: the commits from `sha` back to (not including) `prev`, oldest first; None where not met."""
        stream = gq.History(self.client, self.counts)
        seen: dict[int, list[dict[str, Any]]] = {k: [] for k in walks}
        result: dict[int, list[dict[str, Any]] | None] = {}
        # Walks still open, with the cursor of their next page: every query carries a page of each.
        open_walks: dict[int, str | None] = dict.fromkeys(walks)
        while open_walks:
            keys = list(open_walks)
            variables: dict[str, Any] = {"first": self.first}
            for slot, k in enumerate(keys):
                variables[f"oid{slot}"], variables[f"after{slot}"] = walks[k][1], open_walks[k]
            found = self.repository_query(repo, q.shipped_history(len(keys)), variables, "shipped changes")
            open_walks = {}
            for slot, k in enumerate(keys):
                conn = (found.get(f"d{slot}") or {}).get("history")
                if conn is None:  # GitHub does not know the sha (rewritten away): REST compare says why
                    result[k] = None
                    continue
                records = gq.nodes(conn)
                stop = next((n for n, record in enumerate(records) if record.get("oid") == walks[k][0]), None)
                seen[k].extend(records if stop is None else records[:stop])
                after = gq.next_cursor(conn)
                if stop is not None:
                    result[k] = list(reversed(stream.rows(seen[k])))
                elif after and len(seen[k]) < MAX_SHIPPED_WALK:
                    open_walks[k] = after
                else:
                    result[k] = None
        return result


def _size(value: Any, default: int) -> int:
    """A page-size setting within GitHub's 1..100."""
    try:
        return max(1, min(100, int(value)))
    except (TypeError, ValueError):
        return default
