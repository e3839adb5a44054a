"""`settings.service_mappings` of incident-tool integrations: which repositories and teams a service's
incidents are attributed to.

Shape: `[{"service": "<service id or name>", "repository_ids": [int, ...], "team_ids": [int, ...]}, ...]`.
A service matches an incident when `service` equals the incident's service id or its service name, ignoring
case. The analytics SQL (`pulse.analytics.sql.tool_incident_ctes`) applies the same rule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pulse.core.db.models import Repository, Team
from pulse.core.errors import InvalidInput

INCIDENT_TOOL_TYPES = ("pagerduty", "opsgenie")
FIELD = "settings.service_mappings"
KEYS = {"service", "repository_ids", "team_ids"}


def validate(settings: dict[str, Any]) -> None:
    """Check the mapping's shape strictly; InvalidInput names the offending field."""
    mappings = settings.get("service_mappings")
    if mappings is None:
        return
    if not isinstance(mappings, list):
        raise InvalidInput(f"{FIELD} must be a list of mappings", field=FIELD)
    seen: set[str] = set()
    for index, mapping in enumerate(mappings):
        where = f"{FIELD}[{index}]"
        if not isinstance(mapping, dict):
            raise InvalidInput(f"{where} must be an object", field=where)
        unknown = sorted(set(mapping) - KEYS)
        if unknown:
            raise InvalidInput(f"{where} has unknown keys: {', '.join(unknown)}", field=f"{where}.{unknown[0]}")
        service = mapping.get("service")
        if not isinstance(service, str) or not service.strip() or len(service) > 200:
            raise InvalidInput(f"{where}.service must be a service id or name", field=f"{where}.service")
        if service.strip().lower() in seen:
            raise InvalidInput(f"{where}.service maps {service!r} a second time", field=f"{where}.service")
        seen.add(service.strip().lower())
        for key in ("repository_ids", "team_ids"):
            _ids(mapping, key, where)
        if not mapping.get("repository_ids") and not mapping.get("team_ids"):
            raise InvalidInput(f"{where} must name repository_ids or team_ids", field=f"{where}.repository_ids")


def _ids(mapping: dict[str, Any], key: str, where: str) -> None:
    values = mapping.get(key)
    if values is None:
        return
    name = f"{where}.{key}"
    if not isinstance(values, list) or not all(type(v) is int and v > 0 for v in values):
        raise InvalidInput(f"{name} must be a list of positive integer ids", field=name)
    if len(set(values)) != len(values):
        raise InvalidInput(f"{name} lists an id twice", field=name)


def check_references(*, db_session: Session, client_id: int, settings: dict[str, Any]) -> None:
    """Every mapped repository and team exists in the tenant (another tenant's id is as unknown as a missing one)."""
    for index, mapping in enumerate(settings.get("service_mappings") or []):
        for key, model in (("repository_ids", Repository), ("team_ids", Team)):
            wanted = set(mapping.get(key) or [])
            if not wanted:
                continue
            found = set(
                db_session.execute(select(model.id).where(model.client_id == client_id, model.id.in_(wanted))).scalars()
            )
            missing = sorted(wanted - found)
            if missing:
                name = f"{FIELD}[{index}].{key}"
                raise InvalidInput(f"{name}: unknown id {missing[0]}", field=name)


def mapped(settings: dict[str, Any], service_id: str | None, service_name: str | None) -> bool:
    """Whether a service has a mapping (by id or name, ignoring case)."""
    names = {str(v).lower() for v in (service_id, service_name) if v}
    return any(str(m.get("service", "")).strip().lower() in names for m in settings.get("service_mappings") or [])
