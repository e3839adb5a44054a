"""Metrics: DORA four keys, pull request and flow analytics, their configuration, all computed in PostgreSQL."""
