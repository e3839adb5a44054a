"""GitHub REST v3 simulation: shapes, Link paging, ETags, auth, Enterprise prefix and compare."""

from __future__ import annotations

import httpx

from pulse.sim.dataset import PRODUCTION, Dataset, successful_production
from pulse.sim.server import RunningSimulator
from tests.sim.conftest import follow_links

REPO = "/repos/acme/payments-api"


def test_pulls_paginate_over_link_headers_exactly_like_github(github: httpx.Client, ds: Dataset) -> None:
    pages = follow_links(
        github, f"{REPO}/pulls", {"state": "all", "per_page": 20, "sort": "created", "direction": "asc"}
    )
    assert len(pages) >= 3
    assert set(pages[0].links) == {"next", "last"}
    assert set(pages[1].links) == {"prev", "next", "last", "first"}
    assert set(pages[-1].links) == {"prev", "first"}
    numbers = [pr["number"] for page in pages for pr in page.json()]
    assert numbers == [p.number for p in ds.repository("payments-api").pulls]


def test_pull_list_and_detail_shapes(github: httpx.Client, ds: Dataset) -> None:
    listed = github.get(f"{REPO}/pulls", params={"state": "closed", "per_page": 5}).json()
    assert all(pr["state"] == "closed" for pr in listed)
    assert {"number", "head", "base", "merged_at", "merge_commit_sha", "draft", "user"} <= set(listed[0])
    assert "additions" not in listed[0]
    still_open = github.get(f"{REPO}/pulls", params={"state": "open"}).json()
    main = {c.sha for c in ds.repository("payments-api").main}
    assert still_open and all(pr["merge_commit_sha"] not in main and pr["merged_at"] is None for pr in still_open)
    detail = github.get(f"{REPO}/pulls/{listed[0]['number']}").json()
    truth = ds.pull(ds.repository("payments-api"), listed[0]["number"])
    assert detail["commits"] == len(truth.commits) and detail["additions"] == truth.additions
    assert detail["head"]["ref"] == truth.head_ref and detail["head"]["sha"] == truth.head_sha
    commits = github.get(f"{REPO}/pulls/{truth.number}/commits").json()
    assert [c["sha"] for c in commits] == [c.sha for c in truth.commits]
    assert commits[0]["commit"]["author"]["date"].endswith("Z")
    reviews = github.get(f"{REPO}/pulls/{truth.number}/reviews").json()
    assert [r["state"] for r in reviews] == [r.state for r in truth.reviews]


def test_issues_include_pull_requests_and_filter_labels(github: httpx.Client, ds: Dataset) -> None:
    everything = [
        i for p in follow_links(github, f"{REPO}/issues", {"state": "all", "per_page": 100}) for i in p.json()
    ]
    repo = ds.repository("payments-api")
    assert len(everything) == len(repo.pulls) + len(repo.issues)
    assert sum("pull_request" in i for i in everything) == len(repo.pulls)
    incidents = github.get(f"{REPO}/issues", params={"state": "all", "labels": "incident"}).json()
    assert incidents and all("pull_request" not in i for i in incidents)
    assert len(incidents) == sum(i.is_incident for i in repo.issues)


def test_unknown_token_is_rejected_with_github_body(sim: RunningSimulator) -> None:
    response = httpx.get(f"{sim.base_url}/user", headers={"Authorization": "token wrong"})
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials" and "documentation_url" in response.json()


def test_etag_hit_answers_304_without_charging(github: httpx.Client, sim: RunningSimulator) -> None:
    first = github.get(f"{REPO}/pulls", params={"state": "all"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["x-ratelimit-used"] == "1"
    again = github.get(f"{REPO}/pulls", params={"state": "all"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    assert github.get("/user").headers["x-ratelimit-used"] == "2"
    stats = httpx.get(f"{sim.base_url}/_sim/stats").json()
    assert stats["not_modified"] == 1 and stats["rate_limit_used"]["sim-github-token"] == 2


def test_enterprise_prefix_serves_the_same_api_and_links(github: httpx.Client) -> None:
    plain = github.get(f"{REPO}/deployments", params={"per_page": 10})
    enterprise = github.get(f"/api/v3{REPO}/deployments", params={"per_page": 10})
    assert enterprise.status_code == 200
    assert [d["id"] for d in enterprise.json()] == [d["id"] for d in plain.json()]
    assert "/api/v3/repos/" in enterprise.links["next"]["url"]
    assert (
        enterprise.json()[0]["url"].split("/api/v3")[1]
        == plain.json()[0]["url"].split(str(github.base_url).rstrip("/"))[1]
    )
    assert github.get("/api/v3/user").json()["login"] == "pulse-sim"


def test_compare_between_deployments_returns_exactly_the_commits_between(github: httpx.Client, ds: Dataset) -> None:
    repo = ds.repository("payments-api")
    deps = successful_production(repo.deployments)
    position = {c.sha: i for i, c in enumerate(repo.main)}
    base, head = deps[2], deps[9]
    expected = [c.sha for c in repo.main[position[base.sha] + 1 : position[head.sha] + 1]]
    url = f"{REPO}/compare/{base.sha}...{head.sha}"
    pages = follow_links(github, url, {"per_page": 3})
    assert len(pages) >= 2
    assert [c["sha"] for p in pages for c in p.json()["commits"]] == expected
    body = pages[0].json()
    assert (body["status"], body["ahead_by"], body["behind_by"], body["total_commits"]) == (
        "ahead",
        len(expected),
        0,
        len(expected),
    )
    assert body["files"] == []
    unpaged = github.get(url).json()
    assert [c["sha"] for c in unpaged["commits"]] == expected
    behind = github.get(f"{REPO}/compare/{head.sha[:10]}...{base.sha[:10]}").json()
    assert behind["status"] == "behind" and behind["commits"] == []
    assert github.get(f"{REPO}/compare/{'0' * 40}...{head.sha}").status_code == 404


def test_deployments_filter_by_environment_and_statuses_are_newest_first(github: httpx.Client, ds: Dataset) -> None:
    listed = github.get(f"{REPO}/deployments", params={"environment": PRODUCTION, "per_page": 100}).json()
    assert listed and all(d["environment"] == PRODUCTION for d in listed)
    assert [d["created_at"] for d in listed] == sorted((d["created_at"] for d in listed), reverse=True)
    statuses = github.get(f"{REPO}/deployments/{listed[-1]['id']}/statuses").json()
    assert statuses[-1]["state"] == "queued" and statuses[0]["state"] in ("inactive", "success", "failure", "error")
    by_sha = github.get(f"{REPO}/deployments", params={"sha": listed[0]["sha"]}).json()
    assert by_sha and all(d["sha"] == listed[0]["sha"] for d in by_sha)


def test_workflow_runs_releases_and_commits(github: httpx.Client, ds: Dataset) -> None:
    runs = github.get(f"{REPO}/actions/runs", params={"per_page": 5})
    body = runs.json()
    assert body["total_count"] == len(ds.repository("payments-api").workflow_runs) and len(body["workflow_runs"]) == 5
    assert "next" in runs.links
    ci = github.get(f"{REPO}/actions/runs", params={"event": "pull_request", "per_page": 3}).json()["workflow_runs"]
    assert all(run["name"] == "ci" and run["pull_requests"][0]["head"]["sha"] == run["head_sha"] for run in ci)
    deploys = github.get(f"{REPO}/actions/runs", params={"event": "workflow_dispatch"}).json()["workflow_runs"]
    assert deploys and all(r["name"] == "deploy" for r in deploys)
    releases = github.get(f"{REPO}/releases").json()
    assert releases and releases[0]["tag_name"].startswith("v1.")
    repo = ds.repository("payments-api")
    commits = github.get(f"{REPO}/commits", params={"per_page": 3}).json()
    assert [c["sha"] for c in commits] == [c.sha for c in reversed(repo.main[-3:])]


def test_org_repos_and_repo(github: httpx.Client, ds: Dataset) -> None:
    names = {r["full_name"] for r in github.get("/orgs/acme/repos").json()}
    assert names == {r.full_name for r in ds.repositories}
    assert github.get(f"{REPO}").json()["default_branch"] == "main"
    missing = github.get("/repos/acme/nope")
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"


def test_repository_review_comments_list_every_pull_requests_comments(
    github: httpx.Client, ds: Dataset, sim: RunningSimulator
) -> None:
    repo = ds.repository("payments-api")
    truth = {c.id: (pr, c) for pr in repo.pulls for c in pr.comments}
    assert len(truth) > 30
    pages = follow_links(github, f"{REPO}/pulls/comments", {"per_page": 30})
    assert len(pages) >= 2 and set(pages[0].links) == {"next", "last"}
    listed = [c for page in pages for c in page.json()]
    # Without `sort`: by id, like GitHub.
    assert [c["id"] for c in listed] == sorted(truth)
    for item in listed:
        pr, comment = truth[item["id"]]
        assert item["pull_request_url"].endswith(f"{REPO}/pulls/{pr.number}")
        assert item["user"]["login"] == comment.user
        assert item["created_at"] == comment.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert item["updated_at"] == comment.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert {"pull_request_review_id", "path", "line", "body", "diff_hunk", "commit_id", "_links"} <= set(item)
    # One pull request's listing is the same objects.
    pr = next(p for p in repo.pulls if p.comments)
    per_pr = github.get(f"{REPO}/pulls/{pr.number}/comments").json()
    assert per_pr == [c for c in listed if c["pull_request_url"].endswith(f"/pulls/{pr.number}")]
    # `/pulls/{number}` still answers for pull requests.
    assert github.get(f"{REPO}/pulls/{pr.number}").json()["number"] == pr.number
    stats = httpx.get(f"{sim.base_url}/_sim/stats").json()["by_route"]
    assert stats["GET /repos/{owner}/{repo}/pulls/comments"]["200"] == len(pages)
    assert "GET /repos/{owner}/{repo}/pulls/{number}" in stats


def test_repository_review_comments_sort_direction_since_and_etags(github: httpx.Client, ds: Dataset) -> None:
    repo = ds.repository("payments-api")
    comments = [c for pr in repo.pulls for c in pr.comments]
    by_updated = sorted(comments, key=lambda c: (c.updated_at, c.id))
    params = {"sort": "updated", "direction": "asc", "per_page": 100}
    listed = [c["id"] for p in follow_links(github, f"{REPO}/pulls/comments", params) for c in p.json()]
    assert listed == [c.id for c in by_updated]
    desc = [c["id"] for p in follow_links(github, f"{REPO}/pulls/comments", {**params, "direction": "desc"})
            for c in p.json()]  # fmt: skip
    assert desc == listed[::-1]
    created = [c["id"] for p in follow_links(github, f"{REPO}/pulls/comments", {"sort": "created", "per_page": 100})
               for c in p.json()]  # fmt: skip
    assert created == [c.id for c in sorted(comments, key=lambda c: (c.created_at, c.id))]
    cut = by_updated[len(by_updated) // 2].updated_at
    since = {**params, "since": cut.strftime("%Y-%m-%dT%H:%M:%SZ")}
    recent = [c["id"] for p in follow_links(github, f"{REPO}/pulls/comments", since) for c in p.json()]
    assert recent == [c.id for c in by_updated if c.updated_at >= cut] and 0 < len(recent) < len(comments)
    assert github.get(f"{REPO}/pulls/comments", params={"sort": "bogus"}).status_code == 422
    first = github.get(f"{REPO}/pulls/comments", params=since)
    again = github.get(f"{REPO}/pulls/comments", params=since, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    # The Enterprise prefix serves it too, with links under the prefix.
    enterprise = github.get(f"/api/v3{REPO}/pulls/comments", params={"per_page": 5})
    assert enterprise.status_code == 200 and "/api/v3/repos/" in enterprise.json()[0]["pull_request_url"]


def test_pull_request_detail_sizes_match_the_dataset(github: httpx.Client, ds: Dataset) -> None:
    repo = ds.repository("payments-api")
    pulls = repo.pulls
    for pr in pulls[:10]:
        detail = github.get(f"{REPO}/pulls/{pr.number}").json()
        sizes = (detail["additions"], detail["deletions"], detail["changed_files"])
        assert sizes == (pr.additions, pr.deletions, pr.changed_files)
        assert detail["commits"] == len(pr.commits) and detail["review_comments"] == len(pr.comments)
    for pr in (p for r in ds.repositories for p in r.pulls):
        # Every changed file changes at least one line.
        assert pr.additions >= 1 and pr.deletions >= 0 and 1 <= pr.changed_files <= pr.additions + pr.deletions
