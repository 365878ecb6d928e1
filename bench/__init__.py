"""Benchmarks: ratios against baselines measured in the same run (see README.md here)."""
