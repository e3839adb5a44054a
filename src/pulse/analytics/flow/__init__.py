"""Jira flow metrics from the status -> flow step mapping."""
