#!/usr/bin/env bash
# Install everything and run the whole test suite: lint, types, Python tests, web app tests, browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --with-browser

echo "==> ruff"
py_paths=""
for dir in src tests benchmarks scripts; do [ -d "$dir" ] && py_paths="$py_paths $dir"; done
uv run --frozen ruff check $py_paths
uv run --frozen ruff format --check $py_paths
echo "==> mypy"
uv run --frozen mypy

if [ -f frontend/package.json ]; then
  echo "==> web app: lint, types, component tests"
  (cd frontend && npm run lint --silent && npm run typecheck --silent && npm run test --silent)
  (cd frontend && npm run build --silent)
fi

echo "==> pytest"
uv run --frozen pytest "$@"

# The external-database path: the schema, CLI, identity and metrics suites again on another PostgreSQL
# server (e.g. a PostgreSQL 15 one) when PULSE_TEST_EXTERNAL_DATABASE_URL names it.
if [ -n "${PULSE_TEST_EXTERNAL_DATABASE_URL:-}" ]; then
  echo "==> pytest on the external PostgreSQL (DATABASE_URL)"
  DATABASE_URL="$PULSE_TEST_EXTERNAL_DATABASE_URL" uv run --frozen pytest tests/core tests/cli tests/backend tests/analytics
fi
