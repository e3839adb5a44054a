"""Integrations: validation per type, encrypted credentials, tenant-scoped reads and writes."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pulse.analytics.freshness import service as freshness_service
from pulse.core.config import Settings
from pulse.core.db.models import LIVE_JOB_STATUSES, Integration, JobRun
from pulse.core.errors import InvalidInput, NotFound
from pulse.core.logging import get_logger
from pulse.etl.connectors.base.interface import IntegrationConfig, get_connector
from pulse.etl.integrations import crypto, service_mappings
from pulse.etl.integrations.schemas import IntegrationCreate, IntegrationRead, IntegrationUpdate, LastSync
from pulse.etl.jobs import schedules
from pulse.etl.jobs import service as job_service
from pulse.etl.push import PUSH_TYPE

log = get_logger(__name__)

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ORGANIZATION = re.compile(r"^[A-Za-z0-9_.-]+$")
_PROJECT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
_GITLAB_PATH = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
REQUIRED_CREDENTIALS = {
    "github": ("token",),
    "jira": ("email", "api_token"),
    "gitlab": ("token",),
    "pagerduty": ("token",),
    "opsgenie": ("api_key",),
}
GITLAB_CHOICES = {"deployment_source": ("deployment", "pipeline"), "environment_from": ("name", "tier")}


def validate_base_url(url: str) -> str:
    """https anywhere, plain http only on loopback; returns the URL without a trailing slash."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError as exc:
        raise InvalidInput("base_url is not a valid URL", field="base_url") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput("base_url must be an http(s) URL with a host", field="base_url")
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidInput("base_url must use https (plain http only on loopback)", field="base_url")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidInput("base_url must not carry credentials, a query or a fragment", field="base_url")
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _string_list(settings: dict[str, Any], key: str, pattern: re.Pattern[str], what: str) -> None:
    if key not in settings or settings[key] is None:
        return
    values = settings[key]
    if not isinstance(values, list):
        raise InvalidInput(f"settings.{key} must be a list of {what}", field=f"settings.{key}")
    for index, value in enumerate(values):
        if not isinstance(value, str) or not pattern.match(value):
            raise InvalidInput(f"settings.{key}[{index}] must be {what}", field=f"settings.{key}")
    if len(set(values)) != len(values):
        raise InvalidInput(f"settings.{key} lists a value twice", field=f"settings.{key}")


# How the GitHub connector reads: GraphQL (the default, falling back to REST) or REST only.
GITHUB_APIS = ("graphql", "rest")


def validate_settings(type_: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Check the settings Pulse understands (other keys pass through for connectors and metrics rules)."""
    if type_ == PUSH_TYPE:
        for key in ("schedule", "sync_since"):
            if settings.get(key) is not None:
                raise InvalidInput(f"settings.{key}: push integrations do not sync", field=f"settings.{key}")
    if type_ == "github":
        _string_list(settings, "repositories", _REPOSITORY, '"owner/repo" names')
        organization = settings.get("organization")
        if organization is not None and (not isinstance(organization, str) or not _ORGANIZATION.match(organization)):
            raise InvalidInput("settings.organization must be an organisation login", field="settings.organization")
        if settings.get("api") is not None and settings["api"] not in GITHUB_APIS:
            raise InvalidInput('settings.api must be "graphql" or "rest"', field="settings.api")
    if type_ == "jira":
        _string_list(settings, "projects", _PROJECT_KEY, "project keys")
    if type_ in service_mappings.INCIDENT_TOOL_TYPES:
        service_mappings.validate(settings)
    if type_ == "gitlab":
        _string_list(settings, "groups", _GITLAB_PATH, 'group paths ("group" or "group/subgroup")')
        _string_list(settings, "projects", _GITLAB_PATH, 'project paths ("group/project")')
        if not settings.get("groups") and not settings.get("projects"):
            # Unlike Jira, GitLab has no useful "everything visible" (gitlab.com would mean every public project).
            raise InvalidInput(
                "settings.groups or settings.projects must name a group or project", field="settings.groups"
            )
        for key, choices in GITLAB_CHOICES.items():
            if settings.get(key) is not None and settings[key] not in choices:
                raise InvalidInput(f"settings.{key} must be one of {', '.join(choices)}", field=f"settings.{key}")
    since = settings.get("sync_since")
    if since is not None:
        try:
            date.fromisoformat(since[:10] if isinstance(since, str) else "")
        except ValueError as exc:
            raise InvalidInput("settings.sync_since must be an ISO date", field="settings.sync_since") from exc
    if settings.get("schedule") is not None:
        schedules.parse_schedule(settings["schedule"])
    return settings


def validate_credentials(type_: str, credentials: dict[str, str]) -> dict[str, str]:
    """The credential fields a type needs are present and non-empty."""
    if type_ == PUSH_TYPE and credentials:
        raise InvalidInput(
            "credentials: push integrations take none (callers authenticate with the push token)", field="credentials"
        )
    for key in REQUIRED_CREDENTIALS.get(type_, ()):
        if not str(credentials.get(key) or "").strip():
            raise InvalidInput(f"credentials.{key} is required for {type_}", field=f"credentials.{key}")
    return credentials


def base_url_for(type_: str, url: str) -> str:
    """A validated base URL; push integrations reach out to nothing, so theirs stays empty."""
    if type_ != PUSH_TYPE:
        return validate_base_url(url)
    if url.strip():
        raise InvalidInput("base_url: push integrations have no base URL", field="base_url")
    return ""


def _encrypted(settings: Settings, type_: str, credentials: dict[str, str]) -> str | None:
    validate_credentials(type_, credentials)
    return None if type_ == PUSH_TYPE else crypto.encrypt_credentials(settings, credentials)


def _check_type(type_: str) -> None:
    get_connector(type_)  # InvalidInput(field="type") for an unknown type


def create(
    *, db_session: Session, settings: Settings, client_id: int, integration_in: IntegrationCreate
) -> Integration:
    """Create an integration with encrypted credentials (and its schedule, if any)."""
    _check_type(integration_in.type)
    integration = Integration(
        client_id=client_id,
        type=integration_in.type,
        name=integration_in.name.strip(),
        base_url=base_url_for(integration_in.type, integration_in.base_url),
        settings=validate_settings(integration_in.type, integration_in.settings),
        credentials_encrypted=_encrypted(settings, integration_in.type, integration_in.credentials),
    )
    service_mappings.check_references(db_session=db_session, client_id=client_id, settings=integration.settings)
    db_session.add(integration)
    db_session.flush()
    schedules.apply(db_session=db_session, integration=integration)
    log.info("integration_created", integration_id=integration.id, type=integration.type)
    return integration


def get(*, db_session: Session, client_id: int, integration_id: int) -> Integration:
    """An integration of the tenant, or NotFound (also for other tenants' ids)."""
    integration = db_session.get(Integration, integration_id)
    if integration is None or integration.client_id != client_id:
        raise NotFound(f"integration {integration_id} not found")
    return integration


def list_(
    *, db_session: Session, client_id: int, limit: int, offset: int, include_inactive: bool = True
) -> tuple[list[Integration], int]:
    """The tenant's integrations, oldest first, and their total."""
    where = [Integration.client_id == client_id]
    if not include_inactive:
        where.append(Integration.active.is_(True))
    total = db_session.execute(select(func.count()).select_from(Integration).where(*where)).scalar_one()
    rows = db_session.execute(select(Integration).where(*where).order_by(Integration.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


def update(
    *, db_session: Session, settings: Settings, integration: Integration, integration_in: IntegrationUpdate
) -> Integration:
    """Apply a partial update; new credentials replace the stored ones."""
    if integration_in.name is not None:
        integration.name = integration_in.name.strip()
    if integration_in.base_url is not None:
        integration.base_url = base_url_for(integration.type, integration_in.base_url)
    if integration_in.settings is not None:
        integration.settings = validate_settings(integration.type, integration_in.settings)
        service_mappings.check_references(
            db_session=db_session, client_id=integration.client_id, settings=integration.settings
        )
    if integration_in.credentials is not None:
        integration.credentials_encrypted = _encrypted(settings, integration.type, integration_in.credentials)
    activity_changed = integration_in.active is not None and integration_in.active != integration.active
    if integration_in.active is not None:
        integration.active = integration_in.active
    db_session.flush()
    schedules.apply(db_session=db_session, integration=integration)
    if activity_changed or (
        integration_in.settings is not None and integration.type in service_mappings.INCIDENT_TOOL_TYPES
    ):
        # Attribution and the active flag shape the metric facts: queue their rebuild (the write never waits for it).
        freshness_service.request_rebuild(db_session=db_session, client_id=integration.client_id)
    log.info(
        "integration_updated", integration_id=integration.id, credentials_replaced=bool(integration_in.credentials)
    )
    return integration


def deactivate(*, db_session: Session, integration: Integration) -> Integration:
    """Set `active = false`: its schedule stops, a live sync is cancelled; its data stays but leaves the metrics."""
    integration.active = False
    db_session.flush()
    schedules.apply(db_session=db_session, integration=integration)
    live = db_session.execute(
        select(JobRun)
        .where(JobRun.integration_id == integration.id, JobRun.status.in_(LIVE_JOB_STATUSES))
        .with_for_update()
    ).scalars()
    for run in live:
        job_service.cancel(db_session=db_session, run=run)
    freshness_service.request_rebuild(db_session=db_session, client_id=integration.client_id)
    log.info("integration_deactivated", integration_id=integration.id)
    return integration


def config_of(*, db_session: Session | None, settings: Settings, integration: Integration) -> IntegrationConfig:
    """The connector's view of an integration, credentials decrypted (re-encrypted with the newest key if older)."""
    credentials: dict[str, str] = {}
    if integration.credentials_encrypted:
        credentials = crypto.decrypt_credentials(settings, integration.credentials_encrypted)
        if db_session is not None and crypto.needs_rotation(settings, integration.credentials_encrypted):
            integration.credentials_encrypted = crypto.rotate(settings, integration.credentials_encrypted)
            db_session.flush()
    return IntegrationConfig(
        id=integration.id,
        client_id=integration.client_id,
        type=integration.type,
        name=integration.name,
        base_url=integration.base_url,
        credentials=credentials,
        settings=dict(integration.settings or {}),
    )


def config_from_input(*, client_id: int, integration_in: IntegrationCreate) -> IntegrationConfig:
    """An unsaved integration as a connector sees it (for test-connection)."""
    _check_type(integration_in.type)
    return IntegrationConfig(
        id=0,
        client_id=client_id,
        type=integration_in.type,
        name=integration_in.name.strip(),
        base_url=base_url_for(integration_in.type, integration_in.base_url),
        credentials=validate_credentials(integration_in.type, integration_in.credentials),
        settings=validate_settings(integration_in.type, integration_in.settings),
    )


def test_connection(config: IntegrationConfig) -> tuple[bool, str]:
    """Ask the connector whether the credentials work; a crash is reported, never raised."""
    try:
        return get_connector(config.type).test_connection(config)
    except Exception as exc:
        log.warning("test_connection_crashed", type=config.type, error=type(exc).__name__)
        return False, f"Could not check the connection ({type(exc).__name__})"


def rotate_all(*, db_session: Session, settings: Settings) -> int:
    """Re-encrypt every stored credential with the newest key; returns how many changed."""
    changed = 0
    for integration in db_session.execute(select(Integration).with_for_update()).scalars():
        token = integration.credentials_encrypted
        if token and crypto.needs_rotation(settings, token):
            integration.credentials_encrypted = crypto.rotate(settings, token)
            changed += 1
    db_session.flush()
    return changed


def to_read(*, db_session: Session, integration: Integration) -> IntegrationRead:
    """The API shape, with the latest run."""
    last = db_session.execute(
        select(JobRun.id, JobRun.status, JobRun.finished_at)
        .where(JobRun.integration_id == integration.id)
        .order_by(JobRun.id.desc())
        .limit(1)
    ).first()
    return IntegrationRead(
        id=integration.id,
        type=integration.type,
        name=integration.name,
        base_url=integration.base_url,
        settings=integration.settings or {},
        active=integration.active,
        has_credentials=bool(integration.credentials_encrypted),
        created_at=integration.created_at,
        last_updated_at=integration.last_updated_at,
        last_sync=LastSync(job_run_id=last[0], status=last[1], finished_at=last[2]) if last else None,
    )
