"""Small helpers to summarise latencies."""

from __future__ import annotations

import statistics


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, samples: list[float], unit: float = 1e-6, label: str = "µs") -> str:
    return (
        f"{name:<34} n={len(samples):>6}  p50={percentile(samples, 0.5) / unit:9.1f}{label}"
        f"  p99={percentile(samples, 0.99) / unit:9.1f}{label}"
        f"  mean={statistics.fmean(samples) / unit:9.1f}{label}"
    )
