"""The OpenAPI document is complete, and a schemathesis run over it finds no server error."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hyp_settings
from hypothesis.errors import Unsatisfiable
from sqlalchemy import Engine

from pulse.backend.main import create_app
from pulse.core.config import Settings
from tests.backend.conftest import API, BackendServer, Tenant, api_routes, start_backend
from tests.factories import DEFAULT_PASSWORD

EXAMPLES_PER_OPERATION = 6


def test_openapi_documents_every_route_schema_and_the_bearer_scheme(settings: Settings) -> None:
    app = create_app(settings)
    spec = app.openapi()
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    routed = {(m, path) for path, route in api_routes(app) for m in route.methods}
    assert routed == documented
    assert spec["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The token from `POST /api/v1/auth/login`.",
    }
    schemas = spec["components"]["schemas"]
    assert {"LoginRequest", "LoginResponse", "ValidateResponse", "UserRead", "PermissionsRead"} <= set(schemas)
    secured = [op for ops in spec["paths"].values() for op in ops.values() if op.get("security")]
    assert len(secured) >= 15
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert "security" not in login


@pytest.fixture
def fuzz_server(clean_engine: Engine, settings: Settings) -> Iterator[BackendServer]:
    # Generated logins fail by the hundred; keep throttling out of the way of the run's own re-logins.
    relaxed = settings.model_copy(update={"login_max_failures": 1_000_000})
    server = start_backend(relaxed)
    yield server
    server.stop()


def test_schemathesis_finds_no_server_error(fuzz_server: BackendServer, tenant: Tenant) -> None:
    base = fuzz_server.base_url
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    token = {"value": ""}

    def fresh_token() -> str:
        # Generated calls may log the admin out (logout, terminate, change password): re-login when needed.
        headers = {"Authorization": f"Bearer {token['value']}"}
        if not token["value"] or httpx.post(f"{base}{API}/auth/validate", headers=headers).status_code != 200:
            answer = httpx.post(
                f"{base}{API}/auth/login", json={"email": tenant.admin_email, "password": DEFAULT_PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            token["value"] = answer.json()["token"]
        return token["value"]

    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hyp_settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                response = case.call(base_url=base, headers={"Authorization": f"Bearer {fresh_token()}"})
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}"
                    )

            try:
                run()
            except Unsatisfiable:
                # Nothing to break in an operation without inputs (negative mode only).
                assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
    assert failures == [], "\n".join(failures)
