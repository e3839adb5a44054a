"""DORA with incidents from PagerDuty (service mappings), a deactivated Opsgenie and a pushed row: hand-computed.

March 2026, repositories `acme/api` (A) and `acme/web` (W, team Payments). Successful production deployments:
A d1 Mar 2 10:00, d2 Mar 10 10:00, d3 Mar 20 10:00; W w1 Mar 5 12:00, w2 Mar 15 12:00 (5 deployments).
PagerDuty maps service `PAPI` to A and `Web Frontend` (by name) to team Payments:
  i1 PAPI opened Mar 2 12:00, resolved 16:00 -> d1, recovery 6 h, restore 4 h
  i2 "web frontend" opened Mar 15 13:00, resolved Mar 16 00:00 -> w2, recovery 12 h, restore 11 h
  i3 unmapped `PIT` opened Mar 12 00:00, resolved 02:00 -> no deployment, restore 2 h (tenant-wide only)
  i4 PAPI opened Mar 21 09:00, open -> d3 (failed, no recovery yet)
A pushed row naming W: opened Mar 5 13:00, resolved 15:00 -> w1, recovery 3 h, restore 2 h.
A deactivated Opsgenie integration maps A and has an incident right after d2: it counts nowhere.
So: failed d1, d3, w1, w2 -> CFR 4/5; recovery 3, 6, 12 -> median 6 h; restore 2, 2, 4, 11 -> median 3 h.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pulse.analytics.dora import service as dora
from pulse.analytics.incidents import service as incident_listing
from pulse.analytics.period import Filters, parse_period
from pulse.analytics.refresh import refresh_tenant
from tests.analytics.seed import Seed, at

MARCH = parse_period(date(2026, 3, 1), date(2026, 3, 31), None)


@pytest.fixture(params=["facts", "live"])
def live(request: pytest.FixtureRequest) -> bool:
    """Every case runs on the pre-aggregated facts and live from the rows."""
    return bool(request.param == "live")


def tool_integration(seed: Seed, kind: str, mappings: list[dict[str, Any]], active: bool = True) -> int:
    return seed._insert(
        "integrations",
        {"type": kind, "name": kind, "base_url": "http://127.0.0.1:1", "active": active,
         "settings": json.dumps({"service_mappings": mappings})},
        business=False,
    )  # fmt: skip


def incident(
    seed: Seed,
    integration: int,
    source: str,
    opened: datetime,
    resolved: datetime | None,
    *,
    service_id: str | None = None,
    service_name: str | None = None,
    repository_id: int | None = None,
) -> int:
    return seed._insert(
        "incidents",
        {
            "integration_id": integration,
            "source": source,
            "key": f"K-{opened:%d%H}",
            "title": "Outage",
            "status": "resolved" if resolved else "triggered",
            "service_id": service_id,
            "service_name": service_name,
            "repository_id": repository_id,
            "opened_at": opened,
            "resolved_at": resolved,
            "source_updated_at": resolved or opened,
        },
    )


def build(seed: Seed) -> dict[str, int]:
    api, web = seed.repo("acme/api"), seed.repo("acme/web")
    payments = seed.team("Payments", repos=(web,))
    ids = {"api": api, "web": web, "payments": payments}
    ids["d1"] = seed.deployment(api, at(3, 2, 10))
    ids["d2"] = seed.deployment(api, at(3, 10, 10))
    ids["d3"] = seed.deployment(api, at(3, 20, 10))
    ids["w1"] = seed.deployment(web, at(3, 5, 12))
    ids["w2"] = seed.deployment(web, at(3, 15, 12))
    seed.deployment(api, at(3, 11, 10), environment="staging")
    pd = tool_integration(
        seed,
        "pagerduty",
        [{"service": "PAPI", "repository_ids": [api]}, {"service": "Web Frontend", "team_ids": [payments]}],
    )
    ids["pd"] = pd
    incident(seed, pd, "pagerduty", at(3, 2, 12), at(3, 2, 16), service_id="PAPI", service_name="API")
    incident(seed, pd, "pagerduty", at(3, 15, 13), at(3, 16), service_id="PWEB", service_name="web frontend")
    incident(seed, pd, "pagerduty", at(3, 12), at(3, 12, 2), service_id="PIT", service_name="Office IT")
    incident(seed, pd, "pagerduty", at(3, 21, 9), None, service_id="PAPI", service_name="API")
    og = tool_integration(seed, "opsgenie", [{"service": "og-api", "repository_ids": [api]}], active=False)
    incident(seed, og, "opsgenie", at(3, 10, 11), at(3, 10, 12), service_id="og-api")
    push = seed._insert("integrations", {"type": "push", "name": "CI", "base_url": "http://127.0.0.1:1"},
                        business=False)  # fmt: skip
    ids["push"] = push
    incident(seed, push, "push", at(3, 5, 13), at(3, 5, 15), repository_id=web)
    return ids


def summary(db_session: Session, seed: Seed, live: bool, **filters: Any) -> dict[str, Any]:
    if not live:
        refresh_tenant(db_session=db_session, client_id=seed.client_id)
    return dora.summary(
        db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id, **filters), live=live
    )


def test_incident_tools_and_pushed_rows_count_in_cfr_and_recovery(db_session: Session, seed: Seed, live: bool) -> None:
    build(seed)
    result = summary(db_session, seed, live)
    cfr = result["change_failure_rate"]
    assert (cfr["failed_deployments"], cfr["deployments"]) == (4, 5)
    assert cfr["rate"] == pytest.approx(0.8)
    recovery = result["failed_deployment_recovery_time"]
    assert (recovery["incidents"], recovery["median_hours"]) == (3, pytest.approx(6.0))
    restore = result["time_to_restore"]
    assert (restore["incidents"], restore["median_hours"]) == (4, pytest.approx(3.0))


def test_mappings_scope_incidents_to_repositories_and_teams(db_session: Session, seed: Seed, live: bool) -> None:
    ids = build(seed)
    api = summary(db_session, seed, live, repository_id=ids["api"])
    assert (api["change_failure_rate"]["failed_deployments"], api["change_failure_rate"]["deployments"]) == (2, 3)
    assert api["failed_deployment_recovery_time"]["median_hours"] == pytest.approx(6.0)
    # Only i1 is resolved and mapped to the API; the unmapped incident is not in a repository's scope.
    assert (api["time_to_restore"]["incidents"], api["time_to_restore"]["median_hours"]) == (1, pytest.approx(4.0))
    team = summary(db_session, seed, live, team_id=ids["payments"])
    assert team["change_failure_rate"]["failed_deployments"] == 2
    assert team["failed_deployment_recovery_time"]["median_hours"] == pytest.approx(7.5)


def test_a_deactivated_integration_leaves_the_metrics_at_once(db_session: Session, seed: Seed, live: bool) -> None:
    ids = build(seed)
    summary(db_session, seed, live)  # facts built while PagerDuty is active
    seed.execute("UPDATE integrations SET active = false WHERE id = :i", i=ids["pd"])
    # No rebuild: the facts re-check the integration's flag when read.
    result = dora.summary(db_session=db_session, period=MARCH, filters=Filters(client_id=seed.client_id), live=live)
    assert result["change_failure_rate"]["failed_deployments"] == 1  # only the pushed incident's w1
    assert result["failed_deployment_recovery_time"]["median_hours"] == pytest.approx(3.0)


def test_incident_listing_shows_every_source_with_its_attribution(db_session: Session, seed: Seed) -> None:
    ids = build(seed)
    args: dict[str, Any] = {"state": None, "repository_id": None, "team_id": None, "limit": 50, "offset": 0}
    everything = incident_listing.list_(db_session=db_session, client_id=seed.client_id, source=None, **args)
    assert everything["total"] == 5
    by_source = {i["source"] for i in everything["items"]}
    assert by_source == {"pagerduty", "push"}
    pd = incident_listing.list_(db_session=db_session, client_id=seed.client_id, source="pagerduty", **args)
    attributed = {(i["opened_at"], i["deployment_id"], tuple(i["repository_ids"])) for i in pd["items"]}
    assert attributed == {
        (at(3, 2, 12), ids["d1"], (ids["api"],)),
        (at(3, 15, 13), ids["w2"], (ids["web"],)),
        (at(3, 12), None, ()),
        (at(3, 21, 9), ids["d3"], (ids["api"],)),
    }
    pushed = incident_listing.list_(db_session=db_session, client_id=seed.client_id, source="push", **args)
    assert [(i["deployment_id"], i["repository_ids"]) for i in pushed["items"]] == [(ids["w1"], [ids["web"]])]
