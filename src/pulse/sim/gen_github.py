"""Generation of repositories: pull requests, the main branch, deployments, releases, issues, runs."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from pulse.sim.catalog import FILES, NOUNS, SYMPTOMS, TEAM_CATALOG, VERBS
from pulse.sim.gen_base import Gen, secs, sha_of
from pulse.sim.model import (
    PRODUCTION,
    STAGING,
    Commit,
    Deployment,
    DeploymentStatus,
    Issue,
    PullRequest,
    Release,
    Repository,
    Review,
    ReviewComment,
    Team,
    WorkflowRun,
    WorkItem,
)


def _repo_name(team_index: int, slot: int) -> str:
    repos = TEAM_CATALOG[team_index][3]
    return repos[slot] if slot < len(repos) else f"{TEAM_CATALOG[team_index][0]}-service-{slot}"


def make_repository(g: Gen, team: Team, index: int, start: datetime) -> Repository:
    """A repository of `team` with a year of pull requests, deployments, releases and issues."""
    ds = g.ds
    team_index = ds.teams.index(team)
    name = _repo_name(team_index, index // len(ds.teams))
    repo = Repository(
        id=700_000_000 + index * 1_009 + ds.spec.seed % 1000,
        name=name,
        full_name=f"{ds.org}/{name}",
        owner=ds.org,
        team=team.slug,
        description=f"{team.name} team: {name.replace('-', ' ')}",
        language=g.rng.choice(["Python", "TypeScript", "Go", "Kotlin"]),
        created_at=start - timedelta(days=30 + index),
        default_branch="main",
    )
    ds.repositories.append(repo)
    team.repos.append(repo.full_name)
    project = ds.project(team.jira_project)
    pulls = []
    for _ in range(ds.spec.prs_per_repo):
        created = g.work_time(start, g.horizon - timedelta(hours=2))
        pulls.append(created)
    pulls.sort()
    prs = [new_pull_request(g, repo, team, created, project_key=project.key if project else None) for created in pulls]
    issues = _regular_issues(g, repo, team, start)
    _build_main(g, repo, prs, start)
    _production_deployments(g, repo, team, start)
    _staging_deployments(g, repo, team)
    _finalise_deployments(g, repo)
    _releases(g, repo)
    issues.extend(_github_incidents(g, repo, team))
    _number_items(g, repo, prs, issues)
    return repo


def new_pull_request(
    g: Gen, repo: Repository, team: Team, created: datetime, *, project_key: str | None
) -> PullRequest:
    """A pull request opened at `created`, reviewed and resolved no later than the horizon."""
    rng = g.rng
    ds = g.ds
    seq = ds.next_id("pr_seq", 0)
    author = g.member(team) if rng.random() < 0.9 else rng.choice(list(ds.people))
    n_commits = rng.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8])
    first = secs(created, -g.hours(0.3, 72))
    span = max((created - first).total_seconds() - 60, 1)
    times = sorted([first] + [secs(first, rng.random() * span) for _ in range(n_commits - 1)])
    commits: list[Commit] = []
    parent = sha_of(repo.full_name, "base", seq)
    for i, at in enumerate(times):
        sha = sha_of(repo.full_name, "pr", seq, i)
        msg = rng.choice(["wip", "address review", "tests", "fix lint", "implement"]) if i else "initial work"
        commits.append(Commit(sha, msg, author, author, at, at, [parent]))
        parent = sha
    head = commits[-1].sha
    reviews: list[Review] = []
    comments: list[ReviewComment] = []
    reviewers = [m for m in team.members if m != author] or [author]
    first_reviewer = rng.choice(reviewers)
    fate = rng.random()
    draft = False
    t = secs(created, g.hours(0.2, 30))
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    if fate < 0.90:
        for _cycle in range(rng.choice([0, 0, 0, 0, 0, 1, 1, 2])):
            _review(g, reviews, comments, first_reviewer, "CHANGES_REQUESTED", t, head)
            t = secs(t, g.hours(1, 40))
        if rng.random() < 0.2 and len(reviewers) > 1:
            other = rng.choice([r for r in reviewers if r != first_reviewer])
            at = max(secs(t, -g.hours(0, 1)), secs(created, 60))
            _review(g, reviews, comments, other, "COMMENTED", at, head)
        _review(g, reviews, comments, first_reviewer, "APPROVED", t, head)
        merged_at = secs(t, g.hours(0.1, 20))
        closed_at = merged_at
    elif fate < 0.93:
        # Long-running or abandoned work that stays open, often as a draft.
        draft = rng.random() < 0.5
        if not draft:
            _review(g, reviews, comments, first_reviewer, "CHANGES_REQUESTED", t, head)
    else:
        _review(g, reviews, comments, first_reviewer, "CHANGES_REQUESTED", t, head)
        closed_at = secs(t, g.hours(24, 400))
    reviews = sorted((r for r in reviews if r.submitted_at <= g.horizon), key=lambda r: r.submitted_at)
    comments = [c for c in comments if c.created_at <= g.horizon]
    if closed_at is not None and closed_at > g.horizon:
        merged_at = closed_at = None
        draft = draft or (not reviews and rng.random() < 0.5)
    state = "closed" if closed_at else "open"
    events = [created] + [r.submitted_at for r in reviews] + [c.updated_at for c in comments]
    if closed_at:
        events.append(closed_at)
    additions, deletions = rng.randint(1, 400), rng.randint(0, 200)
    # Every changed file changes at least one line (same draws as before, so the dataset is unchanged otherwise).
    changed_files = min(rng.randint(1, 12), additions + deletions)
    pr = PullRequest(
        id=ds.next_id("pull", 1_900_000_000),
        number=0,
        repo=repo.full_name,
        title="",
        body="",
        user=author,
        state=state,
        draft=draft,
        created_at=created,
        updated_at=max(events),
        closed_at=closed_at,
        merged_at=merged_at,
        merge_commit_sha=None,
        merged_by=first_reviewer if merged_at else None,
        head_ref="",
        base_ref=repo.default_branch,
        commits=commits,
        reviews=reviews,
        comments=comments,
        additions=additions,
        deletions=deletions,
        changed_files=changed_files,
        labels=rng.choice([[], [], [], ["bug"], ["enhancement"], ["dependencies"]]),
        jira_keys=[],
        issue_id=ds.next_id("issue", 2_400_000_000),
    )
    item = _pick_work_item(g, project_key, created) if project_key else None
    g.pending_labels.append((pr, item))
    return pr


def _review(
    g: Gen,
    reviews: list[Review],
    comments: list[ReviewComment],
    user: str,
    state: str,
    at: datetime,
    sha: str,
) -> None:
    review = Review(g.ds.next_id("review", 1_600_000_000), user, state, at, "", sha)
    if state == "APPROVED":
        review.body = g.rng.choice(["", "LGTM", "Looks good, ship it"])
    else:
        review.body = g.rng.choice(["Please address the comments.", "A few questions inline.", ""])
        for _ in range(g.rng.randint(1, 3)):
            comments.append(
                ReviewComment(
                    id=g.ds.next_id("comment", 1_700_000_000),
                    review_id=review.id,
                    user=user,
                    body=g.rng.choice(["Could this be simpler?", "Missing a test here.", "Nit: naming."]),
                    path=g.rng.choice(FILES),
                    line=g.rng.randint(1, 300),
                    created_at=at,
                    updated_at=at,
                    commit_id=sha,
                )
            )
    reviews.append(review)


def _pick_work_item(g: Gen, project_key: str, before: datetime) -> WorkItem | None:
    pool: list[WorkItem] = g.ds.cached(
        ("pool", project_key), lambda: [w for w in g.ds.work_items if w.project == project_key]
    )
    if not pool or g.rng.random() < 0.2:
        return None
    times: list[datetime] = g.ds.cached(("pool_times", project_key), lambda: [w.created for w in pool])
    upto = bisect_right(times, before)
    candidates = [w for w in pool[max(0, upto - 40) : upto] if w.issue_type != "Epic"]
    return g.rng.choice(candidates) if candidates else None


def label_pull_request(g: Gen, pr: PullRequest, item: WorkItem | None) -> None:
    """Give a pull request its title, body and head branch, naming its Jira key when it has one."""
    rng = g.rng
    what = f"{rng.choice(VERBS)} {rng.choice(NOUNS)}"
    slug = what.lower().replace(" ", "-")
    if item is None:
        pr.head_ref = f"{rng.choice(['chore', 'feature', 'fix'])}/{slug}"
        pr.title = what
        pr.body = "No ticket."
        return
    kind = "bugfix" if item.issue_type == "Bug" else "feature"
    pr.jira_keys = [item.key]
    pr.head_ref = f"{kind}/{item.key}-{slug}"
    pr.title = f"{item.key}: {what}" if rng.random() < 0.4 else what
    pr.body = f"Implements {item.key}." if rng.random() < 0.5 else "See ticket in the branch name."


def _regular_issues(g: Gen, repo: Repository, team: Team, start: datetime) -> list[Issue]:
    issues = []
    for _ in range(max(1, g.ds.spec.prs_per_repo // 10)):
        created = g.work_time(start, g.horizon - timedelta(hours=1))
        closed = secs(created, g.hours(24, 1400)) if g.rng.random() < 0.6 else None
        if closed and closed > g.horizon:
            closed = None
        issues.append(
            Issue(
                id=g.ds.next_id("issue", 2_400_000_000),
                number=0,
                repo=repo.full_name,
                title=f"{g.rng.choice(VERBS)} {g.rng.choice(NOUNS)}",
                body="Reported by a user.",
                user=g.member(team),
                state="closed" if closed else "open",
                labels=g.rng.choice([["bug"], ["enhancement"], ["question"], ["bug", "customer"], []]),
                created_at=created,
                updated_at=closed or created,
                closed_at=closed,
            )
        )
    return issues


def _build_main(g: Gen, repo: Repository, prs: list[PullRequest], start: datetime) -> None:
    events: list[tuple[datetime, PullRequest | None]] = [(p.merged_at, p) for p in prs if p.merged_at]
    for _ in range(max(1, len(prs) // 20)):
        events.append((g.work_time(start, g.horizon - timedelta(hours=1)), None))
    events.sort(key=lambda e: e[0])
    initial = Commit(
        sha_of(repo.full_name, "main", 0),
        "Initial commit",
        g.member(g.ds.team(repo.team)),
        "web-flow",
        repo.created_at,
        repo.created_at,
        [],
    )
    repo.main.append(initial)
    repo.pulls = prs
    for at, pr in events:
        append_main_commit(g, repo, at, pr)


def append_main_commit(g: Gen, repo: Repository, at: datetime, pr: PullRequest | None) -> Commit:
    """Append one commit to main: the squash commit of `pr`, or a direct push."""
    index = len(repo.main)
    author = pr.user if pr else g.member(g.ds.team(repo.team))
    commit = Commit(sha_of(repo.full_name, "main", index), "", author, "web-flow", at, at, [repo.main[-1].sha])
    if pr is None:
        commit.message = g.rng.choice(["chore: bump dependencies", "docs: update README", "ci: tweak cache"])
    else:
        pr.merge_commit_sha = commit.sha
    repo.main.append(commit)
    return commit


def name_main_commits(repo: Repository) -> None:
    """Give squash commits their final message, once pull requests have titles and numbers."""
    by_sha = {p.merge_commit_sha: p for p in repo.pulls if p.merge_commit_sha}
    for commit in repo.main:
        pr = by_sha.get(commit.sha)
        if pr is not None:
            commit.message = f"{pr.title} (#{pr.number})"


def head_at(repo: Repository, times: list[datetime], at: datetime) -> int:
    """Index of the newest main commit at or before `at`."""
    return max(0, bisect_right(times, at) - 1)


def deploy(
    g: Gen, repo: Repository, team: Team, env: str, index: int, at: datetime, fail_rate: float
) -> Deployment | None:
    """One deployment attempt of main[index] at `at`, with queued/in_progress/outcome statuses."""
    rng = g.rng
    running = secs(at, rng.uniform(10, 120))
    done = secs(running, rng.uniform(120, 900))
    if done > g.horizon:
        return None
    roll = rng.random()
    outcome = "success" if roll >= fail_rate else ("failure" if roll < fail_rate * 0.7 else "error")
    statuses = [
        DeploymentStatus(0, "queued", at, "Deployment queued"),
        DeploymentStatus(0, "in_progress", running, "Deployment started"),
        DeploymentStatus(0, outcome, done, f"Deployment {'finished' if outcome == 'success' else 'failed'}"),
    ]
    sha = repo.main[index].sha
    dep = Deployment(0, repo.full_name, sha, "main", env, at, g.member(team), f"Deploy {sha[:7]}", statuses)
    repo.deployments.append(dep)
    return dep


def _production_deployments(g: Gen, repo: Repository, team: Team, start: datetime) -> None:
    rng = g.rng
    times = [c.committed_at for c in repo.main]
    deployed = 0
    busy_until = start
    for day in range(g.ds.spec.history_days + 1):
        midnight = (start + timedelta(days=day)).replace(hour=0, minute=0, second=0)
        weekday = midnight.weekday() < 5
        if rng.random() > (0.65 if weekday else 0.04):
            continue
        count = 2 if rng.random() < 0.25 else 1
        for at in sorted(secs(midnight, rng.uniform(9.5, 17.5) * 3600) for _ in range(count)):
            if at <= busy_until:
                continue
            index = head_at(repo, times, secs(at, -300))
            if index <= deployed:
                continue
            for _attempt in range(3):
                dep = deploy(g, repo, team, PRODUCTION, index, at, fail_rate=0.12)
                if dep is None:
                    break
                finished = dep.statuses[-1].created_at
                busy_until = finished
                if dep.outcome == "success":
                    deployed = index
                    break
                at = secs(finished, g.hours(0.3, 1.5))


def _staging_deployments(g: Gen, repo: Repository, team: Team) -> None:
    times = [c.committed_at for c in repo.main]
    for i in range(1, len(repo.main)):
        if i + 1 < len(times) and (times[i + 1] - times[i]).total_seconds() < 1800:
            continue
        deploy(g, repo, team, STAGING, i, secs(times[i], g.hours(0.05, 0.4)), fail_rate=0.08)


def _finalise_deployments(g: Gen, repo: Repository) -> None:
    repo.deployments.sort(key=lambda d: d.created_at)
    mark_superseded(repo.deployments)
    for dep in repo.deployments:
        dep.id = g.ds.next_id("deployment", 3_000_000_000)
        dep.statuses.sort(key=lambda s: s.created_at)
        for status in dep.statuses:
            status.id = g.ds.next_id("deployment_status", 8_000_000_000)


def mark_superseded(deployments: list[Deployment]) -> None:
    """Add `inactive` to the previous successful deployment of an environment when a newer one succeeds."""
    finished = sorted(
        (d for d in deployments if d.outcome == "success" and d.finished_at),
        key=lambda d: d.finished_at or d.created_at,
    )
    active: dict[str, Deployment] = {}
    for dep in finished:
        previous = active.get(dep.environment)
        at = dep.finished_at
        if previous is not None and at is not None and not any(s.state == "inactive" for s in previous.statuses):
            previous.statuses.append(DeploymentStatus(0, "inactive", at, "Superseded by a newer deployment"))
        active[dep.environment] = dep


def successful_production(deployments: list[Deployment]) -> list[Deployment]:
    """Successful production deployments ordered by finish time."""
    deps = [d for d in deployments if d.environment == PRODUCTION and d.outcome == "success" and d.finished_at]
    return sorted(deps, key=lambda d: (d.finished_at, d.id))


def _releases(g: Gen, repo: Repository) -> None:
    minor = 0
    for dep in successful_production(repo.deployments):
        if g.rng.random() < 0.3:
            minor += 1
            at = dep.finished_at or dep.created_at
            repo.releases.append(
                Release(
                    id=g.ds.next_id("release", 150_000_000),
                    repo=repo.full_name,
                    tag_name=f"v1.{minor}.0",
                    name=f"v1.{minor}.0",
                    target_commitish=dep.sha,
                    created_at=at,
                    published_at=at,
                    author=dep.creator,
                    draft=False,
                    prerelease=False,
                    body=f"Release v1.{minor}.0",
                )
            )


def incident_window(deps: list[Deployment], index: int, horizon: datetime) -> tuple[datetime, float] | None:
    """Start and length (seconds) of the window after deps[index] in which an incident stays attributed to it."""
    start = deps[index].finished_at
    assert start is not None
    end = deps[index + 1].finished_at if index + 1 < len(deps) else horizon
    assert end is not None
    span = (min(end, horizon) - start).total_seconds()
    return (start, span) if span > 1800 else None


def _github_incidents(g: Gen, repo: Repository, team: Team) -> list[Issue]:
    out = []
    deps = successful_production(repo.deployments)
    for index, dep in enumerate(deps):
        window = incident_window(deps, index, g.horizon)
        if window is None or g.rng.random() > 0.08:
            continue
        start, span = window
        opened = secs(start, g.rng.uniform(300, min(span * 0.8, 8 * 3600)))
        out.append(new_incident_issue(g, repo, team, opened, dep))
    return out


def new_incident_issue(g: Gen, repo: Repository, team: Team, opened: datetime, dep: Deployment) -> Issue:
    """An issue labelled incident, opened at `opened`, caused by `dep`."""
    closed: datetime | None = secs(opened, g.hours(0.3, 30))
    if closed is not None and closed > g.horizon:
        closed = None
    label = "Incident" if g.rng.random() < 0.2 else "incident"
    return Issue(
        id=g.ds.next_id("issue", 2_400_000_000),
        number=0,
        repo=repo.full_name,
        title=f"Incident: {g.rng.choice(SYMPTOMS)}",
        body=f"Started after deploying {dep.sha[:7]}.",
        user=g.member(team),
        state="closed" if closed else "open",
        labels=[label, g.rng.choice(["sev1", "sev2", "sev3"])],
        created_at=opened,
        updated_at=closed or opened,
        closed_at=closed,
        deployment_id=dep.id,
    )


def _number_items(g: Gen, repo: Repository, prs: list[PullRequest], issues: list[Issue]) -> None:
    # Pull requests and issues share one number sequence on GitHub, in creation order.
    both: list[PullRequest | Issue] = [*prs, *issues]
    both.sort(key=lambda x: x.created_at)
    for item in both:
        item.number = repo.next_number
        repo.next_number += 1
    repo.issues = sorted(issues, key=lambda i: i.number)


def add_workflow_runs(g: Gen, repo: Repository) -> None:
    """Create the `deploy` and `ci` workflow runs of a finished repository."""
    runs = [deploy_run(g, repo, dep) for dep in repo.deployments]
    runs.extend(ci_run(g, repo, pr) for pr in repo.pulls)
    runs.sort(key=lambda r: r.created_at)
    repo.workflow_runs = []
    for run in runs:
        add_run(g, repo, run)


def add_run(g: Gen, repo: Repository, run: WorkflowRun) -> None:
    """Give a run its id and per-workflow run number, and store it."""
    run.id = g.ds.next_id("run", 9_000_000_000)
    run.run_number = g.ds.next_id(f"run_number:{repo.name}:{run.name}", 0)
    repo.workflow_runs.append(run)


def workflow_id(repo: Repository, name: str) -> int:
    """Stable id of a repository's workflow."""
    return int(sha_of(repo.full_name, "workflow", name)[:7], 16)


def deploy_run(g: Gen, repo: Repository, dep: Deployment) -> WorkflowRun:
    """The workflow run behind a deployment: `deploy` for production, `deploy-staging` for staging."""
    finished = dep.finished_at or dep.updated_at
    conclusion = "success" if dep.outcome == "success" else "failure"
    name = "deploy" if dep.environment == PRODUCTION else "deploy-staging"
    return WorkflowRun(
        id=0,
        repo=repo.full_name,
        name=name,
        workflow_id=workflow_id(repo, name),
        path=f".github/workflows/{name}.yml",
        display_title=f"Deploy {dep.sha[:7]} to {dep.environment}",
        event="workflow_dispatch" if dep.environment == PRODUCTION else "push",
        head_branch="main",
        head_sha=dep.sha,
        status="completed",
        conclusion=conclusion,
        created_at=dep.created_at,
        updated_at=finished,
        run_started_at=dep.created_at,
        run_number=0,
        actor=dep.creator,
        deployment_id=dep.id,
    )


def ci_run(g: Gen, repo: Repository, pr: PullRequest) -> WorkflowRun:
    """The `ci` workflow run of a pull request's head commit."""
    at = secs(pr.created_at, 30)
    return WorkflowRun(
        id=0,
        repo=repo.full_name,
        name="ci",
        workflow_id=workflow_id(repo, "ci"),
        path=".github/workflows/ci.yml",
        display_title=pr.title or "ci",
        event="pull_request",
        head_branch=pr.head_ref,
        head_sha=pr.head_sha,
        status="completed",
        conclusion="success" if g.rng.random() < 0.9 else "failure",
        created_at=at,
        updated_at=secs(at, g.rng.uniform(120, 900)),
        run_started_at=at,
        run_number=0,
        actor=pr.user,
        pull_number=pr.number,
    )
