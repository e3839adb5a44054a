"""`python -m pulse.sim`: serve the simulator in the foreground."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime

from pulse.sim.config import SimConfig, today_utc
from pulse.sim.dataset import DatasetSpec
from pulse.sim.server import run_simulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options: address and dataset scale."""
    parser = argparse.ArgumentParser(prog="pulse sim", description="Simulated GitHub and Jira APIs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor", help="ISO date the history ends at (default: today, UTC)")
    parser.add_argument("--repos", type=int, default=4)
    parser.add_argument("--teams", type=int, default=3)
    parser.add_argument("--prs-per-repo", type=int, default=120)
    parser.add_argument("--work-items-per-project", type=int, default=200)
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """A `SimConfig` from parsed options."""
    anchor = datetime.fromisoformat(args.anchor).replace(tzinfo=UTC) if args.anchor else today_utc()
    spec = DatasetSpec(
        seed=args.seed,
        anchor=anchor,
        repos=args.repos,
        teams=args.teams,
        prs_per_repo=args.prs_per_repo,
        work_items_per_project=args.work_items_per_project,
    )
    return SimConfig(dataset=spec)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = parse_args(argv)
    run_simulator(args.host, args.port, config_from_args(args))


if __name__ == "__main__":
    main()
