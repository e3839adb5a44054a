"""Running the simulator: in the foreground with uvicorn, or in a background thread for tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import uvicorn

from pulse.sim.app import SimApp, create_app
from pulse.sim.config import SimConfig
from pulse.sim.store import Dataset


def run_simulator(host: str = "127.0.0.1", port: int = 8765, config: SimConfig | None = None) -> None:
    """Serve the simulator until interrupted."""
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", access_log=False)


def free_port(host: str = "127.0.0.1") -> int:
    """A currently free TCP port on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(slots=True)
class RunningSimulator:
    """A simulator served by uvicorn in a daemon thread."""

    base_url: str
    app: SimApp
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_simulator(
    config: SimConfig | None = None, host: str = "127.0.0.1", timeout: float = 30.0, dataset: Dataset | None = None
) -> RunningSimulator:
    """Start the simulator on a free loopback port in a background thread; returns once it accepts requests."""
    app = create_app(config, dataset)
    port = free_port(host)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, name=f"pulse-sim-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"simulator did not start on {host}:{port}")
        time.sleep(0.02)
    return RunningSimulator(f"http://{host}:{port}", app, server, thread)


@dataclass(slots=True)
class SimulatorProcess:
    """A simulator running in its own Python process (`python -m pulse.sim`)."""

    base_url: str
    process: subprocess.Popen[bytes]

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def spawn_simulator(args: Sequence[str] = (), host: str = "127.0.0.1", timeout: float = 120.0) -> SimulatorProcess:
    """Start `python -m pulse.sim ARGS` on a free port, so its memory and CPU stay out of the caller's process."""
    port = free_port(host)
    command = [sys.executable, "-m", "pulse.sim", "--host", host, "--port", str(port), *args]
    process = subprocess.Popen(command)
    base_url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"simulator exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/_sim/health", timeout=1.0).status_code == 200:
                return SimulatorProcess(base_url, process)
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"simulator did not answer on {base_url} within {timeout} s")
