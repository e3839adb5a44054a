"""Simulated GitHub REST v3 and Jira Cloud REST v3 APIs over a deterministic generated organisation."""
