"""Jobs: sync runs of integrations on Procrastinate, with states, checkpoints, schedules and live progress."""
