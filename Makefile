.PHONY: run test install bench lint
run:      ## install everything and run Pulse with demo data
	bash scripts/run.sh
test:     ## install everything and run the whole test suite
	bash scripts/test.sh
install:
	bash scripts/install.sh
lint:
	uv run --frozen ruff check src tests scripts $$(ls -d benchmarks 2>/dev/null) && uv run --frozen ruff format --check src tests scripts $$(ls -d benchmarks 2>/dev/null) && uv run --frozen mypy
bench:    ## run the benchmarks; each prints its figures
	bash scripts/bench.sh
