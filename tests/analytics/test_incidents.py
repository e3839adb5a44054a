"""`GET /incidents` read-back: every source, by the incident rules, tenant-scoped, paged."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from pulse.analytics.incidents import service as incidents
from pulse.core.errors import InvalidInput
from tests.analytics.datasets import build_main
from tests.analytics.seed import Seed


def listing(db_session: Session, seed: Seed, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"source": None, "state": None, "repository_id": None, "team_id": None, "limit": 50}
    args.update(kwargs)
    return incidents.list_(db_session=db_session, client_id=seed.client_id, offset=args.pop("offset", 0), **args)


def test_lists_incidents_of_every_source_newest_first(db_session: Session, seed: Seed, other_seed: Seed) -> None:
    ids = build_main(seed)
    build_main(other_seed)
    result = listing(db_session, seed)
    # GitHub #100 (Feb), IB0, I1, I4, and Jira ALP-1; the 'bug' issue and the Story are not incidents.
    assert result["total"] == 5
    keys = [i["key"] for i in result["items"]]
    assert keys == ["ALP-1", "acme/api#103", "acme/api#101", "acme/web#200", "acme/api#100"]
    alp = result["items"][0]
    assert (alp["source"], alp["deployment_id"], alp["state"], alp["repository_ids"]) == (
        "jira", ids["d3"], "resolved", [ids["a"]],
    )  # fmt: skip
    assert alp["time_to_restore_hours"] == pytest.approx(24)
    assert result["items"][1]["state"] == "open"
    assert listing(db_session, seed, source="jira")["total"] == 1
    assert listing(db_session, seed, state="open")["total"] == 1
    assert listing(db_session, seed, repository_id=ids["b"])["total"] == 1
    page = listing(db_session, seed, limit=2, offset=4)
    assert (page["total"], [i["key"] for i in page["items"]]) == (5, ["acme/api#100"])


def test_incident_rules_decide_what_counts(db_session: Session, seed: Seed) -> None:
    build_main(seed)
    seed._insert(
        "incident_rules",
        {"scope": "tenant", "jira_issue_types": ["story"], "github_labels": ["bug"]},
        business=False,
    )
    keys = {i["key"] for i in listing(db_session, seed)["items"]}
    assert keys == {"ALP-2", "acme/api#101", "acme/api#102"}
    with pytest.raises(InvalidInput):
        listing(db_session, seed, source="email")
