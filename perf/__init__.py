"""Benchmarks: run on demand (`make bench`), print figures, assert nothing."""
