"""GitLab REST v4 routes over the group (mounted at `/gitlab/api/v4`).

Projects and groups are addressed by numeric id or by their path (`/projects/group%2Fteam%2Fname`); a path
id works for the object itself and its listings under it, as on GitLab.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.routing import BaseRoute, Route

from pulse.sim.endpoint import ApiError, Ctx, Handler, Reply, SimState
from pulse.sim.github_routes import parse_time, resolve_ref
from pulse.sim.gitlab import world
from pulse.sim.gitlab.endpoint import GitLabEndpoint
from pulse.sim.gitlab.paging import keyset_page, offset_page
from pulse.sim.gitlab.shapes import Shapes
from pulse.sim.model import PullRequest, Repository
from pulse.sim.store import Dataset

PREFIX = "/gitlab/api/v4"


def group_ds(ctx: Ctx) -> Dataset:
    """The GitLab group's dataset."""
    ds = ctx.state.gitlab_dataset
    if ds is None:
        raise ApiError(404, "404 Not Found")
    return ds


def shapes(ctx: Ctx) -> Shapes:
    """Renderer with links under the simulated GitLab's web root."""
    return Shapes(group_ds(ctx), ctx.site_root + "/gitlab")


def load_project(ctx: Ctx) -> Repository:
    """The project named in the path, or 404 like GitLab."""
    repo = world.find_project(group_ds(ctx), ctx.params["id"])
    if repo is None:
        raise ApiError(404, "404 Project Not Found")
    return repo


def load_mr(ctx: Ctx) -> tuple[Repository, PullRequest]:
    """The merge request named in the path, or 404."""
    repo = load_project(ctx)
    try:
        pr = group_ds(ctx).pull(repo, int(ctx.params["iid"]))
    except ValueError:
        pr = None
    if pr is None:
        raise ApiError(404, "404 Not found")
    return repo, pr


def _window(ctx: Ctx, field: str) -> Callable[[datetime], bool]:
    """The `<field>_after` / `<field>_before` filters (both bounds inclusive)."""
    after, before = parse_time(ctx.query.get(f"{field}_after")), parse_time(ctx.query.get(f"{field}_before"))
    return lambda at: (after is None or at >= after) and (before is None or at <= before)


def _ordered(ctx: Ctx, items: list[Any], fields: dict[str, Callable[[Any], Any]], default: str, sort: str) -> list[Any]:
    order_by = ctx.query.get("order_by", default)
    if order_by not in fields:
        raise ApiError(400, f"order_by does not have a valid value: {order_by}")
    direction = ctx.query.get("sort", sort)
    if direction not in ("asc", "desc"):
        raise ApiError(400, "sort does not have a valid value")
    return sorted(items, key=fields[order_by], reverse=direction == "desc")


def get_user(ctx: Ctx) -> Reply:
    """The token's user."""
    user = shapes(ctx).user(ctx.identity) or {}
    return Reply({**user, "name": ctx.identity, "is_admin": False, "bot": False})


def get_group(ctx: Ctx) -> Reply:
    """A group by id or full path."""
    group = world.find_group(group_ds(ctx), ctx.params["id"])
    if group is None:
        raise ApiError(404, "404 Group Not Found")
    return Reply(shapes(ctx).group(group))


def list_group_projects(ctx: Ctx) -> Reply:
    """Projects of a group (`include_subgroups`), offset or keyset paginated."""
    ds = group_ds(ctx)
    group = world.find_group(ds, ctx.params["id"])
    if group is None:
        raise ApiError(404, "404 Group Not Found")
    include = ctx.query.get("include_subgroups", "false").lower() == "true"
    projects = world.group_projects(ds, group, include)
    render = shapes(ctx)
    if ctx.query.get("pagination") == "keyset":
        return keyset_page(ctx, projects, lambda r: r.id, render.project)
    ordered = _ordered(ctx, projects, {"id": lambda r: r.id, "name": lambda r: r.name,
                                       "created_at": lambda r: (r.created_at, r.id)}, "created_at", "desc")  # fmt: skip
    return offset_page(ctx, ordered, render.project)


def get_project(ctx: Ctx) -> Reply:
    """One project."""
    return Reply(shapes(ctx).project(load_project(ctx)))


def list_merge_requests(ctx: Ctx) -> Reply:
    """Merge requests by state, `updated_after`/`created_after`, ordered like GitLab (newest created first)."""
    repo = load_project(ctx)
    state = ctx.query.get("state", "all")
    if state not in ("opened", "closed", "locked", "merged", "all"):
        raise ApiError(400, "state does not have a valid value")
    updated, created = _window(ctx, "updated"), _window(ctx, "created")
    items = [
        p for p in repo.pulls if state in ("all", world.mr_state(p)) and updated(p.updated_at) and created(p.created_at)
    ]
    fields = {"created_at": lambda p: (p.created_at, p.id), "updated_at": lambda p: (p.updated_at, p.id),
              "title": lambda p: (p.title, p.id)}  # fmt: skip
    render = shapes(ctx)
    return offset_page(ctx, _ordered(ctx, items, fields, "created_at", "desc"), lambda p: render.merge_request(repo, p))


def get_approvals(ctx: Ctx) -> Reply:
    """Who approved a merge request."""
    repo, pr = load_mr(ctx)
    return Reply(shapes(ctx).approvals(repo, pr))


def list_notes(ctx: Ctx) -> Reply:
    """Notes of a merge request (`sort` desc by default, `order_by` created_at or updated_at)."""
    _repo, pr = load_mr(ctx)
    fields = {"created_at": lambda n: (n.created_at, n.id), "updated_at": lambda n: (n.updated_at, n.id)}
    notes = _ordered(ctx, world.mr_notes(pr), fields, "created_at", "desc")
    render = shapes(ctx)
    return offset_page(ctx, notes, lambda n: render.note(pr, n))


def list_mr_commits(ctx: Ctx) -> Reply:
    """Commits of a merge request, newest first."""
    repo, pr = load_mr(ctx)
    render = shapes(ctx)
    return offset_page(ctx, list(reversed(pr.commits)), lambda c: render.commit(repo, c))


def list_mr_diffs(ctx: Ctx) -> Reply:
    """File diffs of a merge request."""
    _repo, pr = load_mr(ctx)
    return offset_page(ctx, shapes(ctx).diffs(pr), lambda d: d)


def list_deployments(ctx: Ctx) -> Reply:
    """Deployments; `updated_after` needs `order_by=updated_at`, as on GitLab."""
    repo = load_project(ctx)
    q = ctx.query
    if (q.get("updated_after") or q.get("updated_before")) and q.get("order_by") != "updated_at":
        raise ApiError(400, "`updated_at` filter and `updated_at` sorting must be paired")
    updated = _window(ctx, "updated")
    items = [
        d
        for d in repo.deployments
        if updated(d.updated_at)
        and q.get("environment") in (None, d.environment)
        and q.get("status") in (None, world.deployment_status(d))
    ]
    fields: dict[str, Callable[[Any], Any]] = {
        "id": lambda d: d.id,
        "created_at": lambda d: (d.created_at, d.id),
        "updated_at": lambda d: (d.updated_at, d.id),
        "finished_at": lambda d: (d.finished_at or d.updated_at, d.id),
    }
    render = shapes(ctx)
    return offset_page(ctx, _ordered(ctx, items, fields, "id", "asc"), lambda d: render.deployment(repo, d))


def list_environments(ctx: Ctx) -> Reply:
    """Environments of a project."""
    repo = load_project(ctx)
    names = sorted({d.environment for d in repo.deployments}, key=lambda n: world.environment_id(repo, n))
    render = shapes(ctx)
    return offset_page(ctx, names, lambda n: render.environment(repo, n))


def list_pipelines(ctx: Ctx) -> Reply:
    """Pipelines, newest first by default; `ref`, `source`, `status`, `updated_after` filters."""
    repo = load_project(ctx)
    q = ctx.query
    updated = _window(ctx, "updated")
    render = shapes(ctx)
    items = [
        r
        for r in world.pipelines(repo)
        if updated(r.updated_at)
        and q.get("source") in (None, world.pipeline_source(r))
        and q.get("status") in (None, world.pipeline_status(r))
        and q.get("ref") in (None, render.pipeline(repo, r)["ref"])
    ]
    fields = {"id": lambda r: r.id, "updated_at": lambda r: (r.updated_at, r.id)}
    return offset_page(ctx, _ordered(ctx, items, fields, "id", "desc"), lambda r: render.pipeline(repo, r))


def list_issues(ctx: Ctx) -> Reply:
    """Issues of a project by state and labels, with `updated_after`."""
    repo = load_project(ctx)
    q = ctx.query
    state = q.get("state", "all")
    wanted = {label.strip().lower() for label in (q.get("labels") or "").split(",") if label.strip()}
    updated = _window(ctx, "updated")
    items = [
        i
        for i in repo.issues
        if state in ("all", "opened" if i.state == "open" else "closed")
        and wanted <= {label.lower() for label in i.labels}
        and updated(i.updated_at)
    ]
    fields = {"created_at": lambda i: (i.created_at, i.id), "updated_at": lambda i: (i.updated_at, i.id)}
    render = shapes(ctx)
    return offset_page(ctx, _ordered(ctx, items, fields, "created_at", "desc"), lambda i: render.issue(repo, i))


def compare(ctx: Ctx) -> Reply:
    """Commits reachable from `to` but not `from`, oldest first (GitLab does not paginate compare)."""
    repo = load_project(ctx)
    ds = group_ds(ctx)
    ref_from, ref_to = ctx.query.get("from"), ctx.query.get("to")
    if not ref_from or not ref_to:
        raise ApiError(400, "from is missing" if not ref_from else "to is missing")
    base, head = resolve_ref(ds, repo, ref_from), resolve_ref(ds, repo, ref_to)
    if base is None or head is None:
        raise ApiError(404, "404 Ref Not Found")
    commits = repo.main[base + 1 : head + 1] if head > base else []
    render = shapes(ctx)
    return Reply(
        {
            "commit": render.commit(repo, repo.main[head]),
            "commits": [render.commit(repo, c) for c in commits],
            "diffs": [],
            "compare_timeout": False,
            "compare_same_ref": base == head,
            "web_url": f"{render.web}/{world.project_path(ds, repo)}/-/compare/{ref_from}...{ref_to}",
        }
    )


def list_commits(ctx: Ctx) -> Reply:
    """Commits reachable from `ref_name` (default branch), newest first, with `since`/`until`."""
    repo = load_project(ctx)
    ref = ctx.query.get("ref_name") or repo.default_branch
    head = resolve_ref(group_ds(ctx), repo, ref)
    if head is None:
        raise ApiError(404, "404 Commit Not Found")
    since, until = parse_time(ctx.query.get("since")), parse_time(ctx.query.get("until"))
    items = [
        c
        for c in reversed(repo.main[: head + 1])
        if (since is None or c.committed_at >= since) and (until is None or c.committed_at <= until)
    ]
    render = shapes(ctx)
    return offset_page(ctx, items, lambda c: render.commit(repo, c))


def gitlab_routes(state: SimState) -> list[BaseRoute]:
    """Starlette routes of the GitLab API (to be mounted at `PREFIX`)."""
    mr = "/projects/{id:path}/merge_requests/{iid}"
    table: list[tuple[str, Handler]] = [
        ("/user", get_user),
        ("/groups/{id:path}/projects", list_group_projects),
        ("/projects/{id:path}/merge_requests", list_merge_requests),
        (f"{mr}/approvals", get_approvals),
        (f"{mr}/notes", list_notes),
        (f"{mr}/commits", list_mr_commits),
        (f"{mr}/diffs", list_mr_diffs),
        ("/projects/{id:path}/deployments", list_deployments),
        ("/projects/{id:path}/environments", list_environments),
        ("/projects/{id:path}/pipelines", list_pipelines),
        ("/projects/{id:path}/issues", list_issues),
        ("/projects/{id:path}/repository/compare", compare),
        ("/projects/{id:path}/repository/commits", list_commits),
        # Last: a bare path id would otherwise swallow the listings above.
        ("/groups/{id:path}", get_group),
        ("/projects/{id:path}", get_project),
    ]
    return [
        Route(path, GitLabEndpoint(state, "gitlab", "GET", path.replace(":path", ""), handler), methods=["GET"])
        for path, handler in table
    ]
