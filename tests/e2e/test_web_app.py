"""The web app in a real headless Chromium against `pulse up --demo`."""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import Stack, screenshot

pytestmark = pytest.mark.e2e
TIMEOUT = 30_000


def sign_in(page: Page, stack: Stack, email: str, password: str) -> None:
    """Log in through the login form and wait for the app shell."""
    page.goto(f"{stack.web_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible(timeout=TIMEOUT)


def sign_in_as(page: Page, stack: Stack, role: str) -> None:
    sign_in(page, stack, stack.credentials[role]["email"], stack.credentials[role]["password"])


def session_id_of(context: BrowserContext) -> str:
    """The `sid` claim of the token this browser profile holds."""
    page = context.pages[0]
    token = page.evaluate("() => window.localStorage.getItem('pulse_token')")
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"])


NAV_BY_ROLE = {
    "admin": {"DORA metrics", "Engineering analytics", "ETL", "Settings", "Administration"},
    "user": {"DORA metrics", "Engineering analytics", "ETL"},
    "view": {"DORA metrics", "Engineering analytics"},
}


def test_each_role_sees_only_what_it_may_do(browser: Browser, pulse_stack: Stack) -> None:
    every_link = set().union(*NAV_BY_ROLE.values())
    for role, allowed in NAV_BY_ROLE.items():
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        sign_in_as(page, pulse_stack, role)
        nav = page.get_by_role("navigation").first
        for name in sorted(every_link):
            expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(
                1 if name in allowed else 0, timeout=TIMEOUT
            )
        if "ETL" in allowed:
            page.goto(f"{pulse_stack.web_url}/etl")
            expect(page.get_by_role("heading", name="ETL", exact=True)).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_role("button", name="New integration")).to_have_count(1 if role == "admin" else 0)
            expect(page.get_by_role("button", name="Sync now")).to_have_count(
                1 if role == "admin" else 0, timeout=TIMEOUT
            )
        context.close()


def test_viewer_opening_the_admin_url_sees_access_denied(page: Page, pulse_stack: Stack) -> None:
    sign_in_as(page, pulse_stack, "view")
    page.goto(f"{pulse_stack.web_url}/admin/users")
    expect(page.get_by_test_id("access-denied")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    screenshot(page, "access-denied")


def test_dora_cards_show_the_api_numbers_and_a_drilldown_opens(page: Page, pulse_stack: Stack) -> None:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=90)
    with pulse_stack.api("view") as api:
        expected = api.get("/api/v1/metrics/dora", params={"from": str(start), "to": str(today)}).json()
    assert expected["deployment_frequency"]["deployments"] > 0, "the demo organisation must have deployments"
    sign_in_as(page, pulse_stack, "view")
    page.goto(f"{pulse_stack.web_url}/?from={start}&to={today}")
    cards = {
        "kpi-deployment-frequency": expected["deployment_frequency"]["per_week"],
        "kpi-lead-time": expected["lead_time_for_changes"]["median_hours"],
        "kpi-change-failure-rate": expected["change_failure_rate"]["rate"],
        "kpi-recovery-time": expected["failed_deployment_recovery_time"]["median_hours"],
    }
    for test_id, value in cards.items():
        card = page.get_by_test_id(test_id)
        expect(card).to_have_attribute("data-value", re.compile(r".+"), timeout=TIMEOUT)
        assert float(card.get_attribute("data-value") or "nan") == pytest.approx(value), test_id
    screenshot(page, "dora-dashboard")

    page.get_by_test_id("kpi-deployment-frequency").click()
    drilldown = page.get_by_test_id("drilldown-deployments")
    expect(drilldown).to_be_visible(timeout=TIMEOUT)
    expect(drilldown.get_by_role("row").nth(1)).to_be_visible(timeout=TIMEOUT)
    screenshot(page, "dora-drilldown")


def test_the_demo_counts_pagerduty_incidents_in_the_dora_numbers(pulse_stack: Stack) -> None:
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=365)), "to": str(today)}
    with pulse_stack.api("view") as api:
        pagerduty = api.get("/api/v1/incidents", params={"source": "pagerduty", "limit": 500}).json()
        drill = api.get("/api/v1/metrics/dora/incidents", params={**period, "limit": 1000}).json()
    assert pagerduty["total"] > 0, "the demo syncs a simulated PagerDuty account"
    behind_cfr = [i for i in drill["items"] if i["source"] == "pagerduty" and i["deployment_id"] is not None]
    assert behind_cfr, "mapped PagerDuty services mark deployments as failed"


def test_a_sync_started_from_the_ui_shows_progress_and_finishes(page: Page, pulse_stack: Stack) -> None:
    sign_in_as(page, pulse_stack, "admin")
    page.goto(f"{pulse_stack.web_url}/etl")
    page.get_by_role("navigation", name="Integrations").get_by_text("GitHub (simulated)").click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_test_id("job-progress").first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("job-status").first).to_have_text(re.compile("FINISHED", re.I), timeout=180_000)
    # The demo's GitHub syncs over GraphQL: the panel shows the points it spent next to the REST requests.
    expect(page.get_by_test_id("job-budget")).to_contain_text("GraphQL points", timeout=TIMEOUT)
    expect(page.get_by_test_id("job-budget")).to_contain_text("API requests")
    screenshot(page, "etl-sync-finished")


def test_a_push_integration_made_in_the_ui_takes_a_deployment_with_the_token_it_showed_once(
    page: Page, pulse_stack: Stack
) -> None:
    with pulse_stack.api("admin") as api:
        repository = api.get("/api/v1/repositories", params={"limit": 1}).json()["items"][0]["full_name"]
    sign_in_as(page, pulse_stack, "admin")
    page.goto(f"{pulse_stack.web_url}/etl")
    page.get_by_role("button", name="New push integration").click()
    form = page.get_by_role("form", name="New push integration")
    form.get_by_label("Name").fill("Jenkins (e2e)")
    form.get_by_role("button", name="Create and show token").click()
    shown = page.get_by_test_id("push-token-value")
    expect(shown).to_have_value(re.compile(r"^pulse_push_"), timeout=TIMEOUT)
    token = shown.input_value()
    push_url = page.get_by_label("Push URL").input_value()
    screenshot(page, "push-token-shown-once")
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("push-token-panel")).to_be_visible(timeout=TIMEOUT)
    assert token not in page.content()

    now = datetime.now(UTC).replace(microsecond=0)
    pushed = httpx.post(
        f"{push_url}/deployments",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "deployment_id": "e2e-1",
            "repository": repository,
            "environment": "production",
            "sha": "0123abc",
            "status": "success",
            "started_at": (now - timedelta(minutes=5)).isoformat(),
            "finished_at": now.isoformat(),
        },
        timeout=30,
    )
    assert pushed.status_code == 201, pushed.text
    page.reload()
    expect(page.get_by_test_id("push-token-panel").get_by_text("Never")).to_have_count(0, timeout=TIMEOUT)
    screenshot(page, "push-integration-detail")


def test_a_settings_write_answers_at_once_and_the_demo_worker_rebuilds_the_metrics(
    page: Page, pulse_stack: Stack
) -> None:
    with pulse_stack.api("admin") as api:
        before = api.get("/api/v1/metrics/freshness").json()
    assert before["as_of"] is not None, "the demo's first sync builds the facts"
    sign_in_as(page, pulse_stack, "admin")
    page.goto(f"{pulse_stack.web_url}/settings/status-mappings")
    page.get_by_role("button", name="New status mapping").click()
    dialog = page.get_by_role("dialog", name="New status mapping")
    dialog.get_by_label("Jira status").fill("Waiting for QA")
    flow_step = dialog.get_by_label("Flow step")
    expect(flow_step.locator("option", has_text="In Review")).to_have_count(1, timeout=TIMEOUT)
    flow_step.select_option(label="In Review")
    with page.expect_response(re.compile(r"/api/v1/settings/status-mappings$")) as created:
        dialog.get_by_role("button", name="Create status mapping").click()
    assert created.value.status == 201
    # The write queued the rebuild; the worker `pulse up` runs does it, and the indicator goes away.
    with pulse_stack.api("admin") as api:
        deadline = datetime.now(UTC) + timedelta(seconds=60)
        while (after := api.get("/api/v1/metrics/freshness").json())["pending"] or after["as_of"] == before["as_of"]:
            assert datetime.now(UTC) < deadline, f"the rebuild did not run: {after}"
            page.wait_for_timeout(250)
    assert after["as_of"] > before["as_of"]
    expect(page.get_by_test_id("recomputing")).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_role("cell", name="Waiting for QA", exact=True)).to_be_visible(timeout=TIMEOUT)


def test_an_admin_creates_a_user_who_then_logs_in(browser: Browser, page: Page, pulse_stack: Stack) -> None:
    email = f"new-{secrets.token_hex(4)}@demo.pulse.local"
    password = f"pw-{secrets.token_urlsafe(16)}"
    sign_in_as(page, pulse_stack, "admin")
    page.goto(f"{pulse_stack.web_url}/admin/users")
    page.get_by_role("button", name="New user").click()
    form = page.get_by_role("form", name="New user")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Initial password").fill(password)
    form.get_by_label("First name").fill("Nia")
    form.get_by_label("Last name").fill("Okoro")
    form.get_by_label("Role").select_option("user")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("cell", name=email, exact=True)).to_be_visible(timeout=TIMEOUT)
    screenshot(page, "admin-users")

    other = browser.new_context()
    newcomer = other.new_page()
    sign_in(newcomer, pulse_stack, email, password)
    expect(newcomer.get_by_test_id("current-user")).to_contain_text("Nia")
    other.close()


def test_two_browsers_of_one_user_are_listed_and_terminating_one_sends_it_to_login(
    browser: Browser, pulse_stack: Stack
) -> None:
    first, second = browser.new_context(), browser.new_context()
    try:
        first_page, second_page = first.new_page(), second.new_page()
        sign_in_as(first_page, pulse_stack, "admin")
        sign_in_as(second_page, pulse_stack, "admin")
        first_id, second_id = session_id_of(first), session_id_of(second)
        assert first_id != second_id, "every login gets its own session"

        first_page.goto(f"{pulse_stack.web_url}/admin/sessions")
        mine = first_page.locator(f'[data-testid="session-row"][data-session-id="{first_id}"]')
        theirs = first_page.locator(f'[data-testid="session-row"][data-session-id="{second_id}"]')
        expect(mine).to_have_attribute("data-current", "true", timeout=TIMEOUT)
        expect(mine.get_by_test_id("session-current")).to_be_visible()
        expect(theirs).to_have_attribute("data-current", "false")
        screenshot(first_page, "admin-sessions")

        theirs.get_by_role("button", name=re.compile("Terminate")).click()
        first_page.get_by_role("dialog").get_by_role("button", name=re.compile("Terminate")).click()
        expect(theirs).to_have_count(0, timeout=TIMEOUT)

        second_page.goto(f"{pulse_stack.web_url}/analytics")
        expect(second_page).to_have_url(re.compile(r"/login"), timeout=TIMEOUT)
        expect(second_page.get_by_test_id("login-notice")).to_be_visible()
    finally:
        first.close()
        second.close()


ORDER_RECORDER = """
(() => {
  const log = (entry) => {
    const events = JSON.parse(window.sessionStorage.getItem('__events') || '[]');
    events.push(entry);
    window.sessionStorage.setItem('__events', JSON.stringify(events));
  };
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    if (url.includes('/auth/logout')) {
      const headers = new Headers(init && init.headers ? init.headers : (input.headers || {}));
      log({ event: 'logout-request', authorization: headers.get('Authorization'),
            stored: window.localStorage.getItem('pulse_token') });
    }
    return realFetch(input, init);
  };
  const remove = Storage.prototype.removeItem;
  Storage.prototype.removeItem = function (key) {
    if (key === 'pulse_token') log({ event: 'storage-cleared' });
    return remove.call(this, key);
  };
})();
"""


def test_logout_calls_the_backend_with_the_token_before_storage_is_cleared(page: Page, pulse_stack: Stack) -> None:
    page.add_init_script(ORDER_RECORDER)
    sign_in_as(page, pulse_stack, "user")
    token = page.evaluate("() => window.localStorage.getItem('pulse_token')")
    assert token
    page.evaluate("() => window.sessionStorage.removeItem('__events')")
    with page.expect_request(re.compile(r"/api/v1/auth/logout$")) as logout:
        page.get_by_role("button", name="Sign out").click()
    assert logout.value.headers.get("authorization") == f"Bearer {token}"
    expect(page).to_have_url(re.compile(r"/login"), timeout=TIMEOUT)
    events = json.loads(page.evaluate("() => window.sessionStorage.getItem('__events')"))
    assert [e["event"] for e in events][:2] == ["logout-request", "storage-cleared"]
    assert events[0]["authorization"] == f"Bearer {token}" and events[0]["stored"] == token
    assert page.evaluate("() => window.localStorage.getItem('pulse_token')") is None
    assert "pulse_token=" not in page.evaluate("() => document.cookie").replace("pulse_token=;", "")
    me = httpx.get(f"{pulse_stack.backend_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401, "the server must have invalidated the session"


def test_screenshots_of_the_main_pages(page: Page, pulse_stack: Stack) -> None:
    sign_in_as(page, pulse_stack, "admin")
    for path, name in (
        ("/analytics", "analytics"),
        ("/etl", "etl"),
        ("/settings", "settings"),
        ("/admin/audit", "admin-audit"),
    ):
        page.goto(f"{pulse_stack.web_url}{path}")
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id("current-user")).to_be_visible(timeout=TIMEOUT)
        screenshot(page, name)
    expect(page.get_by_test_id("error-view")).to_have_count(0)
