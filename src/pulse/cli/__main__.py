"""`python -m pulse.cli` runs the `pulse` command."""

from pulse.cli.main import app

app(prog_name="pulse")
