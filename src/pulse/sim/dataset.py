"""Deterministic generation of the simulated organisation from a seed, an anchor and scale knobs."""

from __future__ import annotations

import random
from datetime import UTC, timedelta

from pulse.sim.catalog import FIRST_NAMES, LAST_NAMES, TEAM_CATALOG
from pulse.sim.gen_base import Gen, sha_of
from pulse.sim.gen_github import (
    add_workflow_runs,
    label_pull_request,
    make_repository,
    name_main_commits,
    successful_production,
)
from pulse.sim.gen_jira import finalise_work_items, jira_incidents, work_item_drafts
from pulse.sim.model import PRODUCTION, STAGING, JiraProject, Person, Team
from pulse.sim.store import Dataset, DatasetSpec

__all__ = ["PRODUCTION", "STAGING", "Dataset", "DatasetSpec", "generate_dataset", "successful_production"]


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
    drafts = {p.key: work_item_drafts(g, p, start) for p in ds.projects}
    for index in range(spec.repos):
        team = teams[index % len(teams)]
        make_repository(g, team, index, start)
    incidents = jira_incidents(g)
    finalise_work_items(g, drafts, incidents)
    for pr, item in g.pending_labels:
        label_pull_request(g, pr, item)
    for repo in ds.repositories:
        name_main_commits(repo)
        add_workflow_runs(g, repo)
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
