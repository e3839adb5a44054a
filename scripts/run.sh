#!/usr/bin/env bash
# Install everything, build the web app and run all of Pulse on this machine with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
if [ -f frontend/package.json ]; then
  echo "==> building the web app"
  (cd frontend && npm run build --silent)
fi
export DEBUG="${DEBUG:-true}"
exec uv run --frozen pulse up --demo "$@"
