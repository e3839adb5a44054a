"""Credentials at rest: Fernet with key rotation (`PULSE_ENCRYPTION_KEY`, comma-separated, newest first)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from pulse.core.config import Settings
from pulse.core.errors import DependencyUnavailable


def _fernets(settings: Settings) -> list[Fernet]:
    return [Fernet(key.encode()) for key in settings.fernet_keys()]


def encrypt_credentials(settings: Settings, credentials: dict[str, str]) -> str:
    """Encrypt a credentials dict with the newest key."""
    return MultiFernet(_fernets(settings)).encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def decrypt_credentials(settings: Settings, token: str) -> dict[str, str]:
    """Decrypt with any configured key; a token no key opens means the key was removed too early."""
    try:
        raw = MultiFernet(_fernets(settings)).decrypt(token.encode())
    except InvalidToken as exc:
        raise DependencyUnavailable(
            "Stored credentials cannot be decrypted with the configured PULSE_ENCRYPTION_KEY keys"
        ) from exc
    return {str(k): str(v) for k, v in json.loads(raw).items()}


def needs_rotation(settings: Settings, token: str) -> bool:
    """Whether a token was encrypted with an older key than the newest one."""
    try:
        _fernets(settings)[0].decrypt(token.encode())
    except InvalidToken:
        return True
    return False


def rotate(settings: Settings, token: str) -> str:
    """Re-encrypt a token with the newest key (it must open with one of the configured keys)."""
    try:
        return MultiFernet(_fernets(settings)).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise DependencyUnavailable("Stored credentials cannot be decrypted with the configured keys") from exc
