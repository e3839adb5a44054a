"""The web app server: runtime config, client-side routes, no files outside dist, security headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulse.web.app import create_web_app
from tests.servers import ThreadServer


@pytest.fixture
def web(tmp_path: Path) -> Iterator[str]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>pulse index</html>")
    (dist / "assets" / "app.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("outside dist")
    server = ThreadServer(
        create_web_app(backend_url="http://127.0.0.1:3001", etl_url="http://127.0.0.1:8000", dist_dir=dist)
    ).start()
    yield server.base_url
    server.stop()


def test_config_js_names_both_services(web: str) -> None:
    response = httpx.get(f"{web}/config.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert '"backendUrl": "http://127.0.0.1:3001"' in response.text
    assert '"etlUrl": "http://127.0.0.1:8000"' in response.text


def test_client_side_routes_get_index_and_assets_are_served(web: str) -> None:
    assert httpx.get(f"{web}/dashboards/dora?from=2026-01-01").text == "<html>pulse index</html>"
    asset = httpx.get(f"{web}/assets/app.js")
    assert asset.text == "console.log('app')" and "immutable" in asset.headers["cache-control"]


def test_files_outside_dist_are_never_served(web: str) -> None:
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
        assert "outside dist" not in httpx.get(web + path).text


def test_security_headers_are_set(web: str) -> None:
    headers = httpx.get(f"{web}/").headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "http://127.0.0.1:8000" in policy and "ws://127.0.0.1:8000" in policy
