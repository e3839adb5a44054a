"""GitHub REST v3 JSON shapes of the dataset's objects."""

from __future__ import annotations

import base64
from bisect import bisect_right
from datetime import datetime
from typing import Any

from pulse.sim.gen_base import sha_of
from pulse.sim.model import (
    Commit,
    Deployment,
    DeploymentStatus,
    Issue,
    PullRequest,
    Release,
    Repository,
    Review,
    ReviewComment,
    WorkflowRun,
)
from pulse.sim.store import Dataset

WEB_FLOW_ID = 19864447
LABEL_COLORS = {"bug": "d73a4a", "enhancement": "a2eeef", "incident": "b60205", "question": "d876e3"}


def iso(value: datetime | None) -> str | None:
    """GitHub timestamp: UTC, second precision, `Z` suffix."""
    return None if value is None else value.isoformat()[:19] + "Z"


def node_id(kind: str, ident: int) -> str:
    """An opaque GraphQL node id."""
    return base64.b64encode(f"0:{kind}{ident}".encode()).decode().rstrip("=")


class Shapes:
    """Renders dataset objects for one API root (`https://host` or `https://host/api/v3`)."""

    def __init__(self, ds: Dataset, api: str, web: str) -> None:
        self.ds = ds
        self.api = api
        self.web = web

    def user(self, login: str | None) -> dict[str, Any] | None:
        """A simple user object; unknown logins get a stable fake id."""
        if login is None:
            return None
        person = self.ds.people.get(login)
        ident = person.id if person else (WEB_FLOW_ID if login == "web-flow" else 90_000 + sum(map(ord, login)))
        url = f"{self.api}/users/{login}"
        return {
            "login": login,
            "id": ident,
            "node_id": node_id("User", ident),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{ident}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{self.web}/{login}",
            "repos_url": f"{url}/repos",
            "type": "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def org(self) -> dict[str, Any]:
        """The organisation as a repository owner."""
        url = f"{self.api}/orgs/{self.ds.org}"
        return {
            "login": self.ds.org,
            "id": self.ds.org_id,
            "node_id": node_id("Organization", self.ds.org_id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{self.ds.org_id}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": f"{self.web}/{self.ds.org}",
            "repos_url": f"{url}/repos",
            "type": "Organization",
            "user_view_type": "public",
            "site_admin": False,
        }

    def repo(self, repo: Repository, full: bool = False) -> dict[str, Any]:
        """A repository (the minimal shape in lists, the full one alone)."""
        url = f"{self.api}/repos/{repo.full_name}"
        out: dict[str, Any] = {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": True,
            "owner": self.org(),
            "html_url": f"{self.web}/{repo.full_name}",
            "description": repo.description,
            "fork": False,
            "url": url,
            "pulls_url": f"{url}/pulls{{/number}}",
            "issues_url": f"{url}/issues{{/number}}",
            "commits_url": f"{url}/commits{{/sha}}",
            "compare_url": f"{url}/compare/{{base}}...{{head}}",
            "deployments_url": f"{url}/deployments",
            "releases_url": f"{url}/releases{{/id}}",
            "created_at": iso(repo.created_at),
            "updated_at": iso(repo.pushed_at),
            "pushed_at": iso(repo.pushed_at),
            "language": repo.language,
            "archived": False,
            "disabled": False,
            "visibility": "private",
            "default_branch": repo.default_branch,
            "topics": [repo.team],
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
        }
        if full:
            out["organization"] = self.org()
            out["open_issues_count"] = sum(1 for i in repo.issues if i.state == "open") + sum(
                1 for p in repo.pulls if p.state == "open"
            )
            out["has_issues"] = True
        return out

    def _branch(self, repo: Repository, ref: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo.owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.org(),
            "repo": self.repo(repo),
        }

    def _main_head_at(self, repo: Repository, at: datetime) -> str:
        times = self.ds.cached(("main_times", repo.name), lambda: [c.committed_at for c in repo.main])
        return repo.main[max(0, bisect_right(times, at) - 1)].sha

    def label(self, repo: Repository, name: str) -> dict[str, Any]:
        """An issue label."""
        ident = 5_000_000 + sum(ord(c) * (i + 1) for i, c in enumerate(name.lower()))
        return {
            "id": ident,
            "node_id": node_id("Label", ident),
            "url": f"{self.api}/repos/{repo.full_name}/labels/{name}",
            "name": name,
            "color": LABEL_COLORS.get(name.lower(), "ededed"),
            "default": name in ("bug", "enhancement", "question"),
            "description": None,
        }

    def pull(self, repo: Repository, pr: PullRequest, full: bool = False) -> dict[str, Any]:
        """A pull request (list shape, or the single-PR shape with counts and merge fields)."""
        url = f"{self.api}/repos/{repo.full_name}/pulls/{pr.number}"
        issue_url = f"{self.api}/repos/{repo.full_name}/issues/{pr.number}"
        html = f"{self.web}/{repo.full_name}/pull/{pr.number}"
        out: dict[str, Any] = {
            "url": url,
            "id": pr.id,
            "node_id": node_id("PullRequest", pr.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue_url,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{self.api}/repos/{repo.full_name}/pulls/comments{{/number}}",
            "comments_url": f"{issue_url}/comments",
            "statuses_url": f"{self.api}/repos/{repo.full_name}/statuses/{pr.head_sha}",
            "number": pr.number,
            "state": pr.state,
            "locked": False,
            "title": pr.title,
            "user": self.user(pr.user),
            "body": pr.body,
            "labels": [self.label(repo, name) for name in pr.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": iso(pr.created_at),
            "updated_at": iso(pr.updated_at),
            "closed_at": iso(pr.closed_at),
            "merged_at": iso(pr.merged_at),
            # Like GitHub, unmerged PRs still carry the sha of a test merge that is not on any branch.
            "merge_commit_sha": pr.merge_commit_sha or sha_of(repo.full_name, "test-merge", pr.id),
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self._branch(repo, pr.head_ref, pr.head_sha),
            "base": self._branch(repo, pr.base_ref, self._main_head_at(repo, pr.created_at)),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "issue": {"href": issue_url},
                "comments": {"href": f"{issue_url}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "commits": {"href": f"{url}/commits"},
            },
            "author_association": "MEMBER",
            "auto_merge": None,
            "draft": pr.draft,
        }
        if full:
            out.update(
                merged=pr.merged,
                mergeable=None if pr.state == "closed" else True,
                rebaseable=None if pr.state == "closed" else True,
                mergeable_state="unknown" if pr.state == "closed" else "clean",
                merged_by=self.user(pr.merged_by),
                comments=0,
                review_comments=len(pr.comments),
                maintainer_can_modify=False,
                commits=len(pr.commits),
                additions=pr.additions,
                deletions=pr.deletions,
                changed_files=pr.changed_files,
            )
        return out

    def review(self, repo: Repository, pr: PullRequest, review: Review) -> dict[str, Any]:
        """A pull-request review."""
        html = f"{self.web}/{repo.full_name}/pull/{pr.number}#pullrequestreview-{review.id}"
        pr_url = f"{self.api}/repos/{repo.full_name}/pulls/{pr.number}"
        return {
            "id": review.id,
            "node_id": node_id("PullRequestReview", review.id),
            "user": self.user(review.user),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": pr_url,
            "author_association": "MEMBER",
            "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
            "submitted_at": iso(review.submitted_at),
            "commit_id": review.commit_id,
        }

    def review_comment(self, repo: Repository, pr: PullRequest, c: ReviewComment) -> dict[str, Any]:
        """A review comment."""
        url = f"{self.api}/repos/{repo.full_name}/pulls/comments/{c.id}"
        html = f"{self.web}/{repo.full_name}/pull/{pr.number}#discussion_r{c.id}"
        pr_url = f"{self.api}/repos/{repo.full_name}/pulls/{pr.number}"
        return {
            "url": url,
            "pull_request_review_id": c.review_id,
            "id": c.id,
            "node_id": node_id("PullRequestReviewComment", c.id),
            "diff_hunk": f"@@ -{c.line},3 +{c.line},4 @@",
            "path": c.path,
            "position": 1,
            "original_position": 1,
            "commit_id": c.commit_id,
            "original_commit_id": c.commit_id,
            "user": self.user(c.user),
            "body": c.body,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "html_url": html,
            "pull_request_url": pr_url,
            "author_association": "MEMBER",
            "_links": {"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pr_url}},
            "line": c.line,
            "original_line": c.line,
            "side": "RIGHT",
            "subject_type": "line",
        }

    def _git_person(self, login: str, when: datetime) -> dict[str, Any]:
        if login == "web-flow":
            return {"name": "GitHub", "email": "noreply@github.com", "date": iso(when)}
        person = self.ds.people.get(login)
        name, email = (person.name, person.email) if person else (login, f"{login}@users.noreply.github.com")
        return {"name": name, "email": email, "date": iso(when)}

    def commit(self, repo: Repository, c: Commit) -> dict[str, Any]:
        """A commit as listed by /commits, /pulls/{n}/commits and compare."""
        url = f"{self.api}/repos/{repo.full_name}/commits/{c.sha}"
        html = f"{self.web}/{repo.full_name}/commit/{c.sha}"
        return {
            "sha": c.sha,
            "node_id": node_id("Commit", int(c.sha[:8], 16)),
            "commit": {
                "author": self._git_person(c.author, c.authored_at),
                "committer": self._git_person(c.committer, c.committed_at),
                "message": c.message,
                "tree": {"sha": c.sha[::-1], "url": f"{self.api}/repos/{repo.full_name}/git/trees/{c.sha[::-1]}"},
                "url": f"{self.api}/repos/{repo.full_name}/git/commits/{c.sha}",
                "comment_count": 0,
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None},
            },
            "url": url,
            "html_url": html,
            "comments_url": f"{url}/comments",
            "author": self.user(c.author),
            "committer": self.user(c.committer),
            "parents": [
                {
                    "sha": p,
                    "url": f"{self.api}/repos/{repo.full_name}/commits/{p}",
                    "html_url": f"{self.web}/{repo.full_name}/commit/{p}",
                }
                for p in c.parents
            ],
        }

    def issue(self, repo: Repository, issue: Issue | PullRequest) -> dict[str, Any]:
        """An issue; pull requests appear too, with a `pull_request` key, as on GitHub."""
        url = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        is_pr = isinstance(issue, PullRequest)
        html = f"{self.web}/{repo.full_name}/{'pull' if is_pr else 'issues'}/{issue.number}"
        ident = issue.issue_id if isinstance(issue, PullRequest) else issue.id
        out: dict[str, Any] = {
            "url": url,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": html,
            "id": ident,
            "node_id": node_id("Issue", ident),
            "number": issue.number,
            "title": issue.title,
            "user": self.user(issue.user),
            "labels": [self.label(repo, name) for name in issue.labels],
            "state": issue.state,
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": 0,
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author_association": "MEMBER",
            "active_lock_reason": None,
            "body": issue.body,
            "state_reason": ("completed" if issue.closed_at else None) if not is_pr else None,
        }
        if isinstance(issue, PullRequest):
            pr_url = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
            out["draft"] = issue.draft
            out["pull_request"] = {
                "url": pr_url,
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": iso(issue.merged_at),
            }
        return out

    def deployment(self, repo: Repository, dep: Deployment) -> dict[str, Any]:
        """A deployment."""
        url = f"{self.api}/repos/{repo.full_name}/deployments/{dep.id}"
        return {
            "url": url,
            "id": dep.id,
            "node_id": node_id("Deployment", dep.id),
            "sha": dep.sha,
            "ref": dep.ref,
            "task": "deploy",
            "payload": {},
            "original_environment": dep.environment,
            "environment": dep.environment,
            "description": dep.description,
            "creator": self.user(dep.creator),
            "created_at": iso(dep.created_at),
            "updated_at": iso(dep.updated_at),
            "statuses_url": f"{url}/statuses",
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "transient_environment": False,
            "production_environment": dep.environment == "production",
            "performed_via_github_app": None,
        }

    def deployment_status(self, repo: Repository, dep: Deployment, status: DeploymentStatus) -> dict[str, Any]:
        """A deployment status."""
        dep_url = f"{self.api}/repos/{repo.full_name}/deployments/{dep.id}"
        log_url = f"{self.web}/{repo.full_name}/actions/runs/{dep.id}"
        return {
            "url": f"{dep_url}/statuses/{status.id}",
            "id": status.id,
            "node_id": node_id("DeploymentStatus", status.id),
            "state": status.state,
            "creator": self.user(dep.creator),
            "description": status.description,
            "environment": dep.environment,
            "target_url": log_url,
            "log_url": log_url,
            "environment_url": "",
            "created_at": iso(status.created_at),
            "updated_at": iso(status.created_at),
            "deployment_url": dep_url,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "performed_via_github_app": None,
        }

    def release(self, repo: Repository, rel: Release) -> dict[str, Any]:
        """A release."""
        url = f"{self.api}/repos/{repo.full_name}/releases/{rel.id}"
        return {
            "url": url,
            "html_url": f"{self.web}/{repo.full_name}/releases/tag/{rel.tag_name}",
            "assets_url": f"{url}/assets",
            "upload_url": f"{url}/assets{{?name,label}}",
            "tarball_url": f"{self.api}/repos/{repo.full_name}/tarball/{rel.tag_name}",
            "zipball_url": f"{self.api}/repos/{repo.full_name}/zipball/{rel.tag_name}",
            "id": rel.id,
            "node_id": node_id("Release", rel.id),
            "tag_name": rel.tag_name,
            "target_commitish": rel.target_commitish,
            "name": rel.name,
            "body": rel.body,
            "draft": rel.draft,
            "prerelease": rel.prerelease,
            "created_at": iso(rel.created_at),
            "published_at": iso(rel.published_at),
            "author": self.user(rel.author),
            "assets": [],
        }

    def _run_pulls(self, repo: Repository, run: WorkflowRun) -> list[dict[str, Any]]:
        pr = self.ds.pull(repo, run.pull_number) if run.pull_number else None
        if pr is None:
            return []
        ref = {"id": repo.id, "url": f"{self.api}/repos/{repo.full_name}", "name": repo.name}
        return [
            {
                "url": f"{self.api}/repos/{repo.full_name}/pulls/{pr.number}",
                "id": pr.id,
                "number": pr.number,
                "head": {"ref": pr.head_ref, "sha": pr.head_sha, "repo": ref},
                "base": {"ref": pr.base_ref, "sha": self._main_head_at(repo, pr.created_at), "repo": ref},
            }
        ]

    def workflow_run(self, repo: Repository, run: WorkflowRun) -> dict[str, Any]:
        """A workflow run."""
        url = f"{self.api}/repos/{repo.full_name}/actions/runs/{run.id}"
        person = self.ds.people.get(run.actor)
        who = {"name": person.name if person else run.actor, "email": person.email if person else ""}
        return {
            "id": run.id,
            "name": run.name,
            "node_id": node_id("WorkflowRun", run.id),
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
            "path": run.path,
            "display_title": run.display_title,
            "run_number": run.run_number,
            "event": run.event,
            "status": run.status,
            "conclusion": run.conclusion,
            "workflow_id": run.workflow_id,
            "check_suite_id": run.id + 1,
            "url": url,
            "html_url": f"{self.web}/{repo.full_name}/actions/runs/{run.id}",
            "pull_requests": self._run_pulls(repo, run),
            "created_at": iso(run.created_at),
            "updated_at": iso(run.updated_at),
            "actor": self.user(run.actor),
            "run_attempt": 1,
            "run_started_at": iso(run.run_started_at),
            "triggering_actor": self.user(run.actor),
            "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs",
            "workflow_url": f"{self.api}/repos/{repo.full_name}/actions/workflows/{run.workflow_id}",
            "head_commit": {
                "id": run.head_sha,
                "tree_id": run.head_sha[::-1],
                "message": run.display_title,
                "timestamp": iso(run.created_at),
                "author": who,
                "committer": who,
            },
            "repository": self.repo(repo),
            "head_repository": self.repo(repo),
        }
