"""Starts the memgrid services as separate local processes: `make run`, e2e tests, perf."""
