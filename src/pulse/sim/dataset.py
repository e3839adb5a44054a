"""Deterministic generation of the simulated organisation from a seed, an anchor and scale knobs."""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pulse.sim.model import (
    PRODUCTION,
    STAGING,
    ChangeHistory,
    ChangeItem,
    Commit,
    Deployment,
    DeploymentStatus,
    Issue,
    JiraIssueType,
    JiraPriority,
    JiraProject,
    JiraStatus,
    Person,
    PullRequest,
    Release,
    Repository,
    Review,
    ReviewComment,
    Team,
    WorkflowRun,
    WorkItem,
)

__all__ = [
    "PRODUCTION",
    "STAGING",
    "Dataset",
    "DatasetSpec",
    "generate_dataset",
]

DEFAULT_ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)

TEAM_CATALOG = [
    ("payments", "Payments", "PAY", ["payments-api", "billing-worker", "ledger"]),
    ("web", "Web", "WEB", ["web-app", "design-system", "marketing-site"]),
    ("platform", "Platform", "OPS", ["platform-infra", "deploy-tools", "observability"]),
    ("mobile", "Mobile", "MOB", ["mobile-app", "mobile-sdk"]),
    ("data", "Data", "DATA", ["data-pipeline", "warehouse"]),
    ("growth", "Growth", "GRO", ["growth-service", "experiments"]),
    ("identity", "Identity", "IAM", ["auth-service", "user-profile"]),
    ("search", "Search", "SRCH", ["search-api", "indexer"]),
]
FIRST_NAMES = [
    "alice",
    "bruno",
    "chen",
    "dara",
    "emeka",
    "farah",
    "goran",
    "hana",
    "ivan",
    "julia",
    "kofi",
    "lena",
    "mateo",
    "nina",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "tara",
    "umar",
    "vera",
    "wei",
    "yara",
]
LAST_NAMES = ["kim", "silva", "novak", "okafor", "rossi", "sato", "weber", "haddad", "lund", "moreau"]
VERBS = ["Add", "Fix", "Refactor", "Remove", "Improve", "Update", "Support", "Speed up", "Validate", "Log"]
NOUNS = [
    "refund endpoint",
    "invoice export",
    "login flow",
    "retry policy",
    "cache layer",
    "search filters",
    "webhook handler",
    "rate limiter",
    "settings page",
    "audit trail",
    "CSV import",
    "payment form",
    "session timeout",
    "email templates",
    "health checks",
    "metrics dashboard",
    "feature flags",
]
SYMPTOMS = [
    "elevated 5xx rate",
    "checkout latency spike",
    "login failures",
    "stale dashboards",
    "queue backlog",
]
FILES = [
    "src/app.py",
    "src/api/routes.py",
    "src/models.py",
    "src/service.py",
    "tests/test_api.py",
    "README.md",
]
WORK_LABELS = ["backend", "frontend", "tech-debt", "customer", "security", "performance"]
STORY_POINTS = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0]

STATUSES = [
    JiraStatus("10000", "To Do", "new"),
    JiraStatus("3", "In Progress", "indeterminate"),
    JiraStatus("10001", "In Review", "indeterminate"),
    JiraStatus("10002", "Done", "done"),
    JiraStatus("4", "Reopened", "new"),
]
ISSUE_TYPES = [
    JiraIssueType("10000", "Epic", 1, "A big user story that needs to be broken down."),
    JiraIssueType("10001", "Story", 0, "Functionality or a feature expressed as a user goal."),
    JiraIssueType("10002", "Task", 0, "A small, distinct piece of work."),
    JiraIssueType("10003", "Bug", 0, "A problem or error."),
    JiraIssueType("10004", "Incident", 0, "A service disruption in production."),
]
PRIORITIES = [
    JiraPriority("1", "Highest"),
    JiraPriority("2", "High"),
    JiraPriority("3", "Medium"),
    JiraPriority("4", "Low"),
    JiraPriority("5", "Lowest"),
]
STATUS_BY_NAME = {s.name: s for s in STATUSES}
PRIORITY_BY_NAME = {p.name: p for p in PRIORITIES}


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """Scale knobs and seed of a generated organisation."""

    seed: int = 7
    anchor: datetime = DEFAULT_ANCHOR
    org: str = "acme"
    repos: int = 4
    teams: int = 3
    prs_per_repo: int = 120
    work_items_per_project: int = 200
    history_days: int = 365
    story_points_field: str = "customfield_10016"
    team_field: str = "customfield_10001"


@dataclass(slots=True)
class Dataset:
    """The whole generated organisation; mutable only through `pulse.sim.advance`."""

    spec: DatasetSpec
    org_id: int
    now: datetime
    people: dict[str, Person]
    teams: list[Team]
    repositories: list[Repository]
    projects: list[JiraProject]
    work_items: list[WorkItem]
    statuses: list[JiraStatus] = field(default_factory=lambda: list(STATUSES))
    issue_types: list[JiraIssueType] = field(default_factory=lambda: list(ISSUE_TYPES))
    priorities: list[JiraPriority] = field(default_factory=lambda: list(PRIORITIES))
    version: int = 0
    advances: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def org(self) -> str:
        """Organisation login."""
        return self.spec.org

    def next_id(self, kind: str, start: int = 1000) -> int:
        """Allocate the next id of one object kind."""
        value = self.counters.get(kind, start) + 1
        self.counters[kind] = value
        return value

    def touch(self) -> None:
        """Mark the data changed so cached indexes and orderings are rebuilt."""
        self.version += 1
        self._cache.clear()

    def cached(self, key: Any, build: Any) -> Any:
        """Memoise a derived structure until the next `touch`."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def repository(self, name: str) -> Repository | None:
        """Repository by short name or full name."""
        index = self.cached("repos", lambda: {r.name: r for r in self.repositories})
        return index.get(name.split("/")[-1]) if name else None

    def main_index(self, repo: Repository) -> dict[str, int]:
        """Position of each main-branch sha."""
        return self.cached(("main", repo.name), lambda: {c.sha: i for i, c in enumerate(repo.main)})

    def pull(self, repo: Repository, number: int) -> PullRequest | None:
        """Pull request by number."""
        index = self.cached(("pulls", repo.name), lambda: {p.number: p for p in repo.pulls})
        return index.get(number)

    def deployment(self, repo: Repository, deployment_id: int) -> Deployment | None:
        """Deployment by id."""
        index = self.cached(("deps", repo.name), lambda: {d.id: d for d in repo.deployments})
        return index.get(deployment_id)

    def work_item(self, key_or_id: str) -> WorkItem | None:
        """Work item by key or numeric id."""
        index = self.cached("items", lambda: _item_index(self.work_items))
        return index.get(key_or_id.upper())

    def project(self, key_or_id: str) -> JiraProject | None:
        """Jira project by key or id."""
        for project in self.projects:
            if key_or_id.upper() in (project.key, project.id):
                return project
        return None

    def team(self, slug: str) -> Team:
        """Team by slug."""
        return next(t for t in self.teams if t.slug == slug)

    def incidents(self) -> list[Issue | WorkItem]:
        """Every incident: GitHub issues labelled `incident` and Jira Incident work items."""
        out: list[Issue | WorkItem] = [i for r in self.repositories for i in r.issues if i.is_incident]
        out.extend(w for w in self.work_items if w.issue_type == "Incident")
        return out


def _item_index(items: list[WorkItem]) -> dict[str, WorkItem]:
    index: dict[str, WorkItem] = {}
    for item in items:
        index[item.key] = item
        index[str(item.id)] = item
    return index


def sha_of(*parts: object) -> str:
    """Deterministic 40-hex sha from its parts."""
    return hashlib.sha1(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def secs(base: datetime, seconds: float) -> datetime:
    """`base` plus whole seconds (timestamps stay second-precise like the real APIs)."""
    return base + timedelta(seconds=int(seconds))


class Gen:
    """Shared generation context: the dataset being built and a seeded RNG."""

    def __init__(self, ds: Dataset, rng: random.Random, horizon: datetime) -> None:
        self.ds = ds
        self.rng = rng
        self.horizon = horizon
        self.pending_labels: list[tuple[PullRequest, WorkItem | None]] = []

    def hours(self, lo: float, hi: float) -> float:
        """Uniform duration in seconds between lo and hi hours."""
        return self.rng.uniform(lo, hi) * 3600

    def work_time(self, start: datetime, end: datetime) -> datetime:
        """A random time in [start, end) biased to weekday working hours."""
        span_days = max((end - start).total_seconds() / 86400, 1 / 24)
        for _ in range(6):
            day = start + timedelta(days=int(self.rng.random() * span_days))
            if day.weekday() < 5 or self.rng.random() < 0.1:
                break
        midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        moment = secs(midnight, self.rng.uniform(7.5, 18.5) * 3600)
        return min(max(moment, start), end)

    def member(self, team: Team, exclude: str | None = None) -> str:
        """A random member of a team other than `exclude`."""
        choices = [m for m in team.members if m != exclude] or team.members
        return self.rng.choice(choices)


def generate_dataset(spec: DatasetSpec) -> Dataset:
    """Build the whole organisation deterministically from `spec`."""
    anchor = spec.anchor.astimezone(UTC).replace(microsecond=0)
    rng = random.Random(f"pulse-sim:{spec.seed}")
    people, teams = _make_people_and_teams(spec, rng)
    ds = Dataset(
        spec=spec,
        org_id=10_000 + spec.seed % 1000,
        now=anchor,
        people=people,
        teams=teams,
        repositories=[],
        projects=[],
        work_items=[],
    )
    g = Gen(ds, rng, anchor)
    start = anchor - timedelta(days=spec.history_days)
    for index, team in enumerate(teams):
        ds.projects.append(
            JiraProject(str(10_000 + index), team.jira_project, f"{team.name}", team.slug, team.members[0])
        )
    drafts = {p.key: _work_item_drafts(g, p, start) for p in ds.projects}
    for index in range(spec.repos):
        team = teams[index % len(teams)]
        _make_repository(g, team, index, start)
    incidents = _jira_incidents(g)
    _finalise_work_items(g, drafts, incidents)
    for pr, item in g.pending_labels:
        label_pull_request(g, pr, item)
    for repo in ds.repositories:
        _name_main_commits(repo)
        _workflow_runs(g, repo)
    ds.touch()
    return ds


def _make_people_and_teams(spec: DatasetSpec, rng: random.Random) -> tuple[dict[str, Person], list[Team]]:
    people: dict[str, Person] = {}
    teams: list[Team] = []
    names = [f"{f}-{last}" for last in LAST_NAMES for f in FIRST_NAMES]
    rng.shuffle(names)
    for index in range(max(1, min(spec.teams, len(TEAM_CATALOG)))):
        slug, name, key, _repos = TEAM_CATALOG[index]
        team_uuid = sha_of("team", spec.seed, slug)
        team_id = f"{team_uuid[:8]}-{team_uuid[8:12]}-{team_uuid[12:16]}-{team_uuid[16:20]}-{team_uuid[20:32]}"
        team = Team(slug=slug, name=name, team_id=team_id, jira_project=key)
        for _ in range(rng.randint(5, 7)):
            login = names.pop()
            first, last = login.split("-")
            person = Person(
                login=login,
                id=100_000 + len(people) * 7 + 1,
                name=f"{first.title()} {last.title()}",
                email=f"{login}@{spec.org}.example.com",
                account_id="5f" + sha_of("account", spec.seed, login)[:22],
                team=slug,
            )
            people[login] = person
            team.members.append(login)
        teams.append(team)
    return people, teams


def _repo_name(team_index: int, slot: int) -> str:
    repos = TEAM_CATALOG[team_index][3]
    return repos[slot] if slot < len(repos) else f"{TEAM_CATALOG[team_index][0]}-service-{slot}"


def _make_repository(g: Gen, team: Team, index: int, start: datetime) -> Repository:
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
    if fate < 0.93:
        for _cycle in range(rng.choice([0, 0, 0, 0, 0, 1, 1, 2])):
            _review(g, reviews, comments, first_reviewer, "CHANGES_REQUESTED", t, head)
            t = secs(t, g.hours(1, 40))
        if rng.random() < 0.2 and len(reviewers) > 1:
            other = rng.choice([r for r in reviewers if r != first_reviewer])
            _review(g, reviews, comments, other, "COMMENTED", secs(t, -g.hours(0, 1)), head)
        _review(g, reviews, comments, first_reviewer, "APPROVED", t, head)
        merged_at = secs(t, g.hours(0.1, 20))
        closed_at = merged_at
    else:
        _review(g, reviews, comments, first_reviewer, "CHANGES_REQUESTED", t, head)
        closed_at = secs(t, g.hours(24, 400))
    reviews = [r for r in reviews if r.submitted_at <= g.horizon]
    comments = [c for c in comments if c.created_at <= g.horizon]
    if closed_at is not None and closed_at > g.horizon:
        merged_at = closed_at = None
        draft = not reviews and rng.random() < 0.5
    state = "closed" if closed_at else "open"
    events = [created] + [r.submitted_at for r in reviews] + [c.updated_at for c in comments]
    if closed_at:
        events.append(closed_at)
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
        additions=rng.randint(1, 400),
        deletions=rng.randint(0, 200),
        changed_files=rng.randint(1, 12),
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


def _name_main_commits(repo: Repository) -> None:
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


def _workflow_runs(g: Gen, repo: Repository) -> None:
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
    """The `deploy` workflow run behind a deployment."""
    finished = dep.finished_at or dep.updated_at
    conclusion = "success" if dep.outcome == "success" else "failure"
    return WorkflowRun(
        id=0,
        repo=repo.full_name,
        name="deploy",
        workflow_id=workflow_id(repo, "deploy"),
        path=".github/workflows/deploy.yml",
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
    )


# --- Jira -----------------------------------------------------------------------------------------


def _work_item_drafts(g: Gen, project: JiraProject, start: datetime) -> list[WorkItem]:
    team = g.ds.team(project.team)
    count = g.ds.spec.work_items_per_project
    created = sorted(g.work_time(start, g.horizon - timedelta(hours=1)) for _ in range(count))
    drafts: list[WorkItem] = []
    epics: list[WorkItem] = []
    for n, at in enumerate(created):
        roll = g.rng.random()
        kind = "Epic" if roll < 0.04 or n == 0 else "Story" if roll < 0.5 else "Task" if roll < 0.75 else "Bug"
        item = new_work_item(g, project, team, kind, at)
        if kind == "Epic":
            epics.append(item)
        elif epics and g.rng.random() < 0.6:
            _set_parent(g, item, g.rng.choice(epics[-4:]))
        lifecycle(g, item, long_history=(n % 50 == 7))
        drafts.append(item)
    g.ds.cached(("pool", project.key), lambda: drafts)
    return drafts


def _set_parent(g: Gen, item: WorkItem, parent: WorkItem) -> None:
    # Keys are assigned after all items exist, so the link is kept by object until then.
    g.ds.cached("parents", dict)[id(item)] = parent


def new_work_item(g: Gen, project: JiraProject, team: Team, kind: str, at: datetime) -> WorkItem:
    """A fresh work item in To Do, created at `at` (key and id are given later)."""
    rng = g.rng
    priority = (
        rng.choice(["High", "Highest"])
        if kind == "Incident"
        else rng.choice(["Medium", "Medium", "Medium", "High", "Low", "Lowest", "Highest"])
    )
    noun = rng.choice(NOUNS)
    summary = {
        "Epic": f"{noun.title()} revamp",
        "Bug": f"{noun.capitalize()} is broken",
        "Incident": f"Production incident: {rng.choice(SYMPTOMS)}",
    }.get(kind, f"{rng.choice(VERBS)} {noun}")
    labels = sorted(set(rng.sample(WORK_LABELS, rng.choice([0, 0, 1, 1, 2]))))
    return WorkItem(
        id=0,
        key="",
        project=project.key,
        issue_type=kind,
        summary=summary,
        status="To Do",
        priority=priority,
        assignee=None,
        reporter=g.member(team),
        labels=labels,
        parent_key=None,
        story_points=None,
        team=team.slug,
        created=at,
        updated=at,
        resolved=None,
        histories=[],
    )


def _path_for(g: Gen, kind: str) -> list[tuple[str, float, float]]:
    """Status path as (status, min hours, max hours) after the previous step."""
    rng = g.rng
    if kind == "Incident":
        return [("In Progress", 0.05, 0.5), ("Done", 0.3, 30)]
    if kind == "Epic":
        return [("In Progress", 24, 400), ("Done", 200, 2000)]
    path: list[tuple[str, float, float]] = [("In Progress", 1, 240), ("In Review", 2, 120)]
    for _ in range(rng.choice([0, 0, 0, 0, 1, 1, 2])):
        path += [("In Progress", 1, 30), ("In Review", 2, 48)]
    path.append(("Done", 0.5, 48))
    if rng.random() < 0.07:
        path += [("Reopened", 24, 400), ("In Progress", 1, 48), ("In Review", 2, 48), ("Done", 0.5, 24)]
    return path


def lifecycle(g: Gen, item: WorkItem, *, long_history: bool = False, resolve_at: datetime | None = None) -> None:
    """Fill an item's changelog: assignment, estimate, status transitions up to the horizon."""
    rng = g.rng
    team = g.ds.team(item.team)
    ds = g.ds
    changes: list[tuple[datetime, str, list[ChangeItem]]] = []
    at = secs(item.created, rng.uniform(60, 3 * 3600))
    assignee = g.member(team)
    changes.append((at, item.reporter, [_assignee_item(ds, None, assignee)]))
    if item.issue_type in ("Story", "Task", "Bug") and rng.random() < 0.75:
        points = rng.choice(STORY_POINTS)
        changes.append((secs(at, 60), item.reporter, [_points_item(ds, None, points)]))
    t = item.created
    for status, lo, hi in _path_for(g, item.issue_type):
        t = secs(t, g.hours(lo, hi))
        if status == "Done" and resolve_at is not None:
            t = resolve_at
        changes.append((t, assignee, [status_change(status)]))
    if rng.random() < 0.1:
        old, new = item.priority, rng.choice(["High", "Highest", "Low"])
        changes.append((secs(item.created, g.hours(1, 100)), item.reporter, [_priority_item(old, new)]))
    if long_history:
        for k in range(rng.randint(42, 60)):
            label = WORK_LABELS[k % len(WORK_LABELS)]
            item_change = ChangeItem("labels", "jira", "labels", None, "", None, label)
            changes.append((secs(item.created, 600 * (k + 1)), item.reporter, [item_change]))
    changes.sort(key=lambda c: c[0])
    for when, author, items in changes:
        if when > g.horizon:
            break
        apply_change(g, item, when, author, items)


def status_change(to: str) -> ChangeItem:
    """A status change to `to`; `apply_change` fills in where it came from."""
    return ChangeItem("status", "jira", "status", None, None, STATUS_BY_NAME[to].id, to)


def _assignee_item(ds: Dataset, old: str | None, new: str | None) -> ChangeItem:
    def acc(login: str | None) -> str | None:
        return ds.people[login].account_id if login else None

    def name(login: str | None) -> str | None:
        return ds.people[login].name if login else None

    return ChangeItem("assignee", "jira", "assignee", acc(old), name(old), acc(new), name(new))


def _points_item(ds: Dataset, old: float | None, new: float | None) -> ChangeItem:
    def fmt(value: float | None) -> str | None:
        return None if value is None else f"{value:g}"

    return ChangeItem("Story point estimate", "custom", ds.spec.story_points_field, None, fmt(old), None, fmt(new))


def _priority_item(old: str, new: str) -> ChangeItem:
    return ChangeItem("priority", "jira", "priority", PRIORITY_BY_NAME[old].id, old, PRIORITY_BY_NAME[new].id, new)


def apply_change(g: Gen, item: WorkItem, when: datetime, author: str, items: list[ChangeItem]) -> None:
    """Record one changelog history on an item and apply its effect to the item's fields."""
    out: list[ChangeItem] = []
    for change in items:
        if change.field == "status":
            to = change.to_string or "To Do"
            if to == item.status:
                continue
            old = STATUS_BY_NAME[item.status]
            out.append(ChangeItem("status", "jira", "status", old.id, old.name, change.to_id, to))
            was_done, now_done = old.category == "done", STATUS_BY_NAME[to].category == "done"
            item.status = to
            if now_done and not was_done:
                out.append(ChangeItem("resolution", "jira", "resolution", None, None, "10000", "Done"))
                item.resolved = when
            elif was_done and not now_done:
                out.append(ChangeItem("resolution", "jira", "resolution", "10000", "Done", None, None))
                item.resolved = None
        elif change.field == "assignee":
            change.from_id = g.ds.people[item.assignee].account_id if item.assignee else None
            change.from_string = g.ds.people[item.assignee].name if item.assignee else None
            item.assignee = next((p.login for p in g.ds.people.values() if p.account_id == change.to_id), None)
            out.append(change)
        elif change.field == "priority":
            if change.to_string == item.priority or change.to_string is None:
                continue
            out.append(_priority_item(item.priority, change.to_string))
            item.priority = change.to_string
        elif change.field_id == g.ds.spec.story_points_field:
            item.story_points = float(change.to_string) if change.to_string else None
            out.append(change)
        else:
            out.append(change)
    if not out:
        return
    item.histories.append(ChangeHistory(g.ds.next_id("history", 10_000), author, when, out))
    item.updated = max(item.updated, when)


def _jira_incidents(g: Gen) -> dict[str, list[WorkItem]]:
    out: dict[str, list[WorkItem]] = {}
    for team in g.ds.teams:
        project = g.ds.project(team.jira_project)
        repos = [r for r in g.ds.repositories if r.team == team.slug]
        if project is None or not repos:
            continue
        deps = successful_production([d for r in repos for d in r.deployments])
        items = []
        for index, dep in enumerate(deps):
            window = incident_window(deps, index, g.horizon)
            if window is None or g.rng.random() > 0.04:
                continue
            start, span = window
            opened = secs(start, g.rng.uniform(300, min(span * 0.8, 8 * 3600)))
            items.append(new_jira_incident(g, project, team, opened, dep))
        out[project.key] = items
    return out


def new_jira_incident(g: Gen, project: JiraProject, team: Team, opened: datetime, dep: Deployment) -> WorkItem:
    """An Incident work item opened at `opened`, attributed to `dep`."""
    item = new_work_item(g, project, team, "Incident", opened)
    item.deployment_id = dep.id
    lifecycle(g, item)
    return item


def _finalise_work_items(g: Gen, drafts: dict[str, list[WorkItem]], incidents: dict[str, list[WorkItem]]) -> None:
    ds = g.ds
    parents: dict[int, WorkItem] = ds.cached("parents", dict)
    for project in ds.projects:
        items = sorted(drafts.get(project.key, []) + incidents.get(project.key, []), key=lambda w: w.created)
        for n, item in enumerate(items, start=1):
            item.key = f"{project.key}-{n}"
        ds.work_items.extend(items)
    ds.work_items.sort(key=lambda w: w.created)
    for item in ds.work_items:
        item.id = ds.next_id("work_item", 10_000)
        parent = parents.get(id(item))
        if parent is not None:
            item.parent_key = parent.key
    ds.counters.update({f"jira_key:{p.key}": sum(1 for w in ds.work_items if w.project == p.key) for p in ds.projects})
