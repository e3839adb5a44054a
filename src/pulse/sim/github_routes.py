"""GitHub REST v3 routes over the dataset (served at the root and under `/api/v3`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.routing import BaseRoute, Route

from pulse.sim.dataset import Dataset
from pulse.sim.endpoint import ApiError, Ctx, Endpoint, Handler, Reply, SimState
from pulse.sim.github_shapes import Shapes
from pulse.sim.model import Issue, PullRequest, Repository, ReviewComment
from pulse.sim.paging import PageRequest, github_page

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def shapes(ctx: Ctx) -> Shapes:
    """Renderer for the API root the client used."""
    return Shapes(ctx.ds, ctx.api_root, ctx.site_root)


def load_repo(ctx: Ctx) -> Repository:
    """The repository named in the path, or 404."""
    repo = ctx.ds.repository(ctx.params["repo"])
    if repo is None or ctx.params["owner"].lower() != ctx.ds.org.lower():
        raise ApiError(404, "Not Found", "https://docs.github.com/rest/repos/repos#get-a-repository")
    return repo


def load_pull(ctx: Ctx) -> tuple[Repository, PullRequest]:
    """The pull request named in the path, or 404."""
    repo = load_repo(ctx)
    pr = ctx.ds.pull(repo, _number(ctx.params["number"]))
    if pr is None:
        raise ApiError(404, "Not Found", "https://docs.github.com/rest/pulls/pulls#get-a-pull-request")
    return repo, pr


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiError(404, "Not Found") from None


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp from a query parameter, or 422 like GitHub."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ApiError(422, f"Invalid value for timestamp: {value}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _by(key: str) -> Callable[[Any], Any]:
    return lambda item: (getattr(item, key), item.number)


def get_user(ctx: Ctx) -> Reply:
    """The authenticated user."""
    user = shapes(ctx).user(ctx.identity) or {}
    return Reply(
        {
            **user,
            "name": ctx.identity,
            "email": None,
            "company": ctx.ds.org,
            "public_repos": 0,
            "created_at": "2015-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }
    )


def get_rate_limit(ctx: Ctx) -> Reply:
    """Current quota per resource; does not use any."""
    token = ctx.request.headers.get("authorization", "").partition(" ")[2].strip()
    quota = ctx.state.github_limits.peek(token)
    core = {"limit": quota.limit, "used": quota.used, "remaining": quota.remaining, "reset": quota.reset}
    search = {"limit": 30, "used": 0, "remaining": 30, "reset": quota.reset}
    points = ctx.state.graphql_limits.peek(token)
    graphql = {"limit": points.limit, "used": points.used, "remaining": points.remaining, "reset": points.reset}
    return Reply({"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core})


def list_org_repos(ctx: Ctx) -> Reply:
    """Repositories of the organisation."""
    if ctx.params["org"].lower() != ctx.ds.org.lower():
        raise ApiError(404, "Not Found", "https://docs.github.com/rest/repos/repos#list-organization-repositories")
    sort = ctx.query.get("sort", "created")
    key: Callable[[Repository], Any] = {
        "full_name": lambda r: r.full_name,
        "updated": lambda r: r.pushed_at,
        "pushed": lambda r: r.pushed_at,
    }.get(sort, lambda r: r.created_at)
    default_dir = "asc" if sort == "full_name" else "desc"
    repos = sorted(ctx.ds.repositories, key=key, reverse=ctx.query.get("direction", default_dir) == "desc")
    render = shapes(ctx)
    return ctx.paged(repos, github_page(ctx.query), render.repo)


def get_repo(ctx: Ctx) -> Reply:
    """One repository."""
    return Reply(shapes(ctx).repo(load_repo(ctx), full=True))


def list_pulls(ctx: Ctx) -> Reply:
    """Pull requests, filtered by state/head/base and sorted like GitHub."""
    repo = load_repo(ctx)
    state = ctx.query.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise ApiError(422, "Validation Failed")
    sort = ctx.query.get("sort", "created")
    field = {"updated": "updated_at", "created": "created_at"}.get(sort, "created_at")
    direction = ctx.query.get("direction", "desc" if sort == "created" else "asc")
    head, base = ctx.query.get("head"), ctx.query.get("base")
    ordered = ctx.ds.cached(("pulls_by", repo.name, field), lambda: sorted(repo.pulls, key=_by(field)))
    items = [
        p
        for p in ordered
        if (state == "all" or p.state == state)
        and (base is None or p.base_ref == base)
        and (head is None or head.split(":")[-1] == p.head_ref)
    ]
    if direction == "desc":
        items.reverse()
    render = shapes(ctx)
    return ctx.paged(items, github_page(ctx.query), lambda p: render.pull(repo, p))


def get_pull(ctx: Ctx) -> Reply:
    """One pull request, with counts and merge fields."""
    repo, pr = load_pull(ctx)
    return Reply(shapes(ctx).pull(repo, pr, full=True))


def list_reviews(ctx: Ctx) -> Reply:
    """Reviews of a pull request, oldest first."""
    repo, pr = load_pull(ctx)
    render = shapes(ctx)
    return ctx.paged(pr.reviews, github_page(ctx.query), lambda r: render.review(repo, pr, r))


def list_pull_commits(ctx: Ctx) -> Reply:
    """Commits of a pull request, oldest first (GitHub caps this list at 250)."""
    repo, pr = load_pull(ctx)
    render = shapes(ctx)
    return ctx.paged(pr.commits[:250], github_page(ctx.query), lambda c: render.commit(repo, c))


def list_review_comments(ctx: Ctx) -> Reply:
    """Review comments of a pull request."""
    repo, pr = load_pull(ctx)
    since = parse_time(ctx.query.get("since"))
    field = "updated_at" if ctx.query.get("sort") == "updated" else "created_at"
    items = sorted(pr.comments, key=lambda c: (getattr(c, field), c.id))
    items = [c for c in items if since is None or c.updated_at >= since]
    if ctx.query.get("direction") == "desc":
        items.reverse()
    render = shapes(ctx)
    return ctx.paged(items, github_page(ctx.query), lambda c: render.review_comment(repo, pr, c))


def list_repo_review_comments(ctx: Ctx) -> Reply:
    """Review comments of every pull request of a repository (`/pulls/comments`).

    Like GitHub: ordered by id unless `sort=created|updated` is given (then `direction`, default asc, applies);
    `since` keeps comments updated at or after the time.
    """
    repo = load_repo(ctx)
    since = parse_time(ctx.query.get("since"))
    sort = ctx.query.get("sort")
    if sort not in (None, "created", "updated"):
        raise ApiError(422, "Validation Failed")
    direction = ctx.query.get("direction", "asc") if sort else "asc"
    if direction not in ("asc", "desc"):
        raise ApiError(422, "Validation Failed")
    field = "updated_at" if sort == "updated" else "created_at"

    def build() -> list[tuple[PullRequest, ReviewComment]]:
        pairs = [(pr, c) for pr in repo.pulls for c in pr.comments]
        if sort is None:
            return sorted(pairs, key=lambda pc: pc[1].id)
        return sorted(pairs, key=lambda pc: (getattr(pc[1], field), pc[1].id))

    ordered = ctx.ds.cached(("review_comments_by", repo.name, sort), build)
    items = [pc for pc in ordered if since is None or pc[1].updated_at >= since]
    if direction == "desc":
        items.reverse()
    render = shapes(ctx)
    return ctx.paged(items, github_page(ctx.query), lambda pc: render.review_comment(repo, pc[0], pc[1]))


def list_issues(ctx: Ctx) -> Reply:
    """Issues and pull requests, filtered by state, labels and `since`."""
    repo = load_repo(ctx)
    state = ctx.query.get("state", "open")
    labels = {x.strip().lower() for x in ctx.query.get("labels", "").split(",") if x.strip()}
    since = parse_time(ctx.query.get("since"))
    sort = ctx.query.get("sort", "created")
    field = "updated_at" if sort == "updated" else "created_at"

    def build() -> list[Issue | PullRequest]:
        both: list[Issue | PullRequest] = [*repo.issues, *repo.pulls]
        return sorted(both, key=lambda i: (getattr(i, field), i.number))

    ordered = ctx.ds.cached(("issues_by", repo.name, field), build)
    items = [
        i
        for i in ordered
        if (state == "all" or i.state == state)
        and (since is None or i.updated_at >= since)
        and labels <= {name.lower() for name in i.labels}
    ]
    if ctx.query.get("direction", "desc") == "desc":
        items.reverse()
    render = shapes(ctx)
    return ctx.paged(items, github_page(ctx.query), lambda i: render.issue(repo, i))


def list_deployments(ctx: Ctx) -> Reply:
    """Deployments, newest first, filtered by sha/ref/task/environment."""
    repo = load_repo(ctx)
    q = ctx.query
    items = [
        d
        for d in reversed(repo.deployments)
        if (q.get("sha") in (None, d.sha))
        and (q.get("ref") in (None, d.ref))
        and (q.get("task") in (None, "deploy"))
        and (q.get("environment") in (None, d.environment))
    ]
    render = shapes(ctx)
    return ctx.paged(items, github_page(ctx.query), lambda d: render.deployment(repo, d))


def _load_deployment(ctx: Ctx) -> Any:
    repo = load_repo(ctx)
    dep = ctx.ds.deployment(repo, _number(ctx.params["deployment_id"]))
    if dep is None:
        raise ApiError(404, "Not Found", "https://docs.github.com/rest/deployments/deployments#get-a-deployment")
    return repo, dep


def get_deployment(ctx: Ctx) -> Reply:
    """One deployment."""
    repo, dep = _load_deployment(ctx)
    return Reply(shapes(ctx).deployment(repo, dep))


def list_deployment_statuses(ctx: Ctx) -> Reply:
    """Statuses of a deployment, newest first."""
    repo, dep = _load_deployment(ctx)
    render = shapes(ctx)
    items = list(reversed(dep.statuses))
    return ctx.paged(items, github_page(ctx.query), lambda s: render.deployment_status(repo, dep, s))


def list_releases(ctx: Ctx) -> Reply:
    """Releases, newest first."""
    repo = load_repo(ctx)
    render = shapes(ctx)
    items = sorted(repo.releases, key=lambda r: (r.created_at, r.id), reverse=True)
    return ctx.paged(items, github_page(ctx.query), lambda r: render.release(repo, r))


_CREATED = re.compile(r"^(>=|<=|>|<)?(\d{4}-\d{2}-\d{2}(?:T[\d:]+Z?)?)(?:\.\.(\d{4}-\d{2}-\d{2}(?:T[\d:]+Z?)?))?$")


def _created_filter(value: str | None) -> Callable[[datetime], bool]:
    if not value:
        return lambda _at: True
    match = _CREATED.match(value)
    if not match:
        raise ApiError(422, f"Invalid created filter: {value}")
    op, first, second = match.groups()

    def at(text: str, end: bool) -> datetime:
        moment = parse_time(text) or EPOCH
        if "T" not in text and end:
            moment = moment.replace(hour=23, minute=59, second=59)
        return moment

    if second:
        lo, hi = at(first, False), at(second, True)
        return lambda x: lo <= x <= hi
    bound = at(first, op in ("<=", ">"))
    return {
        ">=": lambda x: x >= bound,
        ">": lambda x: x > bound,
        "<=": lambda x: x <= bound,
        "<": lambda x: x < bound,
    }.get(op or "", lambda x: at(first, False) <= x <= at(first, True))


def list_workflow_runs(ctx: Ctx) -> Reply:
    """Workflow runs, newest first, as `{total_count, workflow_runs}`."""
    repo = load_repo(ctx)
    q = ctx.query
    created = _created_filter(q.get("created"))
    status = q.get("status")
    items = [
        r
        for r in reversed(repo.workflow_runs)
        if q.get("branch") in (None, r.head_branch)
        and q.get("event") in (None, r.event)
        and q.get("head_sha") in (None, r.head_sha)
        and status in (None, r.status, r.conclusion)
        and created(r.created_at)
    ]
    page = github_page(q)
    render = shapes(ctx)
    reply = ctx.paged(items, page, lambda r: render.workflow_run(repo, r))
    reply.body = {"total_count": len(items), "workflow_runs": reply.body}
    return reply


def resolve_ref(ds: Dataset, repo: Repository, ref: str) -> int | None:
    """Position on main of a sha (full or abbreviated), branch name or release tag."""
    index = ds.main_index(repo)
    if ref in index:
        return index[ref]
    ref = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
    if ref in (repo.default_branch, "HEAD"):
        return len(repo.main) - 1
    for rel in repo.releases:
        if rel.tag_name == ref:
            return index.get(rel.target_commitish)
    if len(ref) >= 7 and all(c in "0123456789abcdef" for c in ref):
        prefixed = ds.cached(("prefix", repo.name), lambda: {c.sha[:7]: i for i, c in enumerate(repo.main)})
        found = prefixed.get(ref[:7])
        if found is not None and repo.main[found].sha.startswith(ref):
            return int(found)
    return None


def compare(ctx: Ctx) -> Reply:
    """Commits reachable from head but not base, oldest first, paginated like GitHub."""
    repo = load_repo(ctx)
    basehead = ctx.params["basehead"]
    base_ref, sep, head_ref = basehead.partition("...")
    if not sep:
        base_ref, sep, head_ref = basehead.partition("..")
    base, head = resolve_ref(ctx.ds, repo, base_ref), resolve_ref(ctx.ds, repo, head_ref)
    if not sep or base is None or head is None:
        raise ApiError(404, "Not Found", "https://docs.github.com/rest/commits/commits#compare-two-commits")
    ahead, behind = max(0, head - base), max(0, base - head)
    status = "identical" if head == base else ("ahead" if head > base else "behind")
    commits = repo.main[base + 1 : head + 1] if ahead else []
    paginated = "page" in ctx.query or "per_page" in ctx.query
    if paginated:
        page = github_page(ctx.query)
    else:
        # Without paging parameters GitHub returns at most 250 commits, ending at the newest.
        page = PageRequest(1, 250)
        commits = commits[-250:]
    render = shapes(ctx)
    reply = (
        ctx.paged(commits, page, lambda c: render.commit(repo, c))
        if paginated
        else Reply([render.commit(repo, c) for c in commits])
    )
    url = f"{ctx.api_root}/repos/{repo.full_name}/compare/{basehead}"
    html = f"{ctx.site_root}/{repo.full_name}/compare/{basehead}"
    merge_base = repo.main[min(base, head)]
    reply.body = {
        "url": url,
        "html_url": html,
        "permalink_url": f"{ctx.site_root}/{repo.full_name}/compare/{repo.main[base].sha}...{repo.main[head].sha}",
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "base_commit": render.commit(repo, repo.main[base]),
        "merge_base_commit": render.commit(repo, merge_base),
        "status": status,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": ahead,
        "commits": reply.body,
        "files": [],
    }
    return reply


def list_commits(ctx: Ctx) -> Reply:
    """Commits reachable from `sha` (default branch), newest first, filtered by since/until."""
    repo = load_repo(ctx)
    ref = ctx.query.get("sha") or repo.default_branch
    head = resolve_ref(ctx.ds, repo, ref)
    if head is None:
        raise ApiError(404, "No commit found for SHA: " + ref)
    since, until = parse_time(ctx.query.get("since")), parse_time(ctx.query.get("until"))
    author = ctx.query.get("author")
    items = [
        c
        for c in reversed(repo.main[: head + 1])
        if (since is None or c.committed_at >= since)
        and (until is None or c.committed_at <= until)
        and (author is None or c.author == author)
    ]
    render = shapes(ctx)
    return ctx.paged(items, github_page(ctx.query), lambda c: render.commit(repo, c))


def get_commit(ctx: Ctx) -> Reply:
    """One main-branch commit."""
    repo = load_repo(ctx)
    index = resolve_ref(ctx.ds, repo, ctx.params["ref"])
    if index is None:
        raise ApiError(422, f"No commit found for SHA: {ctx.params['ref']}")
    body = shapes(ctx).commit(repo, repo.main[index])
    body.update(stats={"total": 0, "additions": 0, "deletions": 0}, files=[])
    return Reply(body)


def github_routes(state: SimState) -> list[BaseRoute]:
    """Starlette routes of the GitHub API."""
    table: list[tuple[str, Handler, bool]] = [
        ("/user", get_user, True),
        ("/rate_limit", get_rate_limit, False),
        ("/orgs/{org}/repos", list_org_repos, True),
        ("/repos/{owner}/{repo}", get_repo, True),
        ("/repos/{owner}/{repo}/pulls", list_pulls, True),
        # Before `/pulls/{number}`: Starlette takes the first route that matches.
        ("/repos/{owner}/{repo}/pulls/comments", list_repo_review_comments, True),
        ("/repos/{owner}/{repo}/pulls/{number}", get_pull, True),
        ("/repos/{owner}/{repo}/pulls/{number}/reviews", list_reviews, True),
        ("/repos/{owner}/{repo}/pulls/{number}/commits", list_pull_commits, True),
        ("/repos/{owner}/{repo}/pulls/{number}/comments", list_review_comments, True),
        ("/repos/{owner}/{repo}/issues", list_issues, True),
        ("/repos/{owner}/{repo}/deployments", list_deployments, True),
        ("/repos/{owner}/{repo}/deployments/{deployment_id}", get_deployment, True),
        ("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", list_deployment_statuses, True),
        ("/repos/{owner}/{repo}/releases", list_releases, True),
        ("/repos/{owner}/{repo}/actions/runs", list_workflow_runs, True),
        ("/repos/{owner}/{repo}/compare/{basehead:path}", compare, True),
        ("/repos/{owner}/{repo}/commits", list_commits, True),
        ("/repos/{owner}/{repo}/commits/{ref}", get_commit, True),
    ]
    return [
        Route(
            path, Endpoint(state, "github", "GET", path.replace(":path", ""), handler, charge=charge), methods=["GET"]
        )
        for path, handler, charge in table
    ]
