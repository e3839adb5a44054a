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
