"""DORA on one tenant fed by GitHub, GitLab and PagerDuty at once: every expected value worked out by hand.

The GitHub repository and the GitLab project of `test_gitlab_mixed.build_mixed` (one team spans both), plus a
PagerDuty integration whose service `PSHOP` maps to the GitLab project and `PAPI` to the team:

  deployments (successful, production): DG1 Mar 2 12:00, DG2 Mar 4 00:00 (GitHub deployments of acme/api),
                                        PL1 Mar 5 12:00, PL2 Mar 10 00:00 (GitLab pipelines of acme-gl/shop/web)
  incidents                            attributed to   recovery (resolved - deployment finished)
    GitHub issue #10  Mar 4 06-08 h     DG2             8 h
    GitLab incident #7 Mar 11 00-04 h   PL2             28 h
    PD PSHOP  Mar 5 13:00 - 20:00       PL1             8 h
    PD PSHOP  Mar 10 06:00 - 10:00      PL2             10 h
    PD PAPI (team: both repos) Mar 1 06:00 - 07:00: before every deployment -> unattributed (restore 1 h only)
    PD PIT (no mapping) Mar 6 00:00 - 02:00: tenant-wide time to restore only (2 h)
  => CFR 3 of 4 (DG2, PL1, PL2); recovery 8, 8, 10, 28 -> median 9, p75 10 + 0.25 * 18 = 14.5, 4 incidents;
     time to restore (2021, opened in March): 2, 4, 7, 4, 1, 2 h -> median 3 h over 6 incidents.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.analytics.seed import Seed, at
from tests.analytics.test_dora import metrics, mode  # noqa: F401  (the facts/live fixture runs each case twice)
from tests.analytics.test_gitlab_mixed import build_mixed
from tests.analytics.test_incident_tools import incident, tool_integration


def build_three_sources(seed: Seed) -> dict[str, int]:
    """GitHub and GitLab as in `build_mixed`, and a PagerDuty integration mapping one service to each side."""
    ids = build_mixed(seed)
    pd = tool_integration(
        seed,
        "pagerduty",
        [{"service": "PSHOP", "repository_ids": [ids["l"]]}, {"service": "PAPI", "team_ids": [ids["mixed"]]}],
    )
    incident(seed, pd, "pagerduty", at(3, 5, 13), at(3, 5, 20), service_id="PSHOP", service_name="Shop")
    incident(seed, pd, "pagerduty", at(3, 10, 6), at(3, 10, 10), service_id="PSHOP", service_name="Shop")
    incident(seed, pd, "pagerduty", at(3, 1, 6), at(3, 1, 7), service_id="PAPI", service_name="API")
    incident(seed, pd, "pagerduty", at(3, 6), at(3, 6, 2), service_id="PIT", service_name="Office IT")
    return ids


def test_dora_over_github_gitlab_and_pagerduty_together(db_session: Session, seed: Seed) -> None:
    ids = build_three_sources(seed)
    m = metrics(db_session, seed)
    df = m["deployment_frequency"]
    assert (df["deployments"], df["deployment_days"]) == (4, 4)
    cfr = m["change_failure_rate"]
    assert (cfr["failed_deployments"], cfr["deployments"], cfr["rate"]) == (3, 4, 0.75)
    rec = m["failed_deployment_recovery_time"]
    assert (rec["incidents"], rec["median_hours"], rec["p75_hours"]) == (4, pytest.approx(9), pytest.approx(14.5))
    restore = m["time_to_restore"]
    assert (restore["incidents"], restore["median_hours"]) == (6, pytest.approx(3))

    # The team spans both sides, so it sees everything but the unmapped service's incident.
    team = metrics(db_session, seed, team_id=ids["mixed"])
    assert team["change_failure_rate"]["failed_deployments"] == 3
    assert team["failed_deployment_recovery_time"]["median_hours"] == pytest.approx(9)
    assert team["time_to_restore"]["incidents"] == 5

    # The GitLab project alone: PL1 and PL2 both failed (PagerDuty and GitLab incidents); recovery 8, 10, 28.
    gitlab = metrics(db_session, seed, repository_id=ids["l"])
    assert gitlab["change_failure_rate"]["rate"] == 1.0
    assert gitlab["failed_deployment_recovery_time"]["median_hours"] == pytest.approx(10)
