"""`pulse up --demo`: a demo tenant with three users, integrations on the simulator (GitHub, Jira, PagerDuty),
and a first sync.

Seeding goes through the same doors a person would use: the services' own functions for the tenant and
users (as `pulse client/user create` do), then the public HTTP APIs for integrations and syncs.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from pulse.backend.clients import service as client_service
from pulse.backend.users import service as user_service
from pulse.core.config import Settings
from pulse.core.db.engine import make_engine, unit_of_work
from pulse.core.db.models import Client, User
from pulse.demo_incidents import ensure_pagerduty

DEMO_CLIENT = "Demo"
DEMO_USERS = (
    ("admin", "admin@demo.pulse.local"),
    ("user", "user@demo.pulse.local"),
    ("view", "viewer@demo.pulse.local"),
)
SIM_GITHUB_TOKEN = "sim-github-token"  # the simulator's documented demo credential
SIM_JIRA_EMAIL = "sim@example.com"
SIM_JIRA_TOKEN = "sim-jira-token"  # the simulator's documented demo credential
SIM_GITLAB_TOKEN = "sim-gitlab-token"  # the simulator's documented demo credential
SIM_GITLAB_GROUP = "acme-gl"  # the simulated GitLab group (`pulse.sim.gitlab.world.gitlab_spec`)
FINISHED_STATES = {"FINISHED", "FAILED", "CANCELLED"}


@dataclass
class DemoInfo:
    """What the demo created, for printing and for tests."""

    client_id: int
    credentials: dict[str, dict[str, str]]
    integration_ids: list[int] = field(default_factory=list)
    job_run_ids: list[int] = field(default_factory=list)

    def describe(self) -> str:
        """Human-readable summary with the sign-in details."""
        lines = [f"Demo tenant {self.client_id}. Sign in with:"]
        for role, cred in self.credentials.items():
            lines.append(f"  {role:<6} {cred['email']:<28} {cred['password']}")
        return "\n".join(lines)


def _credentials_file(settings: Settings) -> Path:
    return settings.data_dir / "demo-credentials.json"


def _ensure_tenant_and_users(settings: Settings, database_url: str) -> tuple[int, dict[str, dict[str, str]]]:
    """Create the demo tenant and users once; their generated passwords are kept owner-readable."""
    path = _credentials_file(settings)
    known: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        with unit_of_work(engine) as db_session:
            client = db_session.scalar(select(Client).where(func.lower(Client.name) == DEMO_CLIENT.lower()))
            if client is None:
                client = client_service.create(db_session=db_session, name=DEMO_CLIENT)
            for role, email in DEMO_USERS:
                exists = db_session.scalar(select(User.id).where(User.email == email)) is not None
                if exists and role in known:
                    continue
                password = known.get(role, {}).get("password") or f"demo-{secrets.token_urlsafe(12)}"
                if not exists:
                    user_service.create(
                        db_session=db_session, settings=settings, client_id=client.id, email=email,
                        password=password, role=role, first_name=role.capitalize(), last_name="Demo",
                    )  # fmt: skip
                known[role] = {"email": email, "password": password}
            client_id = client.id
    finally:
        engine.dispose()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(known, handle, indent=2)
    return client_id, known


def _integration_bodies(sim_url: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "github",
            "name": "GitHub (simulated)",
            "base_url": sim_url,
            "credentials": {"token": SIM_GITHUB_TOKEN},
            "settings": {"organization": "acme", "repositories": [], "pull_request_details": True},
        },
        {
            "type": "jira",
            "name": "Jira (simulated)",
            "base_url": sim_url,
            "credentials": {"email": SIM_JIRA_EMAIL, "api_token": SIM_JIRA_TOKEN},
            "settings": {"projects": []},
        },
        {
            "type": "gitlab",
            "name": "GitLab (simulated)",
            "base_url": f"{sim_url}/gitlab",
            "credentials": {"token": SIM_GITLAB_TOKEN},
            "settings": {"groups": [SIM_GITLAB_GROUP], "merge_request_details": True},
        },
    ]


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} answered {response.text}")
    return dict(response.json())


def seed_demo(
    *, settings: Settings, database_url: str, sim_url: str, backend: str, etl: str, wait: bool = True
) -> DemoInfo:
    """Create (or reuse) the demo tenant, users and integrations, and start their first sync."""
    client_id, credentials = _ensure_tenant_and_users(settings, database_url)
    info = DemoInfo(client_id=client_id, credentials=credentials)
    with httpx.Client(timeout=30) as http:
        admin = credentials["admin"]
        login = _check(http.post(f"{backend}/api/v1/auth/login", json=admin))
        headers = {"Authorization": f"Bearer {login['token']}"}
        existing = {i["name"]: i for i in _check(http.get(f"{etl}/api/v1/integrations", headers=headers))["items"]}
        for body in _integration_bodies(sim_url):
            current = existing.get(body["name"])
            if current is None:
                current = _check(http.post(f"{etl}/api/v1/integrations", json=body, headers=headers))
            elif current["base_url"] != sim_url:
                patch = {"base_url": sim_url, "credentials": body["credentials"]}
                current = _check(http.patch(f"{etl}/api/v1/integrations/{current['id']}", json=patch, headers=headers))
            info.integration_ids.append(int(current["id"]))
            started = http.post(f"{etl}/api/v1/integrations/{current['id']}/sync", headers=headers)
            if started.status_code == 409:  # a sync is already under way: follow it instead
                jobs = _check(http.get(f"{etl}/api/v1/jobs", params={"integration_id": current["id"]}, headers=headers))
                info.job_run_ids.append(int(jobs["items"][0]["id"]))
            else:
                info.job_run_ids.append(int(_check(started)["job_run_id"]))
        if wait:
            _follow_jobs(http, etl, headers, info.job_run_ids)
            _ensure_teams(http, etl, headers)
            # PagerDuty's service mappings name repositories, so it comes once GitHub's are in.
            incidents_job = ensure_pagerduty(http, etl, headers, sim_url)
            if incidents_job is not None:
                info.job_run_ids.append(incidents_job)
                _follow_jobs(http, etl, headers, [incidents_job])
        http.post(f"{backend}/api/v1/auth/logout", headers=headers)
    return info


def _follow_jobs(http: httpx.Client, etl: str, headers: dict[str, str], job_ids: list[int]) -> None:
    """Show the first sync's progress until every job ends."""
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
    with Progress(*columns, TimeElapsedColumn()) as progress:
        tasks = {job_id: progress.add_task(f"sync job {job_id}", total=100) for job_id in job_ids}
        pending = set(job_ids)
        deadline = time.monotonic() + 1800
        while pending and time.monotonic() < deadline:
            for job_id in list(pending):
                job = _check(http.get(f"{etl}/api/v1/jobs/{job_id}", headers=headers))
                description = f"sync job {job_id}: {job.get('step') or job['status'].lower()}"
                progress.update(tasks[job_id], completed=job.get("percent") or 0, description=description)
                if job["status"] in FINISHED_STATES:
                    progress.update(tasks[job_id], completed=100, description=f"sync job {job_id}: {job['status']}")
                    pending.discard(job_id)
            time.sleep(0.5)


def _ensure_teams(http: httpx.Client, etl: str, headers: dict[str, str]) -> None:
    """Create the simulated organisation's teams (repositories, Jira project, members) once."""
    from pulse.sim.__main__ import config_from_args, parse_args
    from pulse.sim.dataset import generate_dataset
    from pulse.sim.gitlab.world import generate_gitlab_dataset, project_path

    # `pulse sim` with no options serves this exact deterministic organisation (and GitLab group).
    spec = config_from_args(parse_args([])).dataset
    dataset = generate_dataset(spec)
    group = generate_gitlab_dataset(spec)
    # Teams with a GitLab project span both hosts: their GitHub repositories and their GitLab projects.
    gitlab_paths = {
        t.slug: [project_path(group, r) for r in group.repositories if r.team == t.slug] for t in group.teams
    }
    repositories = _check(http.get(f"{etl}/api/v1/repositories", params={"limit": 500}, headers=headers))["items"]
    existing = {t["name"].lower() for t in _check(http.get(f"{etl}/api/v1/settings/teams", headers=headers))["items"]}
    for team in dataset.teams:
        if team.name.lower() in existing:
            continue
        repo_ids = [
            r["id"]
            for r in repositories
            if any(r["full_name"] == n or r["full_name"].endswith(f"/{n}") for n in team.repos)
            or r["full_name"] in gitlab_paths.get(team.slug, [])
        ]
        body = {
            "name": team.name,
            "repository_ids": repo_ids,
            "project_keys": [team.jira_project],
            "members": [{"github_login": login} for login in team.members],
        }
        _check(http.post(f"{etl}/api/v1/settings/teams", json=body, headers=headers))
