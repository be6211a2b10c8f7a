"""Prometheus metrics every service exports, and the endpoint that serves them."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

RPC_LATENCY = Histogram(
    "memgrid_rpc_server_duration_seconds",
    "Time from receiving an RPC to its final status, by method and status code.",
    ["service", "method", "code"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RPCS_IN_FLIGHT = Gauge(
    "memgrid_rpc_server_in_flight",
    "RPCs being handled right now.",
    ["service"],
)
RPC_ERRORS = Counter(
    "memgrid_rpc_server_errors_total",
    "RPCs that ended with a non-OK status, by method and code.",
    ["service", "method", "code"],
)


def serve_metrics(host: str, port: int) -> int:
    """Starts the /metrics HTTP endpoint in a daemon thread; returns the bound port."""
    server, _thread = start_http_server(port, addr=host)
    return int(server.server_port)
