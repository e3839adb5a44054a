"""Small helpers the benchmarks share to print their figures."""

from __future__ import annotations


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(value: float) -> str:
    """Seconds as a right-aligned millisecond figure."""
    return f"{value * 1000:8.2f} ms"
