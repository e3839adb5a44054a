"""Roles, the default permission matrix and per-user overrides."""
