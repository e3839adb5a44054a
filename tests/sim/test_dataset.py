"""Ground-truth generation: determinism, internal consistency and scale."""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import replace

from pulse.sim.dataset import PRODUCTION, DatasetSpec, generate_dataset, successful_production
from pulse.sim.truth import attributed_deployment, lead_time_hours, shipped_changes
from tests.sim.conftest import SMALL


def test_same_seed_and_anchor_give_identical_data() -> None:
    first, second = generate_dataset(SMALL), generate_dataset(SMALL)
    assert repr(first.repositories) == repr(second.repositories)
    assert repr(first.work_items) == repr(second.work_items)


def test_another_seed_gives_other_data() -> None:
    other = generate_dataset(replace(SMALL, seed=12))
    assert repr(other.repositories[0].pulls) != repr(generate_dataset(SMALL).repositories[0].pulls)


def test_pull_requests_are_consistent() -> None:
    ds = generate_dataset(SMALL)
    keys = {w.key for w in ds.work_items}
    states = set()
    for repo in ds.repositories:
        main = {c.sha for c in repo.main}
        assert [p.number for p in repo.pulls] == sorted(p.number for p in repo.pulls)
        for pr in repo.pulls:
            states.add("merged" if pr.merged else pr.state)
            assert 1 <= len(pr.commits) <= 8
            assert all(c.authored_at <= pr.created_at for c in pr.commits)
            assert all(r.submitted_at >= pr.created_at and r.user != pr.user for r in pr.reviews)
            assert all(key in keys and key in pr.head_ref for key in pr.jira_keys)
            if pr.merged:
                assert pr.merge_commit_sha in main and pr.reviews[-1].state == "APPROVED"
                assert pr.merged_at is not None and pr.merged_at <= ds.now
    assert states == {"merged", "closed", "open"}
    reviews = [r.state for repo in ds.repositories for p in repo.pulls for r in p.reviews]
    assert {"APPROVED", "CHANGES_REQUESTED", "COMMENTED"} <= set(reviews)


def test_production_deployments_ship_main_commits_in_order() -> None:
    ds = generate_dataset(SMALL)
    for repo in ds.repositories:
        index = {c.sha: i for i, c in enumerate(repo.main)}
        assert all(d.sha in index for d in repo.deployments)
        shipped = [index[d.sha] for d in successful_production(repo.deployments)]
        assert shipped == sorted(shipped) and len(shipped) > 20
        outcomes = {d.outcome for d in repo.deployments if d.environment == PRODUCTION}
        assert {"success", "failure"} <= outcomes | {"error"}
        superseded = [d for d in successful_production(repo.deployments)[:-1]]
        assert all(d.statuses[-1].state == "inactive" for d in superseded)


def test_incidents_follow_the_dora_attribution_rule() -> None:
    ds = generate_dataset(SMALL)
    incidents = 0
    for repo in ds.repositories:
        deps = successful_production(repo.deployments)
        finished = [d.finished_at for d in deps]
        for issue in repo.issues:
            if not issue.is_incident:
                continue
            incidents += 1
            latest = deps[bisect_right(finished, issue.created_at) - 1]
            assert latest.id == issue.deployment_id
            assert issue.closed_at is None or issue.closed_at > issue.created_at
    jira_incidents = [w for w in ds.work_items if w.issue_type == "Incident"]
    assert incidents > 0 and jira_incidents and all(w.deployment_id for w in jira_incidents)


def test_work_item_changelogs_explain_their_state() -> None:
    ds = generate_dataset(SMALL)
    reopened = 0
    for item in ds.work_items:
        transitions = item.transitions
        assert [h.created for h in item.histories] == sorted(h.created for h in item.histories)
        if transitions:
            assert transitions[-1][2] == item.status
        assert (item.resolved is not None) == (item.status == "Done")
        reopened += any(to == "Reopened" for _, _, to in transitions)
    assert reopened > 0
    assert any(len(w.histories) > 40 for w in ds.work_items)
    assert any(w.parent_key for w in ds.work_items) and any(w.story_points for w in ds.work_items)


def test_benchmark_scale_generates_quickly() -> None:
    started = time.perf_counter()
    ds = generate_dataset(DatasetSpec(anchor=SMALL.anchor, repos=4, prs_per_repo=2500, work_items_per_project=6667))
    assert time.perf_counter() - started < 20
    assert sum(len(r.pulls) for r in ds.repositories) == 10_000
    assert len(ds.work_items) >= 20_000


def test_truth_helpers_agree_with_generated_attribution() -> None:
    ds = generate_dataset(SMALL)
    for incident in ds.incidents():
        assert attributed_deployment(ds, incident).id == incident.deployment_id
    repo = ds.repositories[0]
    shipped = shipped_changes(repo)
    merged = [p for p in repo.pulls if p.merged]
    counted = [pr.number for prs in shipped.values() for pr in prs]
    assert len(counted) == len(set(counted)) and set(counted) <= {p.number for p in merged}
    deps = {d.id: d for d in repo.deployments}
    assert all(lead_time_hours(pr, deps[dep_id]) > 0 for dep_id, prs in shipped.items() for pr in prs)
