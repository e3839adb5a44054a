"""Freshness of the metric facts: pending rebuilds and what answers say about them."""
