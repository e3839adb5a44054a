"""GitHub GraphQL objects over the live dataset: plain dicts whose argument-taking fields are closures.

graphql-core's default resolver reads a dict key and calls it when it is callable, so every object here is
a dict of scalars plus `fn(info, **args)` for connections and links; nothing renders unless a query asks.
Ids agree with the REST routes: `databaseId` is the REST `id`, `id` is the REST `node_id`.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from graphql import GraphQLError

from pulse.sim.github_routes import resolve_ref
from pulse.sim.github_shapes import LABEL_COLORS, WEB_FLOW_ID, iso, node_id
from pulse.sim.graphql_paging import Key, connection, in_order
from pulse.sim.model import (
    Commit,
    Deployment,
    DeploymentStatus,
    Issue,
    PullRequest,
    Release,
    Repository,
    Review,
    ReviewComment,
)
from pulse.sim.store import Dataset

View = dict[str, Any]
SAML_MESSAGE = (
    "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to "
    "this organization."
)


def not_found(message: str) -> GraphQLError:
    """GitHub's NOT_FOUND error (the field resolves to null, the rest of the query still runs)."""
    return GraphQLError(message, extensions={"type": "NOT_FOUND"})


def identity(kind: str, ident: int, full: bool = False) -> View:
    """The fields every object with a database id has: type, global id (the REST `node_id`), `databaseId`."""
    out: View = {"__typename": kind, "id": node_id(kind, ident), "databaseId": ident}
    if full:
        out["fullDatabaseId"] = str(ident)
    return out


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def _descending(args: dict[str, Any], default: str = "ASC") -> bool:
    order = args.get("orderBy") or {}
    return (order.get("direction") or default) == "DESC"


def _sorted(items: list[Any], key: Callable[[Any], Key], descending: bool) -> tuple[list[Any], list[Key]]:
    """Items and their cursor keys in traversal order; descending keys are negated so they still ascend."""
    ordered = sorted(items, key=key, reverse=descending)
    keys = [tuple(-k for k in key(i)) if descending else key(i) for i in ordered]
    return ordered, keys


def pull_state(pr: PullRequest) -> str:
    """OPEN, CLOSED or MERGED."""
    return "MERGED" if pr.merged_at else pr.state.upper()


def deployment_state(dep: Deployment) -> str:
    """GitHub's DeploymentState from the latest status (a successful latest status is ACTIVE)."""
    if not dep.statuses:
        return "PENDING"
    latest = dep.statuses[-1].state
    return "ACTIVE" if latest == "success" else latest.upper()


@dataclass(slots=True)
class Views:
    """Builds the GraphQL objects of one dataset for one request (web root for `url` fields)."""

    ds: Dataset
    web: str

    # --- people -------------------------------------------------------------------------------------------
    def user(self, login: str | None) -> View | None:
        """A User (bots like web-flow appear as Bot)."""
        if login is None:
            return None
        person = self.ds.people.get(login)
        ident = person.id if person else (WEB_FLOW_ID if login == "web-flow" else 90_000 + sum(map(ord, login)))
        kind = "Bot" if login == "web-flow" else "User"
        return {
            **identity(kind, ident),
            "login": login,
            "name": person.name if person else login,
            "email": person.email if person else "",
            "url": f"{self.web}/{login}",
            "avatarUrl": f"https://avatars.githubusercontent.com/u/{ident}?v=4",
        }

    def git_actor(self, login: str, when: datetime) -> View:
        """A GitActor (name, email, date) with its linked user."""
        person = self.ds.people.get(login)
        if login == "web-flow":
            name, email = "GitHub", "noreply@github.com"
        else:
            name, email = (person.name, person.email) if person else (login, f"{login}@users.noreply.github.com")
        return {"name": name, "email": email, "date": iso(when), "user": lambda _i: self.user(login)}

    def organization(self) -> View:
        """The organisation with its repositories."""
        ds = self.ds
        return {
            **identity("Organization", ds.org_id),
            "login": ds.org,
            "name": ds.org,
            "url": f"{self.web}/{ds.org}",
            "repositories": self.repositories,
            "repository": lambda _i, name, **_: self.repository_named(name),
        }

    # --- repositories -------------------------------------------------------------------------------------
    def repositories(self, _info: Any, **args: Any) -> View:
        """The organisation's repositories, ordered by `orderBy` (default CREATED_AT ASC)."""
        field = (args.get("orderBy") or {}).get("field", "CREATED_AT")
        attr = {"NAME": "name", "PUSHED_AT": "pushed_at", "UPDATED_AT": "pushed_at"}.get(field, "created_at")

        def build() -> tuple[list[Repository], list[Key]]:
            ordered = sorted(self.ds.repositories, key=lambda r: (getattr(r, attr), r.id), reverse=_descending(args))
            return ordered, [(i,) for i in range(len(ordered))]

        items, keys = self.ds.cached(("gql_repos", attr, _descending(args)), build)
        return connection(items, keys, self.repository, args)

    def repository_named(self, name: str) -> View | None:
        """A repository of the organisation by name, or null."""
        repo = self.ds.repository(name)
        return self.repository(repo) if repo else None

    def repository(self, repo: Repository) -> View:
        """A Repository."""
        return {
            **identity("Repository", repo.id),
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "owner": lambda _i: self.organization(),
            "description": repo.description,
            "createdAt": iso(repo.created_at),
            "updatedAt": iso(repo.pushed_at),
            "pushedAt": iso(repo.pushed_at),
            "isPrivate": True,
            "isArchived": False,
            "isFork": False,
            "isDisabled": False,
            "visibility": "PRIVATE",
            "url": f"{self.web}/{repo.full_name}",
            "primaryLanguage": {"name": repo.language, "id": node_id("Language", zlib.crc32(repo.language.encode()))},
            "defaultBranchRef": lambda _i: self.branch(repo, repo.default_branch),
            "object": lambda _i, expression=None, oid=None: self.object(repo, oid or expression),
            "pullRequests": lambda _i, **args: self.pull_requests(repo, args),
            "pullRequest": lambda _i, number: self._pull_or_none(repo, number),
            "deployments": lambda _i, **args: self.deployments(repo, args),
            "releases": lambda _i, **args: self.releases(repo, args),
            "issues": lambda _i, **args: self.issues(repo, args),
        }

    def branch(self, repo: Repository, name: str) -> View | None:
        """A Ref to a branch (only the default branch exists on the simulated remote)."""
        if name != repo.default_branch or not repo.main:
            return None
        return self.ref(repo, name, "refs/heads/", repo.main[-1].sha)

    def ref(self, repo: Repository, name: str, prefix: str, sha: str) -> View:
        """A Ref (branch or tag) whose `target` is the main-branch commit `sha`, if there is one."""
        return {
            "__typename": "Ref",
            "id": node_id("Ref", zlib.crc32(f"{repo.id}:{prefix}{name}".encode())),
            "name": name,
            "prefix": prefix,
            "target": lambda _i: self.main_commit(repo, sha),
        }

    def main_commit(self, repo: Repository, sha: str) -> View | None:
        """The default-branch commit with `sha`, or null."""
        at = self.ds.main_index(repo).get(sha)
        return None if at is None else self.commit(repo, repo.main[at])

    def object(self, repo: Repository, expression: str | None) -> View | None:
        """`object(expression:)`: a main-branch commit by sha, branch or tag name."""
        index = resolve_ref(self.ds, repo, expression or "")
        return None if index is None else self.commit(repo, repo.main[index])

    # --- commits ------------------------------------------------------------------------------------------
    def commit(self, repo: Repository, c: Commit) -> View:
        """A Commit; `history` walks the default branch back from it."""
        url = f"{self.web}/{repo.full_name}/commit/{c.sha}"
        return {
            "__typename": "Commit",
            "id": node_id("Commit", int(c.sha[:8], 16)),
            "oid": c.sha,
            "abbreviatedOid": c.sha[:7],
            "message": c.message,
            "messageHeadline": c.message.split("\n", 1)[0],
            "authoredDate": iso(c.authored_at),
            "committedDate": iso(c.committed_at),
            "author": lambda _i: self.git_actor(c.author, c.authored_at),
            "committer": lambda _i: self.git_actor(c.committer, c.committed_at),
            "additions": 0,
            "deletions": 0,
            "changedFilesIfAvailable": 0,
            "url": url,
            "commitUrl": url,
            "history": lambda _i, **args: self.history(repo, c, args),
            "parents": lambda _i, **args: connection(
                *in_order([p for p in repo.main if p.sha in c.parents]), lambda p: self.commit(repo, p), args
            ),
        }

    def history(self, repo: Repository, c: Commit, args: dict[str, Any]) -> View:
        """Commits reachable from `c` on the default branch, newest first, filtered by since/until."""
        at = self.ds.main_index(repo).get(c.sha)
        since, until = _time(args.get("since")), _time(args.get("until"))
        chain = [] if at is None else repo.main[: at + 1]
        items = [
            (i, x)
            for i, x in enumerate(chain)
            if (since is None or x.committed_at >= since) and (until is None or x.committed_at <= until)
        ]
        items.reverse()
        if at is None:
            items = [(0, c)]
        return connection([x for _, x in items], [(-i,) for i, _ in items], lambda x: self.commit(repo, x), args)

    # --- pull requests ------------------------------------------------------------------------------------
    def pull_requests(self, repo: Repository, args: dict[str, Any]) -> View:
        """`Repository.pullRequests`: states/labels/base/head filters, orderBy CREATED_AT or UPDATED_AT."""
        field = "updated_at" if (args.get("orderBy") or {}).get("field") == "UPDATED_AT" else "created_at"
        states = tuple(sorted(args.get("states") or ()))
        labels = tuple(sorted(x.lower() for x in args.get("labels") or ()))
        base, head = args.get("baseRefName"), args.get("headRefName")
        descending = _descending(args)

        def build() -> tuple[list[PullRequest], list[Key]]:
            chosen = [
                p
                for p in repo.pulls
                if (not states or pull_state(p) in states)
                and (not labels or set(labels) & {x.lower() for x in p.labels})
                and base in (None, p.base_ref)
                and head in (None, p.head_ref)
            ]
            return _sorted(chosen, lambda p: (_epoch(getattr(p, field)), p.number), descending)

        items, keys = self.ds.cached(("gql_pulls", repo.name, field, descending, states, labels, base, head), build)
        return connection(items, keys, lambda p: self.pull(repo, p), args)

    def _pull_or_none(self, repo: Repository, number: int) -> View | None:
        pr = self.ds.pull(repo, number)
        if pr is None:
            raise not_found(f"Could not resolve to a PullRequest with the number of {number}.")
        return self.pull(repo, pr)

    def pull(self, repo: Repository, pr: PullRequest) -> View:
        """A PullRequest with its reviews, commits and review comments."""
        url = f"{self.web}/{repo.full_name}/pull/{pr.number}"
        return {
            **identity("PullRequest", pr.id, full=True),
            "number": pr.number,
            "title": pr.title,
            "body": pr.body,
            "state": pull_state(pr),
            "isDraft": pr.draft,
            "closed": pr.state == "closed",
            "merged": pr.merged,
            "locked": False,
            "createdAt": iso(pr.created_at),
            "updatedAt": iso(pr.updated_at),
            "closedAt": iso(pr.closed_at),
            "mergedAt": iso(pr.merged_at),
            "publishedAt": iso(pr.created_at),
            "author": lambda _i: self.user(pr.user),
            "mergedBy": lambda _i: self.user(pr.merged_by),
            "headRefName": pr.head_ref,
            "headRefOid": pr.head_sha,
            "baseRefName": pr.base_ref,
            "mergeCommit": lambda _i: self.main_commit(repo, pr.merge_commit_sha) if pr.merge_commit_sha else None,
            "additions": pr.additions,
            "deletions": pr.deletions,
            "changedFiles": pr.changed_files,
            "url": url,
            "permalink": url,
            "resourcePath": f"/{repo.full_name}/pull/{pr.number}",
            "totalCommentsCount": len(pr.comments),
            "repository": lambda _i: self.repository(repo),
            "labels": lambda _i, **args: self.labels(repo, pr.labels, args),
            "reviews": lambda _i, **args: self.reviews(repo, pr, args),
            "commits": lambda _i, **args: connection(
                *in_order(pr.commits[:250]), lambda c: self.pull_commit(repo, pr, c), args
            ),
            "reviewThreads": lambda _i, **args: connection(
                *in_order(pr.comments), lambda c: self.review_thread(repo, pr, c), args
            ),
            # Issue comments: the simulated organisation has none (the REST `comments` count is 0 too).
            "comments": lambda _i, **args: connection([], [], lambda x: x, args),
        }

    def labels(self, repo: Repository, names: list[str], args: dict[str, Any]) -> View:
        """Labels of an issue or pull request."""
        return connection(*in_order(names), lambda n: self.label(repo, n), args)

    def label(self, repo: Repository, name: str) -> View:
        """A Label."""
        return {
            "__typename": "Label",
            "id": node_id("Label", zlib.crc32(f"{repo.id}:{name}".encode())),
            "name": name,
            "color": LABEL_COLORS.get(name.lower(), "ededed"),
            "description": None,
            "isDefault": name in ("bug", "enhancement", "question"),
        }

    def reviews(self, repo: Repository, pr: PullRequest, args: dict[str, Any]) -> View:
        """Reviews of a pull request, oldest first, optionally filtered by state or author."""
        states, author = args.get("states"), args.get("author")
        chosen = [r for r in pr.reviews if (not states or r.state in states) and author in (None, r.user)]
        return connection(*in_order(chosen), lambda r: self.review(repo, pr, r), args)

    def review(self, repo: Repository, pr: PullRequest, review: Review) -> View:
        """A PullRequestReview."""
        mine = [c for c in pr.comments if c.review_id == review.id]
        return {
            **identity("PullRequestReview", review.id, full=True),
            "state": review.state,
            "body": review.body,
            "author": lambda _i: self.user(review.user),
            "submittedAt": iso(review.submitted_at),
            "createdAt": iso(review.submitted_at),
            "updatedAt": iso(review.submitted_at),
            "publishedAt": iso(review.submitted_at),
            "url": f"{self.web}/{repo.full_name}/pull/{pr.number}#pullrequestreview-{review.id}",
            "commit": lambda _i: self.commit(repo, self._pr_commit(pr, review.commit_id)),
            "pullRequest": lambda _i: self.pull(repo, pr),
            "comments": lambda _i, **args: connection(
                *in_order(mine), lambda c: self.review_comment(repo, pr, c), args
            ),
        }

    def _pr_commit(self, pr: PullRequest, sha: str) -> Commit:
        return next((c for c in pr.commits if c.sha == sha), pr.commits[-1])

    def review_thread(self, repo: Repository, pr: PullRequest, c: ReviewComment) -> View:
        """A review thread: each simulated review comment starts its own thread."""
        return {
            "__typename": "PullRequestReviewThread",
            "id": node_id("PullRequestReviewThread", c.id),
            "path": c.path,
            "line": c.line,
            "originalLine": c.line,
            "diffSide": "RIGHT",
            "isResolved": False,
            "isOutdated": False,
            "isCollapsed": False,
            "pullRequest": lambda _i: self.pull(repo, pr),
            "repository": lambda _i: self.repository(repo),
            "comments": lambda _i, **args: connection(*in_order([c]), lambda x: self.review_comment(repo, pr, x), args),
        }

    def review_comment(self, repo: Repository, pr: PullRequest, c: ReviewComment) -> View:
        """A PullRequestReviewComment with the fields the REST path stores."""
        review = next((r for r in pr.reviews if r.id == c.review_id), None)
        return {
            **identity("PullRequestReviewComment", c.id, full=True),
            "body": c.body,
            "path": c.path,
            "line": c.line,
            "originalLine": c.line,
            "position": 1,
            "originalPosition": 1,
            "diffHunk": f"@@ -{c.line},3 +{c.line},4 @@",
            "createdAt": iso(c.created_at),
            "updatedAt": iso(c.updated_at),
            "publishedAt": iso(c.created_at),
            "author": lambda _i: self.user(c.user),
            "commit": lambda _i: self.commit(repo, self._pr_commit(pr, c.commit_id)),
            "originalCommit": lambda _i: self.commit(repo, self._pr_commit(pr, c.commit_id)),
            "pullRequest": lambda _i: self.pull(repo, pr),
            "pullRequestReview": lambda _i: None if review is None else self.review(repo, pr, review),
            "replyTo": None,
            "outdated": False,
            "state": "SUBMITTED",
            "subjectType": "LINE",
            "url": f"{self.web}/{repo.full_name}/pull/{pr.number}#discussion_r{c.id}",
        }

    def pull_commit(self, repo: Repository, pr: PullRequest, c: Commit) -> View:
        """A PullRequestCommit wrapping a Commit."""
        return {
            "__typename": "PullRequestCommit",
            "id": node_id("PullRequestCommit", int(c.sha[:8], 16)),
            "commit": self.commit(repo, c),
            "pullRequest": lambda _i: self.pull(repo, pr),
            "url": f"{self.web}/{repo.full_name}/pull/{pr.number}/commits/{c.sha}",
        }

    # --- deployments, releases, issues --------------------------------------------------------------------
    def deployments(self, repo: Repository, args: dict[str, Any]) -> View:
        """`Repository.deployments`: environments filter, orderBy CREATED_AT (default ASC)."""
        envs = tuple(sorted(args.get("environments") or ()))
        descending = _descending(args)

        def build() -> tuple[list[Deployment], list[Key]]:
            chosen = [d for d in repo.deployments if not envs or d.environment in envs]
            return _sorted(chosen, lambda d: (_epoch(d.created_at), d.id), descending)

        items, keys = self.ds.cached(("gql_deps", repo.name, envs, descending), build)
        return connection(items, keys, lambda d: self.deployment(repo, d), args)

    def deployment(self, repo: Repository, dep: Deployment) -> View:
        """A Deployment with its statuses (newest first, as the REST statuses route lists them)."""
        newest_first = list(reversed(dep.statuses))
        return {
            **identity("Deployment", dep.id),
            "environment": dep.environment,
            "originalEnvironment": dep.environment,
            "latestEnvironment": dep.environment,
            "description": dep.description,
            "task": "deploy",
            "payload": "{}",
            "commitOid": dep.sha,
            "commit": lambda _i: self.main_commit(repo, dep.sha),
            "ref": self.ref(repo, dep.ref, "refs/heads/", dep.sha),
            "creator": lambda _i: self.user(dep.creator),
            "createdAt": iso(dep.created_at),
            "updatedAt": iso(dep.updated_at),
            "state": deployment_state(dep),
            "repository": lambda _i: self.repository(repo),
            "latestStatus": lambda _i: self.deployment_status(repo, dep, dep.statuses[-1]) if dep.statuses else None,
            "statuses": lambda _i, **args: connection(
                *in_order(newest_first), lambda s: self.deployment_status(repo, dep, s), args
            ),
        }

    def deployment_status(self, repo: Repository, dep: Deployment, status: DeploymentStatus) -> View:
        """A DeploymentStatus (GitHub's DeploymentStatusState, INACTIVE included)."""
        log = f"{self.web}/{repo.full_name}/actions/runs/{dep.id}"
        return {
            "__typename": "DeploymentStatus",
            "id": node_id("DeploymentStatus", status.id),
            "state": status.state.upper(),
            "description": status.description,
            "environment": dep.environment,
            "createdAt": iso(status.created_at),
            "updatedAt": iso(status.created_at),
            "logUrl": log,
            "environmentUrl": None,
            "creator": lambda _i: self.user(dep.creator),
            "deployment": lambda _i: self.deployment(repo, dep),
        }

    def releases(self, repo: Repository, args: dict[str, Any]) -> View:
        """`Repository.releases`: orderBy CREATED_AT or NAME (default CREATED_AT ASC)."""
        by_name = (args.get("orderBy") or {}).get("field") == "NAME"
        descending = _descending(args)

        def build() -> tuple[list[Release], list[Key]]:
            if by_name:
                ordered = sorted(repo.releases, key=lambda r: (r.name, r.id), reverse=descending)
                return ordered, [(i,) for i in range(len(ordered))]
            return _sorted(repo.releases, lambda r: (_epoch(r.created_at), r.id), descending)

        items, keys = self.ds.cached(("gql_releases", repo.name, by_name, descending), build)
        return connection(items, keys, lambda r: self.release(repo, r), args)

    def release(self, repo: Repository, rel: Release) -> View:
        """A Release; `tagCommit` is the main-branch commit it points at."""
        return {
            **identity("Release", rel.id),
            "name": rel.name,
            "tagName": rel.tag_name,
            "description": rel.body,
            "isDraft": rel.draft,
            "isPrerelease": rel.prerelease,
            "isLatest": bool(repo.releases) and rel is max(repo.releases, key=lambda r: (r.created_at, r.id)),
            "createdAt": iso(rel.created_at),
            "publishedAt": iso(rel.published_at),
            "updatedAt": iso(rel.published_at),
            "author": lambda _i: self.user(rel.author),
            "url": f"{self.web}/{repo.full_name}/releases/tag/{rel.tag_name}",
            "tagCommit": lambda _i: self.main_commit(repo, rel.target_commitish),
            "tag": self.ref(repo, rel.tag_name, "refs/tags/", rel.target_commitish),
            "repository": lambda _i: self.repository(repo),
        }

    def issues(self, repo: Repository, args: dict[str, Any]) -> View:
        """`Repository.issues` (pull requests excluded, unlike REST): states, labels, filterBy.since, orderBy."""
        filters = args.get("filterBy") or {}
        states = tuple(sorted(args.get("states") or filters.get("states") or ()))
        labels = tuple(sorted(x.lower() for x in (args.get("labels") or filters.get("labels") or ())))
        since = _time(filters.get("since"))
        field = {"UPDATED_AT": "updated_at"}.get((args.get("orderBy") or {}).get("field", ""), "created_at")
        descending = _descending(args)

        def build() -> tuple[list[Issue], list[Key]]:
            chosen = [
                i
                for i in repo.issues
                if (not states or i.state.upper() in states)
                and (not labels or set(labels) & {x.lower() for x in i.labels})
                and (since is None or i.updated_at >= since)
            ]
            return _sorted(chosen, lambda i: (_epoch(getattr(i, field)), i.number), descending)

        key = ("gql_issues", repo.name, states, labels, since, field, descending)
        items, keys = self.ds.cached(key, build)
        return connection(items, keys, lambda i: self.issue(repo, i), args)

    def issue(self, repo: Repository, issue: Issue) -> View:
        """An Issue."""
        return {
            **identity("Issue", issue.id, full=True),
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "state": issue.state.upper(),
            "stateReason": "COMPLETED" if issue.closed_at else None,
            "closed": issue.state == "closed",
            "createdAt": iso(issue.created_at),
            "updatedAt": iso(issue.updated_at),
            "closedAt": iso(issue.closed_at),
            "author": lambda _i: self.user(issue.user),
            "url": f"{self.web}/{repo.full_name}/issues/{issue.number}",
            "repository": lambda _i: self.repository(repo),
            "labels": lambda _i, **args: self.labels(repo, issue.labels, args),
            "comments": lambda _i, **args: connection([], [], lambda x: x, args),
        }

    # --- global ids ---------------------------------------------------------------------------------------
    def node(self, global_id: str) -> View:
        """The object behind a global id, or GitHub's NOT_FOUND error."""
        found = self._lookup(global_id)
        if found is None:
            raise not_found(f"Could not resolve to a node with the global id of '{global_id}'")
        return found

    def _lookup(self, global_id: str) -> View | None:
        try:
            raw = base64.b64decode(global_id + "=" * (-len(global_id) % 4), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        head, _, rest = raw.partition(":")
        kind = rest.rstrip("0123456789")
        digits = rest[len(kind) :]
        if head != "0" or not digits:
            return None
        ident = int(digits)
        if kind in ("User", "Bot"):
            login = next((p.login for p in self.ds.people.values() if p.id == ident), None)
            login = login or ("web-flow" if ident == WEB_FLOW_ID else None)
            return self.user(login)
        if kind == "Organization":
            return self.organization() if ident == self.ds.org_id else None
        found = self.ds.cached(("gql_nodes", kind), lambda: _node_index(self.ds, kind)).get(ident)
        if found is None:
            return None
        render, objects = found
        return cast(View, getattr(self, render)(*objects))


def _node_index(ds: Dataset, kind: str) -> dict[int, tuple[str, tuple[Any, ...]]]:
    """Global-id look-up of one kind: id -> (Views method, its arguments); built once per data version."""
    out: dict[int, tuple[str, tuple[Any, ...]]] = {}
    for repo in ds.repositories:
        if kind == "Repository":
            out[repo.id] = ("repository", (repo,))
        for pr in repo.pulls:
            if kind == "PullRequest":
                out[pr.id] = ("pull", (repo, pr))
            for rv in pr.reviews if kind == "PullRequestReview" else ():
                out[rv.id] = ("review", (repo, pr, rv))
            for cm in pr.comments if kind in ("PullRequestReviewComment", "PullRequestReviewThread") else ():
                out[cm.id] = (
                    "review_comment" if kind == "PullRequestReviewComment" else "review_thread",
                    (repo, pr, cm),
                )
            for c in pr.commits if kind == "Commit" else ():
                out[int(c.sha[:8], 16)] = ("commit", (repo, c))
        for c in repo.main if kind == "Commit" else ():
            out[int(c.sha[:8], 16)] = ("commit", (repo, c))
        for d in repo.deployments:
            if kind == "Deployment":
                out[d.id] = ("deployment", (repo, d))
            for st in d.statuses if kind == "DeploymentStatus" else ():
                out[st.id] = ("deployment_status", (repo, d, st))
        for rel in repo.releases if kind == "Release" else ():
            out[rel.id] = ("release", (repo, rel))
        for issue in repo.issues if kind == "Issue" else ():
            out[issue.id] = ("issue", (repo, issue))
    return out


def _time(value: Any) -> datetime | None:
    """A DateTime/GitTimestamp argument (ISO 8601) as an aware datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"'{value}' is not a valid ISO 8601 timestamp", extensions={"type": "INVALID"}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
