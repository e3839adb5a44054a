#!/usr/bin/env bash
# Run every benchmark under benchmarks/ at its default size; each prints its own figures.
# Pass extra arguments (e.g. --full) through to every benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
for bench in benchmarks/bench_*.py; do
  [ -e "$bench" ] || continue
  echo "==> $bench"
  uv run --frozen python "$bench" "$@"
done
