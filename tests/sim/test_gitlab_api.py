"""The simulated GitLab group speaks REST v4: auth, offset and keyset paging, RateLimit-*, 429, ETags, advance."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from pulse.sim.dataset import Dataset
from pulse.sim.gitlab import world
from pulse.sim.server import RunningSimulator
from tests.sim.conftest import configure

TOKEN = "sim-gitlab-token"


@pytest.fixture
def gl_ds(sim: RunningSimulator) -> Dataset:
    """The GitLab group's dataset: ground truth."""
    return sim.app.gitlab_dataset


@pytest.fixture
def gitlab(sim: RunningSimulator) -> Iterator[httpx.Client]:
    """A client on the GitLab API root with the default token in `PRIVATE-TOKEN`."""
    with httpx.Client(base_url=sim.base_url + "/gitlab/api/v4", headers={"PRIVATE-TOKEN": TOKEN}) as client:
        yield client


def test_auth_by_private_token_or_bearer_and_401_otherwise(sim: RunningSimulator, gitlab: httpx.Client) -> None:
    assert gitlab.get("/user").json()["username"] == "pulse-sim"
    bearer = httpx.get(sim.base_url + "/gitlab/api/v4/user", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200
    for headers in ({}, {"PRIVATE-TOKEN": "nope"}, {"Authorization": "Bearer nope"}):
        answer = httpx.get(sim.base_url + "/gitlab/api/v4/user", headers=headers)
        assert (answer.status_code, answer.json()) == (401, {"message": "401 Unauthorized"})


def test_group_projects_include_subgroups_with_keyset_paging(gitlab: httpx.Client, gl_ds: Dataset) -> None:
    top = gl_ds.org
    direct = gitlab.get(f"/groups/{top}/projects").json()
    assert direct == []  # every project sits in a team subgroup
    params = {"include_subgroups": "true", "pagination": "keyset", "order_by": "id", "sort": "asc", "per_page": 1}
    pages = [gitlab.get(f"/groups/{quote(top)}/projects", params=params)]
    while "next" in pages[-1].links:
        assert "id_after=" in pages[-1].links["next"]["url"] and "x-total" not in pages[-1].headers
        pages.append(gitlab.get(pages[-1].links["next"]["url"]))
    paths = [p["path_with_namespace"] for page in pages for p in page.json()]
    assert paths == [world.project_path(gl_ds, r) for r in sorted(gl_ds.repositories, key=lambda r: r.id)]
    assert len({p.rsplit("/", 1)[0] for p in paths}) >= 2
    subgroup = paths[0].rsplit("/", 1)[0]
    assert gitlab.get(f"/groups/{quote(subgroup, safe='')}").json()["full_path"] == subgroup
    bad = gitlab.get(f"/groups/{top}/projects", params={"pagination": "keyset", "order_by": "name"})
    assert bad.status_code == 405


def test_merge_requests_offset_paging_headers_and_updated_after(gitlab: httpx.Client, gl_ds: Dataset) -> None:
    repo = gl_ds.repositories[0]
    path = quote(world.project_path(gl_ds, repo), safe="")
    first = gitlab.get(f"/projects/{path}/merge_requests", params={"per_page": 10, "order_by": "updated_at"})
    total = len(repo.pulls)
    pages = -(-total // 10)
    assert first.headers["x-total"] == str(total) and first.headers["x-total-pages"] == str(pages)
    assert (first.headers["x-page"], first.headers["x-next-page"], first.headers["x-prev-page"]) == ("1", "2", "")
    seen = [mr["iid"] for mr in first.json()]
    page = first
    while page.headers["x-next-page"]:
        query = {"per_page": 10, "order_by": "updated_at", "page": page.headers["x-next-page"]}
        page = gitlab.get(f"/projects/{repo.id}/merge_requests", params=query)
        seen.extend(mr["iid"] for mr in page.json())
    expected = [p.number for p in sorted(repo.pulls, key=lambda p: (p.updated_at, p.id), reverse=True)]
    assert seen == expected
    cut = sorted(p.updated_at for p in repo.pulls)[total // 2]
    after = gitlab.get(f"/projects/{repo.id}/merge_requests",
                       params={"updated_after": cut.isoformat(), "per_page": 100, "sort": "asc"}).json()  # fmt: skip
    assert {mr["iid"] for mr in after} == {p.number for p in repo.pulls if p.updated_at >= cut}


def test_rate_limit_headers_and_429_with_retry_after(sim: RunningSimulator, gitlab: httpx.Client) -> None:
    first = gitlab.get("/user")
    assert first.headers["ratelimit-limit"] == "2000" and first.headers["ratelimit-remaining"] == "1999"
    assert first.headers["ratelimit-observed"] == "1" and first.headers["ratelimit-reset"].isdigit()
    configure(sim, exhaust_rate_limit_now=True)
    limited = gitlab.get("/user")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-remaining"] == "0"
    configure(sim, gitlab_rate_limit={"limit": 3, "window_seconds": 60})


def test_etag_and_304_on_unchanged_pages(gitlab: httpx.Client, gl_ds: Dataset) -> None:
    repo = gl_ds.repositories[0]
    first = gitlab.get(f"/projects/{repo.id}/environments")
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = gitlab.get(f"/projects/{repo.id}/environments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_notes_approvals_commits_and_diffs_of_a_merge_request(gitlab: httpx.Client, gl_ds: Dataset) -> None:
    repo = gl_ds.repositories[0]
    pr = next(p for p in repo.pulls if any(r.state == "APPROVED" for r in p.reviews) and p.comments)
    base = f"/projects/{repo.id}/merge_requests/{pr.number}"
    notes = gitlab.get(f"{base}/notes", params={"per_page": 100, "sort": "asc"}).json()
    assert {n["id"] for n in notes if not n["system"]} >= {c.id for c in pr.comments}
    assert any(n["system"] and n["body"] == "approved this merge request" for n in notes)
    assert any(n["system"] and n["body"].startswith("added 1 commit") for n in notes)
    approvals = gitlab.get(f"{base}/approvals").json()
    assert [a["user"]["username"] for a in approvals["approved_by"]] == world.approvers(pr)
    commits = gitlab.get(f"{base}/commits", params={"per_page": 100}).json()
    assert [c["id"] for c in commits] == [c.sha for c in reversed(pr.commits)]
    diffs = gitlab.get(f"{base}/diffs", params={"per_page": 100}).json()
    added = sum(d["diff"].count("\n+") for d in diffs)
    assert (len(diffs), added) == (pr.changed_files, pr.additions)
    assert gitlab.get(f"/projects/{repo.id}/merge_requests/99999/notes").status_code == 404


def test_deployments_pipelines_issues_and_compare(gitlab: httpx.Client, gl_ds: Dataset) -> None:
    repo = gl_ds.repositories[0]
    deps = gitlab.get(f"/projects/{repo.id}/deployments", params={"per_page": 100}).json()
    assert len(deps) == min(100, len(repo.deployments))
    assert {d["status"] for d in deps} <= {"success", "failed", "canceled", "created", "running"}
    paired = gitlab.get(f"/projects/{repo.id}/deployments", params={"updated_after": "2020-01-01T00:00:00Z"})
    assert paired.status_code == 400  # GitLab wants order_by=updated_at with updated_after
    pipelines = gitlab.get(f"/projects/{repo.id}/pipelines", params={"ref": "main", "per_page": 100}).json()
    assert {p["source"] for p in pipelines} == {"push"} and pipelines
    incidents = gitlab.get(f"/projects/{repo.id}/issues", params={"labels": "incident", "per_page": 100}).json()
    assert {i["iid"] for i in incidents} == {i.number for i in repo.issues if i.is_incident}
    assert all(i["issue_type"] == "incident" for i in incidents)
    base, head = repo.main[3].sha, repo.main[7].sha
    compare = gitlab.get(f"/projects/{repo.id}/repository/compare", params={"from": base, "to": head}).json()
    assert [c["id"] for c in compare["commits"]] == [c.sha for c in repo.main[4:8]]
    missing = gitlab.get(f"/projects/{repo.id}/repository/compare", params={"from": "f" * 40, "to": head})
    assert missing.status_code == 404


def test_faults_are_counted_and_advance_adds_to_the_group(
    sim: RunningSimulator, gitlab: httpx.Client, gl_ds: Dataset
) -> None:
    configure(sim, error_rate=1.0, fault_seed=1)
    failed = gitlab.get("/user")
    assert failed.status_code in (500, 502)
    configure(sim, error_rate=0.0)
    stats = httpx.get(sim.base_url + "/_sim/stats").json()
    assert stats["by_api"]["gitlab"] >= 1 and sum(stats["faults"].values()) >= 1
    before = {r.id: (len(r.pulls), len(r.deployments)) for r in gl_ds.repositories}
    step = httpx.post(sim.base_url + "/_sim/advance", json={"hours": 72, "new_pulls_per_repo": 2}).json()
    gitlab_step = step["steps"][0]["gitlab"]
    assert len(gitlab_step["new_merge_requests"]) == 2 * len(gl_ds.repositories)
    for repo in gl_ds.repositories:
        assert len(repo.pulls) == before[repo.id][0] + 2
        assert len(repo.deployments) >= before[repo.id][1]
    repo = gl_ds.repositories[0]
    newest = gitlab.get(f"/projects/{repo.id}/merge_requests", params={"per_page": 1}).json()[0]
    assert newest["iid"] == max(p.number for p in repo.pulls)
