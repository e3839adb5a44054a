"""DORA four keys (2023 definitions) plus the 2021 time to restore."""
