"""Backend Service figures: login latency against the bare PBKDF2 cost, and `validate` under concurrency.

Everything runs for real on loopback: a PostgreSQL (embedded unless DATABASE_URL names a server) and one
`pulse backend` process (one uvicorn worker). The load generator speaks raw HTTP/1.1 keep-alive over asyncio
streams so that it, not the service, is the lighter side on a small machine. Usage:

    .venv/bin/python benchmarks/bench_backend.py [--logins 30] [--clients 50] [--seconds 10] [--rate 4]

Targets: login <= 1.2x the hash alone; validate p99 <= 15 ms with 50 concurrent clients. Hash and login
samples are interleaved so both see the same machine load. Validate runs with one session per client:
saturated (each client sends its next request as soon as the last answer arrives: throughput and the
latency target) and paced (each client sends `--rate` requests per second: latency at a steady load the
ETL Service could plausibly generate); then saturated again on a Backend with its validation cache off,
where every call reads the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from benchmarks.figures import ms, percentile  # noqa: E402
from tests.factories import DEFAULT_PASSWORD, make_client, make_user  # noqa: E402
from tests.pg import TestServer  # noqa: E402
from tests.servers import PulseProcess, free_port, wait_for_health  # noqa: E402

from pulse.core.config import Settings  # noqa: E402
from pulse.core.db.engine import make_engine  # noqa: E402
from pulse.core.db.migrations import MigrationRunner  # noqa: E402
from pulse.core.security import hash_password, verify_password  # noqa: E402

API = "/api/v1"
SECRET = "bench-" + "s" * 48
FERNET = "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg="


def _read_answer(sock: socket.socket) -> tuple[bytes, bytes]:
    """One HTTP/1.1 answer from a keep-alive socket: its head and its body (Content-Length framed)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def bench_login_vs_hash(settings: Settings, port: int, email: str, rounds: int) -> tuple[list[float], list[float]]:
    """Interleaved samples of a bare PBKDF2 verification and a full login over HTTP (one keep-alive connection).

    The login is sent over a raw socket, like the validate load, so that the figure is the service's and
    not an HTTP client library's.
    """
    stored = hash_password(DEFAULT_PASSWORD, iterations=settings.password_iterations)
    body = json.dumps({"email": email, "password": DEFAULT_PASSWORD}).encode()
    request = (
        f"POST {API}/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    hashes, logins = [], []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for round_ in range(rounds + 3):  # three warm-up logins: connections, prepared statements
            started = time.perf_counter()
            verify_password(DEFAULT_PASSWORD, stored)
            hashed = time.perf_counter() - started
            started = time.perf_counter()
            sock.sendall(request)
            head, _ = _read_answer(sock)
            took = time.perf_counter() - started
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"login failed: {head.splitlines()[0].decode()}")
            if round_ >= 3:
                hashes.append(hashed)
                logins.append(took)
    return hashes, logins


async def _client(
    port: int, token: str, until: float, samples: list[float], errors: list[str], interval: float = 0.0
) -> None:
    """One keep-alive connection calling validate with one token until `until`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"POST {API}/auth/validate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
    next_at = time.perf_counter() + random.uniform(0, interval)
    try:
        while time.perf_counter() < until:
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            samples.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode())
    finally:
        writer.close()


async def bench_validate(
    port: int, tokens: list[str], seconds: float, rate: float = 0.0
) -> tuple[list[float], list[str], float]:
    """One keep-alive client per token calling validate for `seconds`, back to back or at `rate` per second."""
    interval = 1.0 / rate if rate else 0.0
    warm: list[float] = []
    await asyncio.gather(*[_client(port, token, time.perf_counter() + 1.0, warm, []) for token in tokens])
    samples: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*[_client(port, token, until, samples, errors, interval) for token in tokens])
    return samples, errors, time.perf_counter() - started


def report_validate(title: str, samples: list[float], errors: list[str], elapsed: float) -> float:
    """Print one validate run; returns its p99."""
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    print(title)
    print(f"  requests: {len(samples)}  errors: {len(errors)}  throughput: {len(samples) / elapsed:8.0f} req/s")
    print(f"  p50: {ms(p50)}  p90: {ms(percentile(samples, 90))}  p99: {ms(p99)}  max: {ms(max(samples))}")
    if errors:
        print(f"  first error: {errors[0]}")
    return p99


def start_backend(env: dict[str, str], scratch: Path) -> tuple[PulseProcess, int]:
    """A `pulse backend` process with this environment, once it answers; returns it and its port."""
    port = free_port()
    backend = PulseProcess(["backend", "--port", str(port)], env, scratch / f"backend-{port}.log").start()
    wait_for_health(f"http://127.0.0.1:{port}", timeout=90)
    return backend, port


def verdict(met: bool) -> str:
    return "OK" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=30, help="sequential logins to time")
    parser.add_argument("--clients", type=int, default=50, help="concurrent validate clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="validate run length")
    parser.add_argument("--rate", type=float, default=4.0, help="paced run: requests per second per client")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="pulse-bench-backend-"))
    pg = TestServer.start(scratch / "pg")
    url = pg.create_database("pulse_bench")
    backend: PulseProcess | None = None
    try:
        MigrationRunner(url).apply()
        settings = Settings(
            DATABASE_URL=url, JWT_SECRET_KEY=SECRET, PULSE_ENCRYPTION_KEY=FERNET, PULSE_DATA_DIR=scratch
        )
        engine = make_engine(url)
        client_id = make_client(engine, "Bench Corp")
        email = "bench@example.com"
        make_user(engine, settings, client_id=client_id, role="admin", email=email)
        engine.dispose()

        env = {
            "DATABASE_URL": url,
            "JWT_SECRET_KEY": SECRET,
            "PULSE_ENCRYPTION_KEY": FERNET,
            "PULSE_DATA_DIR": str(scratch),
            "LOG_LEVEL": "WARNING",
            "PULSE_LOG_FORMAT": "json",
            "PULSE_LOGIN_MAX_FAILURES": "1000000",
        }
        env = {**{k: v for k, v in os.environ.items() if k not in ("DEBUG", "PULSE_DEMO")}, **env}
        backend, port = start_backend(env, scratch)
        base = f"http://127.0.0.1:{port}"

        hashes, logins = bench_login_vs_hash(settings, port, email, args.logins)
        hash_cost, login_median = statistics.median(hashes), statistics.median(logins)
        # Each login is divided by the hash timed just before it: this machine's CPU speed drifts by tens of
        # percent within a run, and neighbouring samples see the same speed.
        ratio = statistics.median(login / hashed for login, hashed in zip(logins, hashes, strict=True))
        overhead = statistics.median(login - hashed for login, hashed in zip(logins, hashes, strict=True))
        tokens = [
            httpx.post(base + API + "/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}).json()["token"]
            for _ in range(args.clients)
        ]
        with httpx.Client() as client:
            single = []
            for _ in range(200):
                started = time.perf_counter()
                client.post(base + API + "/auth/validate", headers={"Authorization": f"Bearer {tokens[0]}"})
                single.append(time.perf_counter() - started)
        saturated = asyncio.run(bench_validate(port, tokens, args.seconds))
        paced = asyncio.run(bench_validate(port, tokens, args.seconds, rate=args.rate))
        backend.stop()
        backend, port = start_backend({**env, "PULSE_AUTH_CACHE_TTL_SECONDS": "0"}, scratch)
        uncached = asyncio.run(bench_validate(port, tokens, args.seconds))

        print(f"machine load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(f"PBKDF2-SHA256 verify ({settings.password_iterations} iterations), median: {ms(hash_cost)}")
        print(f"login over HTTP, median of {len(logins)} (interleaved):      {ms(login_median)}")
        print(f"login minus the hash before it, median:           {ms(overhead)}")
        print(
            f"login / hash ratio (median of paired samples): {ratio:.2f}x (target <= 1.20x) -> {verdict(ratio <= 1.2)}"
        )
        print(f"validate, one client, sequential: p50 {ms(percentile(single, 50))}  p99 {ms(percentile(single, 99))}")
        p99 = report_validate(
            f"validate, {args.clients} clients back to back, one uvicorn worker process ({saturated[2]:.1f} s):",
            *saturated,
        )
        print(f"  p99 target <= 15 ms -> {verdict(p99 <= 0.015)}")
        report_validate(
            f"validate, {args.clients} clients x {args.rate:g} req/s each (offered {args.clients * args.rate:g} req/s),"
            f" one worker process ({paced[2]:.1f} s):",
            *paced,
        )
        report_validate(
            f"validate with the cache off (every call reads the database), {args.clients} clients back to back"
            f" ({uncached[2]:.1f} s):",
            *uncached,
        )
    finally:
        if backend is not None:
            backend.stop()
        pg.drop_database(url)


if __name__ == "__main__":
    main()
