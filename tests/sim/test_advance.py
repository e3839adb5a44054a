"""`/_sim/advance`: deterministic new and changed data that incremental syncs can find."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx

from pulse.sim.advance import advance
from pulse.sim.dataset import Dataset, generate_dataset
from pulse.sim.gen_github import successful_production
from pulse.sim.github_shapes import iso
from pulse.sim.server import RunningSimulator
from tests.sim.conftest import SMALL


def test_advance_is_deterministic() -> None:
    first, second = generate_dataset(SMALL), generate_dataset(SMALL)
    assert advance(first).as_dict() == advance(second).as_dict()
    assert advance(first).as_dict() == advance(second).as_dict()
    assert repr(first.repositories) == repr(second.repositories)
    assert repr(first.work_items) == repr(second.work_items)


def test_advanced_data_shows_up_in_incremental_queries(
    sim: RunningSimulator, ds: Dataset, github: httpx.Client, jira: httpx.Client
) -> None:
    before = ds.now
    etag = github.get("/repos/acme/web-app/pulls", params={"state": "all"}).headers["etag"]
    step = httpx.post(f"{sim.base_url}/_sim/advance", json={"hours": 24}).json()["steps"][0]
    assert step["new_pulls"] and step["new_deployments"] and step["new_work_items"]
    changed = github.get("/repos/acme/web-app/pulls", params={"state": "all"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    updated = github.get("/repos/acme/web-app/pulls", params={"state": "all", "sort": "updated", "direction": "desc"})
    recent = {f"acme/web-app#{p['number']}" for p in updated.json() if p["updated_at"] >= iso(before)}
    expected = {n for n in step["new_pulls"] + step["updated_pulls"] if n.startswith("acme/web-app#")}
    assert recent == expected
    deployments = {
        d["id"]
        for r in ds.repositories
        for d in github.get(f"/repos/{r.full_name}/deployments", params={"per_page": 5}).json()
    }
    assert set(step["new_deployments"]) <= deployments
    local = before.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M")
    found = jira.post(
        "/rest/api/3/search/jql",
        json={"jql": f'project in (PAY, WEB, OPS) AND updated >= "{local}"', "maxResults": 100},
    ).json()
    keys = {i["key"] for i in found["issues"]}
    assert keys == set(step["new_work_items"]) | set(step["updated_work_items"])


def test_stats_count_routes_and_reset(sim: RunningSimulator, github: httpx.Client) -> None:
    github.get("/repos/acme/web-app/pulls")
    github.get("/repos/acme/web-app/pulls/1")
    stats = httpx.get(f"{sim.base_url}/_sim/stats").json()
    assert stats["by_route"]["GET /repos/{owner}/{repo}/pulls"] == {"200": 1}
    assert stats["by_api"] == {"github": 2}
    httpx.post(f"{sim.base_url}/_sim/reset-stats")
    assert httpx.get(f"{sim.base_url}/_sim/stats").json()["requests"] == 0
    assert httpx.get(f"{sim.base_url}/_sim/health").json()["status"] == "ok"
    summary = httpx.get(f"{sim.base_url}/_sim/summary").json()
    assert summary["pull_requests"] == 4 * 60 and summary["work_items"] >= 3 * 120


def test_simulator_runs_as_a_separate_process_with_extra_credentials() -> None:
    from pulse.sim.server import spawn_simulator

    args = [
        "--anchor",
        "2026-01-01",
        "--prs-per-repo",
        "10",
        "--work-items-per-project",
        "10",
        "--github-token",
        "tenant-b=bob",
        "--jira-account",
        "b@example.com:tok-b",
    ]
    with spawn_simulator(args) as proc:
        assert httpx.get(f"{proc.base_url}/user", headers={"Authorization": "token tenant-b"}).json()["login"] == "bob"
        me = httpx.get(f"{proc.base_url}/rest/api/3/myself", auth=("b@example.com", "tok-b"))
        assert me.status_code == 200


def test_late_deployments_and_force_pushes() -> None:
    ds = generate_dataset(SMALL)
    advance(ds)
    open_before = {(p.repo, p.number): [c.sha for c in p.commits] for r in ds.repositories for p in r.pulls
                   if p.state == "open"}  # fmt: skip
    step = advance(ds, hours=6, late_deployments=2, force_pushes=2)
    assert step.late_deployments and len(step.force_pushed_pulls) == 2
    for dep_id in step.late_deployments:
        repo = next(r for r in ds.repositories if any(d.id == dep_id for d in r.deployments))
        late = next(d for d in repo.deployments if d.id == dep_id)
        production = successful_production(repo.deployments)
        # It finished before the repository's latest production deployment, and was reported in this step.
        assert late in production[:-1] and late.finished_at is not None
        assert late.finished_at < production[-1].finished_at  # type: ignore[operator]
        assert late.updated_at > late.finished_at and late.updated_at <= step.now
    for name in step.force_pushed_pulls:
        full_name, number = name.split("#")
        pr = next(p for r in ds.repositories for p in r.pulls if p.repo == full_name and p.number == int(number))
        assert pr.state == "open" and pr.commits[0].message == "initial work (rebased)"
        assert not {c.sha for c in pr.commits} & set(open_before.get((full_name, int(number)), []))
    # Off by default: the same seed evolves exactly as before.
    plain, knobbed = generate_dataset(SMALL), generate_dataset(SMALL)
    assert advance(plain).as_dict() == advance(knobbed, late_deployments=0, force_pushes=0).as_dict()
