#!/usr/bin/env bash
# Install everything Pulse needs from the lock files: uv, Python packages, the web app's packages.
# Usage: scripts/install.sh [--with-browser]   (--with-browser also installs Debian's chromium for e2e tests)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
echo "==> Python packages (uv.lock)"
uv sync --frozen --quiet

if [ -f frontend/package-lock.json ]; then
  echo "==> web app packages (package-lock.json)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "==> GitHub's GraphQL schema for the simulator (tools/github-graphql-schema)"
(cd tools/github-graphql-schema && npm ci --no-audit --no-fund --loglevel=error)

if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "==> Debian's chromium for browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
