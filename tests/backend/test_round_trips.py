"""Validation costs one database round trip: counted on the wire by a proxy in front of PostgreSQL."""

from __future__ import annotations

import glob
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy import Engine

from pulse.core.config import Settings
from tests.backend.conftest import API, BackendServer, Tenant, bearer, start_backend
from tests.factories import DEFAULT_PASSWORD


@dataclass
class CountingProxy:
    """A TCP proxy to PostgreSQL that counts round trips: the client's Sync and simple Query messages.

    Each is a point where the client waits for the server; pipelined statements between two of them share
    one wait, however many packets they take.
    """

    upstream: tuple[str, object]  # ("unix", path) or ("tcp", (host, port))
    round_trips: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    listener: socket.socket = field(default_factory=socket.socket)

    def start(self) -> int:
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return int(self.listener.getsockname()[1])

    def _connect_upstream(self) -> socket.socket:
        kind, address = self.upstream
        if kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.connect(address)  # type: ignore[arg-type]
        return sock

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = self._connect_upstream()
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        buffer, started = b"", False
        try:
            while data := source.recv(65536):
                if from_client:
                    buffer += data
                    buffer, started = self._count_messages(buffer, started)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _count_messages(self, buffer: bytes, started: bool) -> tuple[bytes, bool]:
        """Consume whole frontend messages from the buffer, counting Sync ('S') and Query ('Q')."""
        while True:
            if not started:  # the startup packet has no type byte
                if len(buffer) < 4:
                    return buffer, started
                length = int.from_bytes(buffer[:4], "big")
                if len(buffer) < length:
                    return buffer, started
                buffer, started = buffer[length:], True
                continue
            if len(buffer) < 5:
                return buffer, started
            kind, length = buffer[:1], int.from_bytes(buffer[1:5], "big")
            if len(buffer) < 1 + length:
                return buffer, started
            if kind in (b"S", b"Q"):
                with self.lock:
                    self.round_trips += 1
            buffer = buffer[1 + length :]

    def count(self) -> int:
        with self.lock:
            return self.round_trips

    def stop(self) -> None:
        self.listener.close()


def _upstream_of(url: str) -> tuple[str, object]:
    info = conninfo_to_dict(url)
    host, port = str(info.get("host") or "localhost"), int(info.get("port") or 5432)
    if host.startswith("/"):
        sockets = [p for p in glob.glob(os.path.join(host, ".s.PGSQL.*")) if not p.endswith(".lock")]
        return ("unix", sockets[0])
    return ("tcp", (host, port))


def _start_proxied(settings: Settings) -> tuple[BackendServer, CountingProxy]:
    assert settings.database_url
    proxy = CountingProxy(_upstream_of(settings.database_url))
    port = proxy.start()
    info = conninfo_to_dict(settings.database_url)
    info.update(host="127.0.0.1", port=str(port), sslmode="disable")
    url = "postgresql://?" + "&".join(f"{k}={v}" for k, v in conninfo_to_dict(make_conninfo(**info)).items())
    return start_backend(settings.model_copy(update={"database_url": url})), proxy


@pytest.fixture
def proxied_backend(clean_engine: Engine, settings: Settings) -> Iterator[tuple[BackendServer, CountingProxy]]:
    server, proxy = _start_proxied(settings)
    yield server, proxy
    server.stop()
    proxy.stop()


@pytest.fixture
def uncached_proxied_backend(clean_engine: Engine, settings: Settings) -> Iterator[tuple[BackendServer, CountingProxy]]:
    server, proxy = _start_proxied(settings.model_copy(update={"auth_cache_ttl_seconds": 0}))
    yield server, proxy
    server.stop()
    proxy.stop()


def test_validate_costs_one_round_trip_without_the_cache(
    uncached_proxied_backend: tuple[BackendServer, CountingProxy], tenant: Tenant
) -> None:
    server, proxy = uncached_proxied_backend
    with httpx.Client(base_url=server.base_url + API) as api:
        answer = api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD})
        headers = bearer(answer.json()["token"])
        for _ in range(10):  # warm: pooled connection open, statement prepared
            assert api.post("/auth/validate", headers=headers).status_code == 200
        before = proxy.count()
        for _ in range(20):
            assert api.post("/auth/validate", headers=headers).status_code == 200
        assert proxy.count() - before == 20


def test_a_cached_token_costs_no_round_trip_until_it_is_revoked(
    proxied_backend: tuple[BackendServer, CountingProxy], tenant: Tenant
) -> None:
    server, proxy = proxied_backend
    with httpx.Client(base_url=server.base_url + API) as api:
        headers = bearer(
            api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).json()["token"]
        )
        before = proxy.count()
        assert api.post("/auth/validate", headers=headers).status_code == 200
        assert proxy.count() - before == 1  # the first validation reads the database
        for path in ["/auth/validate"] * 20 + ["/auth/me", "/admin/current-session"]:
            assert api.request("POST" if path.endswith("validate") else "GET", path, headers=headers).status_code == 200
        assert proxy.count() - before == 1  # the rest came from the cache
        assert api.post("/auth/logout", headers=headers).status_code == 200
        after_logout = proxy.count()
        assert api.post("/auth/validate", headers=headers).status_code == 401
        assert proxy.count() - after_logout == 1  # evicted at commit: asked the database, which said no


def test_login_costs_two_round_trips(proxied_backend: tuple[BackendServer, CountingProxy], tenant: Tenant) -> None:
    server, proxy = proxied_backend
    with httpx.Client(base_url=server.base_url + API) as api:
        for _ in range(6):
            api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).raise_for_status()
        before = proxy.count()
        for _ in range(5):
            api.post("/auth/login", json={"email": tenant.user_email, "password": DEFAULT_PASSWORD}).raise_for_status()
        # [BEGIN, lock, lookup] and [write, COMMIT]: two waits per login.
        assert proxy.count() - before == 10
