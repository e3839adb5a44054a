"""`python -m pulse.sim`: serve the simulator in the foreground."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from pulse.sim.config import Knobs, SimConfig, today_utc
from pulse.sim.dataset import DatasetSpec
from pulse.sim.server import run_simulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options: address and dataset scale."""
    parser = argparse.ArgumentParser(prog="pulse sim", description="Simulated GitHub, Jira and GitLab APIs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor", help="ISO date the history ends at (default: today, UTC)")
    parser.add_argument("--repos", type=int, default=4)
    parser.add_argument("--teams", type=int, default=3)
    parser.add_argument("--prs-per-repo", type=int, default=120)
    parser.add_argument("--work-items-per-project", type=int, default=200)
    parser.add_argument(
        "--github-token",
        action="append",
        default=[],
        metavar="TOKEN[=LOGIN]",
        help="extra valid GitHub token (repeatable)",
    )
    parser.add_argument(
        "--jira-account",
        action="append",
        default=[],
        metavar="EMAIL:TOKEN",
        help="extra valid Jira credential (repeatable)",
    )
    parser.add_argument(
        "--gitlab-token",
        action="append",
        default=[],
        metavar="TOKEN[=USERNAME]",
        help="extra valid GitLab token (repeatable)",
    )
    parser.add_argument("--jira-time-zone", default="Europe/Berlin")
    parser.add_argument("--rate-limit", type=int, help="GitHub requests per token per window (default 5000)")
    parser.add_argument(
        "--graphql-rate-limit", type=int, help="GitHub GraphQL points per token per window (default 5000)"
    )
    parser.add_argument("--knobs", default="{}", help="initial fault knobs as JSON, e.g. '{\"error_rate\": 0.1}'")
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
    patch = json.loads(args.knobs)
    if args.rate_limit is not None:
        patch["rate_limit"] = {**patch.get("rate_limit", {}), "limit": args.rate_limit}
    if args.graphql_rate_limit is not None:
        graphql = patch.setdefault("graphql", {})
        graphql["rate_limit"] = {**graphql.get("rate_limit", {}), "limit": args.graphql_rate_limit}
    knobs = Knobs().merged(patch)
    config = SimConfig(dataset=spec, knobs=knobs, jira_time_zone=args.jira_time_zone)
    for item in args.github_token:
        token, _, login = item.partition("=")
        config.github_tokens[token] = login or f"sim-user-{len(config.github_tokens)}"
    for item in args.gitlab_token:
        token, _, username = item.partition("=")
        config.gitlab_tokens[token] = username or f"sim-user-{len(config.gitlab_tokens)}"
    for item in args.jira_account:
        email, _, token = item.partition(":")
        config.jira_accounts[email] = token
    return config


def main(argv: Sequence[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = parse_args(argv)
    run_simulator(args.host, args.port, config_from_args(args))


if __name__ == "__main__":
    main()
