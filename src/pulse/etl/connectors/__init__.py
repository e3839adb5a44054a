"""Data-source connectors: the shared interface and pieces under `base`, one package per source."""
