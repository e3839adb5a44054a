"""Settings refuse unusable secrets outside DEBUG and generate them once in dev mode."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from pulse.core.config import ConfigError, Settings


def make(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, PULSE_DATA_DIR=tmp_path, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "secret",
    [None, "", "short-secret", "your-secret-key-here", "change-me-change-me-change-me-change-me-0000"],
)
def test_unusable_jwt_secret_is_refused_outside_debug(tmp_path: Path, secret: str | None) -> None:
    settings = make(tmp_path, JWT_SECRET_KEY=secret, PULSE_ENCRYPTION_KEY=Fernet.generate_key().decode())
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY"):
        settings.check_secrets()


def test_missing_or_invalid_encryption_key_is_refused(tmp_path: Path) -> None:
    strong = "x" * 20 + "Q9r2-strong-value-0123456789"
    with pytest.raises(ConfigError, match="PULSE_ENCRYPTION_KEY"):
        make(tmp_path, JWT_SECRET_KEY=strong).check_secrets()
    with pytest.raises(ConfigError, match="PULSE_ENCRYPTION_KEY"):
        make(tmp_path, JWT_SECRET_KEY=strong, PULSE_ENCRYPTION_KEY="not-a-key").check_secrets()


def test_strong_secrets_are_used_as_given(tmp_path: Path) -> None:
    key1, key2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = make(tmp_path, JWT_SECRET_KEY="s" * 40, PULSE_ENCRYPTION_KEY=f"{key1}, {key2}")
    settings.check_secrets()
    assert settings.jwt_secret() == "s" * 40
    assert settings.fernet_keys() == [key1, key2]
    assert not (tmp_path / "dev-secrets.json").exists()


def test_debug_generates_secrets_once_and_keeps_them_private(tmp_path: Path) -> None:
    first = make(tmp_path, DEBUG=True)
    secret, keys = first.jwt_secret(), first.fernet_keys()
    assert len(secret) >= 32
    again = make(tmp_path, DEBUG=True)
    assert (again.jwt_secret(), again.fernet_keys()) == (secret, keys)
    path = tmp_path / "dev-secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["jwt_secret_key"] == secret


def test_spec_names_are_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_SERVICE_URL", "http://10.0.0.5:3001")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("JWT_ALGORITHM", "HS512")
    settings = make(tmp_path)
    assert (settings.backend_service_url, settings.log_level, settings.jwt_algorithm) == (
        "http://10.0.0.5:3001",
        "DEBUG",
        "HS512",
    )


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("JWT_SECRET_KEY=" + "e" * 40 + "\nPULSE_SESSION_IDLE_MINUTES=7\n")
    settings = Settings(_env_file=env_file, PULSE_DATA_DIR=tmp_path)  # type: ignore[call-arg]
    assert settings.jwt_secret() == "e" * 40
    assert settings.session_idle_minutes == 7
