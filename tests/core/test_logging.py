"""The redaction processor keeps secrets out of every log line."""

from __future__ import annotations

import json
import logging

import structlog

from pulse.core.logging import REDACTED, configure_logging, redact_secrets, redact_text

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl"


def test_sensitive_keys_and_values_are_masked() -> None:
    event = redact_secrets(
        None,
        "info",
        {
            "event": f"login with {JWT}",
            "password": "hunter2-hunter2",
            "token_hash": "ab" * 32,
            "headers": {"Authorization": "Bearer abcdefghijkl", "accept": "json"},
            "url": "/api/v1/jobs/1/events?token=abc.def.ghi&x=1",
            "credentials": {"api_token": "zzz"},
            "session_id": "5b8f",
            "stored": "pbkdf2_sha256$100000$c2FsdA$aGFzaA",
        },
    )
    rendered = json.dumps(event)
    for secret in (JWT, "hunter2", "ab" * 32, "abcdefghijkl", "abc.def.ghi", "zzz", "c2FsdA"):
        assert secret not in rendered
    assert event["headers"]["accept"] == "json"
    assert event["session_id"] == "5b8f"
    assert event["url"].endswith(f"token={REDACTED}&x=1")


def test_redact_text_masks_bearer_and_basic_headers() -> None:
    assert "s3cr3tvalue" not in redact_text("Authorization: Basic s3cr3tvalue==")


def test_stdlib_loggers_go_through_redaction(capsys: object) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("uvicorn.access").info("GET /ws?token=%s HTTP/1.1", JWT)
    structlog.get_logger("t").info("plain", secret="abc")
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in err.strip().splitlines()]
    assert JWT not in err and "abc" not in [line.get("secret") for line in lines]
    assert all("timestamp" in line and "level" in line for line in lines)
