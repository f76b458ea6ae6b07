"""Benchmarks: `python -m bench` prints every figure of the project as ratios."""
