"""DORA on a tenant mixing GitHub and GitLab: one team spans a GitHub repository and a GitLab project.

The GitLab project's rows are shaped as the GitLab connector writes them (merge requests as pull requests,
pipelines as `pipeline` deployments, issues with labels); every expected value was worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from pulse.analytics.config import schemas
from pulse.analytics.config import service as config
from pulse.analytics.incidents import service as incidents
from tests.analytics.seed import Seed, at
from tests.analytics.test_dora import metrics, mode  # noqa: F401  (the facts/live fixture runs each case twice)


def build_mixed(seed: Seed) -> dict[str, int]:
    """GitHub `acme/api` deploying by deployments; GitLab `acme-gl/shop/web` deploying by pipelines."""
    gl = seed.integration("gitlab")
    seed.execute('UPDATE integrations SET settings = \'{"deployment_source": "pipeline"}\' WHERE id = :i', i=gl)
    g = seed.repo("acme/api")
    lab = seed._insert(
        "repositories", {"integration_id": gl, "full_name": "acme-gl/shop/web", "owner": "acme-gl/shop", "name": "web"}
    )
    ids = {"gitlab": gl, "g": g, "l": lab}
    # GitHub: PR g1 (26 h to DG1), PR g2 (24 h to DG2).
    g1 = seed.pr(g, 1, first_commit_at=at(3, 1, 10), opened_at=at(3, 1, 11), merged_at=at(3, 2, 10))
    g2 = seed.pr(g, 2, first_commit_at=at(3, 3, 0), opened_at=at(3, 3, 1), merged_at=at(3, 3, 12))
    ids["dg1"] = seed.deployment(g, at(3, 2, 12), prs=(g1,))
    ids["dg2"] = seed.deployment(g, at(3, 4, 0), prs=(g2,))
    # GitLab: MR !1 (12 h to PL1), MR !2 (96 h to PL2), shipped by default-branch pipelines.
    l1 = seed.pr(lab, 1, first_commit_at=at(3, 5, 0), opened_at=at(3, 5, 1), merged_at=at(3, 5, 6))
    l2 = seed.pr(lab, 2, first_commit_at=at(3, 6, 0), opened_at=at(3, 6, 1), merged_at=at(3, 9, 0))
    ids["pl1"] = seed.deployment(lab, at(3, 5, 12), source="pipeline", prs=(l1,))
    ids["pl2"] = seed.deployment(lab, at(3, 10, 0), source="pipeline", prs=(l2,))
    # Not counted for the GitLab project: a GitLab deployment (its integration deploys by pipelines), a failed
    # pipeline; for the GitHub repository: a pipeline row (its source stays `deployment`).
    ids["dl"] = seed.deployment(lab, at(3, 7, 0))
    seed.deployment(lab, at(3, 8, 0), source="pipeline", status="failure")
    seed.deployment(g, at(3, 8, 12), source="pipeline")
    # Incidents: a GitHub issue 6 h after DG2 (resolved 8 h after it), a GitLab incident a day after PL2
    # (resolved 28 h after it); a GitLab bug is no incident.
    ids["ig"] = seed.gh_issue(g, 10, at(3, 4, 6), at(3, 4, 8))
    ids["il"] = seed._insert(
        "github_issues",
        {"integration_id": gl, "repository_id": lab, "number": 7, "title": "Checkout down", "state": "closed",
         "labels": ["incident", "sev1"], "opened_at": at(3, 11, 0), "closed_at": at(3, 11, 4),
         "source_updated_at": at(3, 11, 4)},
    )  # fmt: skip
    seed._insert(
        "github_issues",
        {"integration_id": gl, "repository_id": lab, "number": 8, "title": "Typo", "state": "open",
         "labels": ["bug"], "opened_at": at(3, 12, 0), "source_updated_at": at(3, 12, 0)},
    )  # fmt: skip
    ids["mixed"] = seed.team("Mixed", repos=(g, lab))
    return ids


def test_dora_over_github_and_gitlab_with_the_same_definitions(db_session: Session, seed: Seed) -> None:
    ids = build_mixed(seed)
    for filters in ({}, {"team_id": ids["mixed"]}):
        m = metrics(db_session, seed, **filters)
        # DG1, DG2, PL1, PL2: 4 deployments on 4 distinct days over 31/7 weeks.
        df = m["deployment_frequency"]
        assert (df["deployments"], df["deployment_days"], df["per_week"]) == (4, 4, pytest.approx(28 / 31))
        # Lead times (h) 12, 24, 26, 96: median 25, p75 26 + 0.25 * 70, p90 26 + 0.7 * 70.
        lt = m["lead_time_for_changes"]
        assert (lt["median_hours"], lt["p75_hours"], lt["p90_hours"], lt["changes"]) == (
            pytest.approx(25), pytest.approx(43.5), pytest.approx(75), 4,
        )  # fmt: skip
        # DG2 (GitHub issue) and PL2 (GitLab incident) failed: 2 of 4.
        cfr = m["change_failure_rate"]
        assert (cfr["rate"], cfr["failed_deployments"], cfr["deployments"]) == (0.5, 2, 4)
        # Recovery 8 h and 28 h: median 18, p75 8 + 0.75 * 20, p90 8 + 0.9 * 20.
        rec = m["failed_deployment_recovery_time"]
        assert (rec["median_hours"], rec["p75_hours"], rec["p90_hours"], rec["incidents"]) == (
            pytest.approx(18), pytest.approx(23), pytest.approx(26), 2,
        )  # fmt: skip
    gitlab_only = metrics(db_session, seed, repository_id=ids["l"])
    assert gitlab_only["deployment_frequency"]["deployments"] == 2
    assert gitlab_only["change_failure_rate"]["rate"] == 0.5
    assert gitlab_only["lead_time_for_changes"]["median_hours"] == pytest.approx(54)  # 12 and 96


def test_a_deployment_rule_overrides_the_gitlab_integration_default(db_session: Session, seed: Seed) -> None:
    ids = build_mixed(seed)
    seed._insert(
        "deployment_rules",
        {"scope": "integration", "integration_id": ids["gitlab"], "source": "deployment"},
        business=False,
    )
    m = metrics(db_session, seed, repository_id=ids["l"])
    # Now the GitLab deployment DL counts, the pipelines do not; DL shipped nothing linked (no MR recorded).
    assert m["deployment_frequency"]["deployments"] == 1


def test_a_pipeline_rule_is_accepted_by_the_rules_api_and_counts_pipelines(db_session: Session, seed: Seed) -> None:
    ids = build_mixed(seed)
    config.create(
        db_session=db_session,
        client_id=seed.client_id,
        kind=config.KINDS["deployment-rules"],
        body=schemas.DeploymentRuleCreate(scope="integration", integration_id=seed.github, source="pipeline"),
    )
    db_session.commit()
    # The GitHub repository now counts its one pipeline row (8 March) instead of DG1 and DG2.
    assert metrics(db_session, seed, repository_id=ids["g"])["deployment_frequency"]["deployments"] == 1


def listing(db_session: Session, seed: Seed, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"source": None, "state": None, "repository_id": None, "team_id": None, "limit": 50}
    args.update(kwargs)
    return incidents.list_(db_session=db_session, client_id=seed.client_id, offset=0, **args)


def test_gitlab_incidents_are_listed_with_their_own_source(db_session: Session, seed: Seed) -> None:
    ids = build_mixed(seed)
    items = listing(db_session, seed)["items"]
    assert [(i["source"], i["key"]) for i in items] == [("gitlab", "acme-gl/shop/web#7"), ("github", "acme/api#10")]
    gitlab = listing(db_session, seed, source="gitlab")["items"]
    assert [(i["deployment_id"], i["time_to_restore_hours"]) for i in gitlab] == [(ids["pl2"], pytest.approx(4))]
