"""One settings class for every Pulse process, read from the environment and an optional `.env`."""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32
_PLACEHOLDER_MARKERS = ("your-secret", "change-me", "changeme", "placeholder", "secret-key-here", "example")


class ConfigError(RuntimeError):
    """The configuration cannot run a service; the message names the variable to set."""


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("pulse", appauthor=False))


class Settings(BaseSettings):
    """Pulse configuration; names follow the platform spec, Pulse's own additions are `PULSE_*`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    jwt_secret_key: SecretStr | None = Field(default=None, validation_alias="JWT_SECRET_KEY")
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = Field(default="HS256", validation_alias="JWT_ALGORITHM")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    backend_service_url: str = Field(default="http://localhost:3001", validation_alias="BACKEND_SERVICE_URL")
    debug: bool = Field(default=False, validation_alias="DEBUG")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", validation_alias="LOG_LEVEL")

    data_dir: Path = Field(default_factory=_default_data_dir, validation_alias="PULSE_DATA_DIR")
    encryption_key: SecretStr | None = Field(default=None, validation_alias="PULSE_ENCRYPTION_KEY")
    demo: bool = Field(default=False, validation_alias="PULSE_DEMO")
    log_format: Literal["auto", "json", "console"] = Field(default="auto", validation_alias="PULSE_LOG_FORMAT")

    session_lifetime_minutes: int = Field(default=720, ge=1, validation_alias="PULSE_SESSION_LIFETIME_MINUTES")
    session_idle_minutes: int = Field(default=30, ge=1, validation_alias="PULSE_SESSION_IDLE_MINUTES")
    password_iterations: int = Field(default=100_000, ge=100_000, validation_alias="PULSE_PASSWORD_ITERATIONS")
    password_min_length: int = Field(default=12, ge=8, validation_alias="PULSE_PASSWORD_MIN_LENGTH")
    cors_origins: list[str] = Field(
        default=["http://localhost:5173", "http://127.0.0.1:5173"], validation_alias="PULSE_CORS_ORIGINS"
    )
    trusted_proxies: list[str] = Field(default=[], validation_alias="PULSE_TRUSTED_PROXIES")
    # The service addresses the browser uses (what the web app's /config.js names).
    public_backend_url: str | None = Field(default=None, validation_alias="PULSE_PUBLIC_BACKEND_URL")
    public_etl_url: str | None = Field(default=None, validation_alias="PULSE_PUBLIC_ETL_URL")

    db_pool_size: int = Field(default=5, ge=1, validation_alias="PULSE_DB_POOL_SIZE")
    db_max_overflow: int = Field(default=10, ge=0, validation_alias="PULSE_DB_MAX_OVERFLOW")

    login_max_failures: int = Field(default=5, ge=1, validation_alias="PULSE_LOGIN_MAX_FAILURES")
    login_window_minutes: int = Field(default=15, ge=1, validation_alias="PULSE_LOGIN_WINDOW_MINUTES")
    login_lockout_seconds: int = Field(default=60, ge=1, validation_alias="PULSE_LOGIN_LOCKOUT_SECONDS")
    login_lockout_max_seconds: int = Field(default=3600, ge=1, validation_alias="PULSE_LOGIN_LOCKOUT_MAX_SECONDS")

    # Both services keep validated tokens this long at most (0 turns the caches off); auth events evict
    # them at once, and the Backend also re-reads a session before its next activity write.
    auth_cache_ttl_seconds: float = Field(default=30.0, ge=0, validation_alias="PULSE_AUTH_CACHE_TTL_SECONDS")
    auth_cache_size: int = Field(default=10_000, ge=0, validation_alias="PULSE_AUTH_CACHE_SIZE")
    # ETL Service: central auth and job machinery.
    auth_timeout_seconds: float = Field(default=5.0, gt=0, validation_alias="PULSE_AUTH_TIMEOUT_SECONDS")
    job_max_attempts: int = Field(default=3, ge=1, validation_alias="PULSE_JOB_MAX_ATTEMPTS")
    job_retry_base_seconds: float = Field(default=30.0, ge=0, validation_alias="PULSE_JOB_RETRY_BASE_SECONDS")
    job_heartbeat_seconds: float = Field(default=5.0, gt=0, validation_alias="PULSE_JOB_HEARTBEAT_SECONDS")
    job_stale_seconds: float = Field(default=30.0, gt=0, validation_alias="PULSE_JOB_STALE_SECONDS")
    scheduler_interval_seconds: float = Field(default=15.0, gt=0, validation_alias="PULSE_SCHEDULER_INTERVAL_SECONDS")
    # Push API: requests each push token may make per window (fixed window, counted in the database).
    push_rate_limit: int = Field(default=120, ge=1, validation_alias="PULSE_PUSH_RATE_LIMIT")
    push_rate_window_seconds: int = Field(default=60, ge=1, validation_alias="PULSE_PUSH_RATE_WINDOW_SECONDS")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def dev_mode(self) -> bool:
        """DEBUG or demo: secrets may be generated instead of configured."""
        return self.debug or self.demo

    def jwt_secret(self) -> str:
        """The JWT signing secret, refusing missing, short or placeholder values outside dev mode."""
        value = self.jwt_secret_key.get_secret_value() if self.jwt_secret_key else ""
        if _is_usable_secret(value):
            return value
        if not self.dev_mode:
            raise ConfigError(
                "JWT_SECRET_KEY is missing, shorter than 32 characters or a placeholder; set it to a random "
                'value (for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return _dev_secrets(self.data_dir)["jwt_secret_key"]

    def fernet_keys(self) -> list[str]:
        """Fernet keys for credentials at rest, newest first (comma-separated for rotation)."""
        raw = self.encryption_key.get_secret_value() if self.encryption_key else ""
        keys = [k.strip() for k in raw.split(",") if k.strip()]
        if keys:
            for key in keys:
                if not _is_fernet_key(key):
                    raise ConfigError(
                        "PULSE_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64 bytes), comma-separated; "
                        'generate one with: python -c "from cryptography.fernet import Fernet; '
                        'print(Fernet.generate_key().decode())"'
                    )
            return keys
        if not self.dev_mode:
            raise ConfigError("PULSE_ENCRYPTION_KEY is not set; set it to a Fernet key")
        return [_dev_secrets(self.data_dir)["encryption_key"]]

    def check_secrets(self) -> None:
        """Fail fast at service start when a secret is unusable."""
        self.jwt_secret()
        self.fernet_keys()


def _is_usable_secret(value: str) -> bool:
    lowered = value.lower()
    return len(value) >= MIN_SECRET_LENGTH and not any(marker in lowered for marker in _PLACEHOLDER_MARKERS)


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except ValueError:
        return False


def _dev_secrets(data_dir: Path) -> dict[str, str]:
    """Generate dev secrets once and keep them in the data directory, readable by the owner only."""
    path = data_dir / "dev-secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {"jwt_secret_key": secrets.token_urlsafe(48), "encryption_key": Fernet.generate_key().decode()}
    # Write aside, then link into place: link fails when another process won the race, and nobody ever
    # reads a half-written file.
    scratch = path.with_name(f".dev-secrets.{os.getpid()}.tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
    return dict(json.loads(path.read_text()))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
