"""Benchmarks: `make bench` (python -m bench). Each prints ratios against a baseline measured
in the same run, so the numbers compare on whatever machine runs them."""
