"""Benchmarks that print their figures next to a baseline measured in the same run.

Nothing here runs in CI and nothing here asserts a timing: see docs/benchmarks.md.
"""
