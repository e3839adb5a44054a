"""The demo's PagerDuty integration: the simulator's PagerDuty account, each service mapped to its repository.

It is added once GitHub has synced (the mappings name repository ids), through the public integrations API,
and synced at once so the DORA dashboard's change failure rate and recovery time include its incidents. The
simulator's `Office IT` service stays unmapped, showing how unmapped services count (time to restore only).
"""

from __future__ import annotations

from typing import Any

import httpx

from pulse.sim.config import DEFAULT_PAGERDUTY_TOKEN

NAME = "PagerDuty (simulated)"


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} answered {response.text}")
    return dict(response.json())


def ensure_pagerduty(http: httpx.Client, etl: str, headers: dict[str, str], sim_url: str) -> int | None:
    """Create (or re-point) the demo's PagerDuty integration and start its sync; the job run id, if started."""
    repositories = _json(http.get(f"{etl}/api/v1/repositories", params={"limit": 500}, headers=headers))["items"]
    integrations = _json(http.get(f"{etl}/api/v1/integrations", headers=headers))["items"]
    github = {i["id"] for i in integrations if i["type"] == "github"}
    # The simulator names each PagerDuty service after the GitHub repository it runs (the demo's GitLab projects
    # are generated from the same names, so they are left out: a service maps once).
    mappings = [
        {"service": r["full_name"].split("/")[-1], "repository_ids": [r["id"]]}
        for r in sorted(repositories, key=lambda r: r["id"])
        if r["integration_id"] in github
    ]
    body = {
        "type": "pagerduty",
        "name": NAME,
        "base_url": f"{sim_url}/pagerduty",
        "credentials": {"token": DEFAULT_PAGERDUTY_TOKEN},
        "settings": {"service_mappings": mappings},
    }
    existing = {i["name"]: i for i in integrations}
    current = existing.get(NAME)
    if current is None:
        current = _json(http.post(f"{etl}/api/v1/integrations", json=body, headers=headers))
    elif current["base_url"] != body["base_url"]:
        patch = {"base_url": body["base_url"], "credentials": body["credentials"]}
        current = _json(http.patch(f"{etl}/api/v1/integrations/{current['id']}", json=patch, headers=headers))
    started = http.post(f"{etl}/api/v1/integrations/{current['id']}/sync", headers=headers)
    return int(_json(started)["job_run_id"]) if started.status_code != 409 else None
