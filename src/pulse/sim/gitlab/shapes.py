"""GitLab REST v4 JSON shapes of the group's objects (the fields GitLab documents, trimmed to what matters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pulse.sim.gitlab import world
from pulse.sim.model import Commit, Deployment, Issue, PullRequest, Repository, WorkflowRun
from pulse.sim.store import Dataset


def iso(value: datetime | None) -> str | None:
    """GitLab's timestamp format (milliseconds, `Z`)."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Shapes:
    """Renders the group's objects with links under one web root (`http://host/gitlab`)."""

    def __init__(self, ds: Dataset, web: str) -> None:
        self.ds = ds
        self.web = web

    def user(self, login: str | None) -> dict[str, Any] | None:
        """A user as GitLab embeds it (`author`, `merged_by`...)."""
        if login is None:
            return None
        person = self.ds.people.get(login)
        ident = person.id if person else 90_000 + sum(map(ord, login))
        return {
            "id": ident,
            "username": login,
            "name": person.name if person else login,
            "state": "active",
            "avatar_url": f"{self.web}/uploads/-/system/user/avatar/{ident}/avatar.png",
            "web_url": f"{self.web}/{login}",
        }

    def group(self, group: world.Group) -> dict[str, Any]:
        """A group or subgroup."""
        return {
            "id": group.id,
            "name": group.name,
            "path": group.path,
            "full_name": group.name,
            "full_path": group.full_path,
            "parent_id": group.parent_id,
            "visibility": "private",
            "web_url": f"{self.web}/groups/{group.full_path}",
        }

    def project(self, repo: Repository) -> dict[str, Any]:
        """A project."""
        path = world.project_path(self.ds, repo)
        namespace = path.rsplit("/", 1)[0]
        return {
            "id": repo.id,
            "description": repo.description,
            "name": repo.name,
            "name_with_namespace": path.replace("/", " / "),
            "path": repo.name,
            "path_with_namespace": path,
            "created_at": iso(repo.created_at),
            "last_activity_at": iso(repo.pushed_at),
            "default_branch": repo.default_branch,
            "visibility": "private",
            "archived": False,
            "web_url": f"{self.web}/{path}",
            "namespace": {"id": 0, "name": namespace, "path": namespace.rsplit("/", 1)[-1], "kind": "group",
                          "full_path": namespace},
        }  # fmt: skip

    def merge_request(self, repo: Repository, pr: PullRequest) -> dict[str, Any]:
        """A merge request in the list shape (no size figures, like GitLab's list)."""
        state = world.mr_state(pr)
        return {
            "id": pr.id,
            "iid": pr.number,
            "project_id": repo.id,
            "title": ("Draft: " if pr.draft else "") + pr.title,
            "description": pr.body,
            "state": state,
            "created_at": iso(pr.created_at),
            "updated_at": iso(pr.updated_at),
            "merged_at": iso(pr.merged_at),
            "closed_at": iso(pr.closed_at) if state == "closed" else None,
            "merged_by": self.user(pr.merged_by) if pr.merged_at else None,
            "merge_user": self.user(pr.merged_by) if pr.merged_at else None,
            "closed_by": None,
            "target_branch": pr.base_ref,
            "source_branch": pr.head_ref,
            "author": self.user(pr.user),
            "draft": pr.draft,
            "work_in_progress": pr.draft,
            "labels": list(pr.labels),
            "sha": pr.head_sha,
            "merge_commit_sha": pr.merge_commit_sha if pr.merged_at else None,
            "squash_commit_sha": None,
            "squash": False,
            "user_notes_count": sum(1 for n in world.mr_notes(pr) if not n.system),
            "references": {"short": f"!{pr.number}", "full": f"{world.project_path(self.ds, repo)}!{pr.number}"},
            "web_url": f"{self.web}/{world.project_path(self.ds, repo)}/-/merge_requests/{pr.number}",
        }

    def approvals(self, repo: Repository, pr: PullRequest) -> dict[str, Any]:
        """The `/approvals` answer: who approved (GitLab gives no approval times here)."""
        users = world.approvers(pr)
        return {
            "id": pr.id,
            "iid": pr.number,
            "project_id": repo.id,
            "title": pr.title,
            "state": world.mr_state(pr),
            "approved": bool(users),
            "approvals_required": 1,
            "approvals_left": 0 if users else 1,
            "approved_by": [{"user": self.user(u)} for u in users],
        }

    def note(self, pr: PullRequest, note: world.Note) -> dict[str, Any]:
        """A merge-request note."""
        return {
            "id": note.id,
            "type": note.type,
            "body": note.body,
            "author": self.user(note.author),
            "created_at": iso(note.created_at),
            "updated_at": iso(note.updated_at),
            "system": note.system,
            "noteable_id": pr.id,
            "noteable_type": "MergeRequest",
            "noteable_iid": pr.number,
            "resolvable": note.type == "DiffNote",
            "internal": False,
        }

    def commit(self, repo: Repository, commit: Commit) -> dict[str, Any]:
        """A commit (authors by name and e-mail: GitLab commits carry no usernames)."""
        author = self.ds.people.get(commit.author)
        committer = self.ds.people.get(commit.committer)
        return {
            "id": commit.sha,
            "short_id": commit.sha[:8],
            "created_at": iso(commit.committed_at),
            "parent_ids": list(commit.parents),
            "title": world.commit_title(commit),
            "message": commit.message,
            "author_name": author.name if author else commit.author,
            "author_email": author.email if author else f"{commit.author}@users.noreply.example.com",
            "authored_date": iso(commit.authored_at),
            "committer_name": committer.name if committer else commit.committer,
            "committer_email": committer.email if committer else f"{commit.committer}@users.noreply.example.com",
            "committed_date": iso(commit.committed_at),
            "web_url": f"{self.web}/{world.project_path(self.ds, repo)}/-/commit/{commit.sha}",
        }

    def diffs(self, pr: PullRequest) -> list[dict[str, Any]]:
        """The merge request's file diffs, spreading its added and deleted lines over its changed files."""
        files = max(0, pr.changed_files)
        out = []
        for index in range(files):
            adds = pr.additions // files + (1 if index < pr.additions % files else 0)
            dels = pr.deletions // files + (1 if index < pr.deletions % files else 0)
            text = f"@@ -1,{dels} +1,{adds} @@\n" + "-old line\n" * dels + "+new line\n" * adds
            path = f"src/module_{index}.py"
            out.append({"old_path": path, "new_path": path, "a_mode": "100644", "b_mode": "100644", "diff": text,
                        "new_file": dels == 0, "renamed_file": False, "deleted_file": False})  # fmt: skip
        return out

    def environment(self, repo: Repository, name: str) -> dict[str, Any]:
        """An environment with its deployment tier."""
        return {
            "id": world.environment_id(repo, name),
            "name": name,
            "slug": name,
            "external_url": None,
            "state": "available",
            "tier": world.environment_tier(name),
        }

    def deployment(self, repo: Repository, dep: Deployment) -> dict[str, Any]:
        """A deployment with its environment and deployable job."""
        status = world.deployment_status(dep)
        return {
            "id": dep.id,
            "iid": dep.id % 100_000,
            "ref": dep.ref if dep.ref != dep.sha else repo.default_branch,
            "sha": dep.sha,
            "created_at": iso(dep.created_at),
            "updated_at": iso(dep.updated_at),
            "finished_at": iso(dep.finished_at) if status in ("success", "failed", "canceled") else None,
            "status": status,
            "user": self.user(dep.creator),
            "environment": self.environment(repo, dep.environment),
            "deployable": {"id": dep.id + 1, "status": status, "stage": "deploy", "name": f"deploy:{dep.environment}",
                           "ref": repo.default_branch, "tag": False},
        }  # fmt: skip

    def pipeline(self, repo: Repository, run: WorkflowRun) -> dict[str, Any]:
        """A pipeline in the list shape."""
        ref = repo.default_branch if run.event != "pull_request" else f"refs/merge-requests/{run.pull_number}/head"
        return {
            "id": run.id,
            "iid": run.run_number,
            "project_id": repo.id,
            "sha": run.head_sha,
            "ref": ref,
            "status": world.pipeline_status(run),
            "source": world.pipeline_source(run),
            "name": run.name,
            "created_at": iso(run.created_at),
            "updated_at": iso(run.updated_at),
            "web_url": f"{self.web}/{world.project_path(self.ds, repo)}/-/pipelines/{run.id}",
        }

    def issue(self, repo: Repository, issue: Issue) -> dict[str, Any]:
        """An issue; incidents are GitLab incidents (`issue_type: incident`) and carry the `incident` label."""
        return {
            "id": issue.id,
            "iid": issue.number,
            "project_id": repo.id,
            "title": issue.title,
            "description": issue.body,
            "state": "opened" if issue.state == "open" else "closed",
            "labels": list(issue.labels),
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author": self.user(issue.user),
            "issue_type": "incident" if issue.is_incident else "issue",
            "type": "INCIDENT" if issue.is_incident else "ISSUE",
            "web_url": f"{self.web}/{world.project_path(self.ds, repo)}/-/issues/{issue.number}",
        }
