"""End-to-end fixtures: the real `pulse up --demo` and a real headless Chromium (Debian's) via Playwright."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.pg import TestServer
from tests.servers import PulseProcess, free_port

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


@dataclass
class Stack:
    """A running Pulse with its demo data."""

    web_url: str
    backend_url: str
    etl_url: str
    credentials: dict[str, dict[str, str]]
    process: PulseProcess

    def login_token(self, role: str) -> str:
        """A fresh API token for a demo role (a separate session from any browser's)."""
        response = httpx.post(f"{self.backend_url}/api/v1/auth/login", json=self.credentials[role], timeout=30)
        response.raise_for_status()
        return str(response.json()["token"])

    def api(self, role: str) -> httpx.Client:
        """An HTTP client for the ETL Service signed in as a demo role."""
        return httpx.Client(
            base_url=self.etl_url, headers={"Authorization": f"Bearer {self.login_token(role)}"}, timeout=30
        )


@pytest.fixture(scope="session")
def pulse_stack(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`pulse up --demo` on free ports against a fresh database; waits until the first sync is done."""
    if not (REPO / "frontend" / "dist" / "index.html").exists():
        pytest.fail("frontend/dist is missing: build the web app first (scripts/test.sh does)")
    data_dir = tmp_path_factory.mktemp("pulse-e2e")
    database_url = pg_server.create_database("pulse_e2e")
    ports = {name: free_port() for name in ("backend", "etl", "web", "sim")}
    env = {"DATABASE_URL": database_url, "PULSE_DATA_DIR": str(data_dir), "PULSE_LOG_FORMAT": "json"}
    process = PulseProcess(
        ["up", "--demo", *[arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))]],
        env,
        data_dir / "pulse-up.log",
    ).start()
    try:
        deadline = time.monotonic() + 900
        while "Press Ctrl+C to stop." not in process.logs():
            assert process.process is not None
            if process.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"pulse up --demo did not come up:\n{process.logs()[-5000:]}")
            time.sleep(0.5)
        credentials = json.loads((data_dir / "demo-credentials.json").read_text())
        yield Stack(
            web_url=f"http://127.0.0.1:{ports['web']}",
            backend_url=f"http://127.0.0.1:{ports['backend']}",
            etl_url=f"http://127.0.0.1:{ports['etl']}",
            credentials=credentials,
            process=process,
        )
    finally:
        process.stop(timeout=60)
        pg_server.drop_database(database_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright through its executable path (no browser download)."""
    executable = os.environ.get("PULSE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: apt-get install chromium (scripts/test.sh does)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (its own storage and cookies)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in a fresh profile."""
    return context.new_page()


def screenshot(page: Page, name: str) -> None:
    """Keep a picture of a page for people to look at (artifacts/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
