#!/usr/bin/env python3
"""The migration runner as a script: same as `pulse db ...` (status, apply, rollback --to N, new NAME)."""

from pulse.cli.db_commands import app

if __name__ == "__main__":
    app(prog_name="migration_runner.py")
