"""Fixed catalogues the generator draws from: teams, names, words, Jira statuses and types."""

from __future__ import annotations

from datetime import UTC, datetime

from pulse.sim.model import (
    JiraIssueType,
    JiraPriority,
    JiraStatus,
)

DEFAULT_ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)

TEAM_CATALOG = [
    ("payments", "Payments", "PAY", ["payments-api", "billing-worker", "ledger"]),
    ("web", "Web", "WEB", ["web-app", "design-system", "marketing-site"]),
    ("platform", "Platform", "OPS", ["platform-infra", "deploy-tools", "observability"]),
    ("mobile", "Mobile", "MOB", ["mobile-app", "mobile-sdk"]),
    ("data", "Data", "DATA", ["data-pipeline", "warehouse"]),
    ("growth", "Growth", "GRO", ["growth-service", "experiments"]),
    ("identity", "Identity", "IAM", ["auth-service", "user-profile"]),
    ("search", "Search", "SRCH", ["search-api", "indexer"]),
]
FIRST_NAMES = [
    "alice",
    "bruno",
    "chen",
    "dara",
    "emeka",
    "farah",
    "goran",
    "hana",
    "ivan",
    "julia",
    "kofi",
    "lena",
    "mateo",
    "nina",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "tara",
    "umar",
    "vera",
    "wei",
    "yara",
]
LAST_NAMES = ["kim", "silva", "novak", "okafor", "rossi", "sato", "weber", "haddad", "lund", "moreau"]
VERBS = ["Add", "Fix", "Refactor", "Remove", "Improve", "Update", "Support", "Speed up", "Validate", "Log"]
NOUNS = [
    "refund endpoint",
    "invoice export",
    "login flow",
    "retry policy",
    "cache layer",
    "search filters",
    "webhook handler",
    "rate limiter",
    "settings page",
    "audit trail",
    "CSV import",
    "payment form",
    "session timeout",
    "email templates",
    "health checks",
    "metrics dashboard",
    "feature flags",
]
SYMPTOMS = [
    "elevated 5xx rate",
    "checkout latency spike",
    "login failures",
    "stale dashboards",
    "queue backlog",
]
FILES = [
    "src/app.py",
    "src/api/routes.py",
    "src/models.py",
    "src/service.py",
    "tests/test_api.py",
    "README.md",
]
WORK_LABELS = ["backend", "frontend", "tech-debt", "customer", "security", "performance"]
STORY_POINTS = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0]

STATUSES = [
    JiraStatus("10000", "To Do", "new"),
    JiraStatus("3", "In Progress", "indeterminate"),
    JiraStatus("10001", "In Review", "indeterminate"),
    JiraStatus("10002", "Done", "done"),
    JiraStatus("4", "Reopened", "new"),
]
ISSUE_TYPES = [
    JiraIssueType("10000", "Epic", 1, "A big user story that needs to be broken down."),
    JiraIssueType("10001", "Story", 0, "Functionality or a feature expressed as a user goal."),
    JiraIssueType("10002", "Task", 0, "A small, distinct piece of work."),
    JiraIssueType("10003", "Bug", 0, "A problem or error."),
    JiraIssueType("10004", "Incident", 0, "A service disruption in production."),
]
PRIORITIES = [
    JiraPriority("1", "Highest"),
    JiraPriority("2", "High"),
    JiraPriority("3", "Medium"),
    JiraPriority("4", "Low"),
    JiraPriority("5", "Lowest"),
]
STATUS_BY_NAME = {s.name: s for s in STATUSES}
PRIORITY_BY_NAME = {p.name: p for p in PRIORITIES}
