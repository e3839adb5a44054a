"""Running the simulator: in the foreground with uvicorn, or in a background thread for tests."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from pulse.sim.app import SimApp, create_app
from pulse.sim.config import SimConfig


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
    config: SimConfig | None = None, host: str = "127.0.0.1", timeout: float = 30.0
) -> RunningSimulator:
    """Start the simulator on a free loopback port in a background thread; returns once it accepts requests."""
    app = create_app(config)
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
