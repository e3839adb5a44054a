"""Pulse: engineering intelligence from GitHub and Jira."""

__version__ = "0.1.0"
