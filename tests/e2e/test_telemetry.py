"""Telemetry is a contract: one gateway call is one trace across the services it touched,
and the metrics it must move, move."""

from __future__ import annotations

import urllib.request

import pytest
from memgrid_runtime import errors
from memgrid_suite.launcher import Suite


def _metric(suite: Suite, service: str, name: str, **labels: str) -> float:
    port = suite.running[service].metrics_port
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name + "{") and all(w in line for w in wanted):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_one_call_is_one_trace_across_gateway_and_memory_store(stack, client_a):
    suite = stack.local_suite()
    memory = await client_a.add_memory("traced", user_id="tracer")
    count = "memgrid_rpc_server_duration_seconds_count"
    gateway_before = _metric(suite, "gateway", count, method="GatewayService/GetMemory", code="OK")
    store_before = _metric(
        suite, "memory-store", count, method="MemoryStoreService/GetMemory", code="OK"
    )

    await client_a.get_memory(memory.id)

    gateway_span = "/memgrid.gateway.v1.GatewayService/GetMemory"
    store_span = "/memgrid.memory.v1.MemoryStoreService/GetMemory"

    def one_trace_with_both(spans):
        by_trace: dict[str, set[tuple[str, str]]] = {}
        for span in spans:
            by_trace.setdefault(span.trace_id, set()).add((span.service, span.name))
        return any(
            ("gateway", gateway_span) in names and ("memory-store", store_span) in names
            for names in by_trace.values()
        )

    spans = await stack.traces.wait_for(one_trace_with_both)
    gateway_server = [s for s in spans if s.service == "gateway" and s.name == gateway_span]
    trace_id = next(
        s.trace_id
        for s in gateway_server
        if any(o.trace_id == s.trace_id and o.service == "memory-store" for o in spans)
    )
    in_trace = [s for s in spans if s.trace_id == trace_id]
    store_server = next(s for s in in_trace if s.service == "memory-store")
    # The memory-store span hangs under a span of the gateway's, not a fresh root.
    parents = {s.span_id: s for s in in_trace}
    assert store_server.parent_span_id in parents
    assert parents[store_server.parent_span_id].service == "gateway"
    assert {s.service for s in in_trace} == {"gateway", "memory-store"}

    assert (
        _metric(suite, "gateway", count, method="GatewayService/GetMemory", code="OK")
        == gateway_before + 1
    )
    assert (
        _metric(suite, "memory-store", count, method="MemoryStoreService/GetMemory", code="OK")
        == store_before + 1
    )


async def test_errors_are_counted_by_code(stack, client_a):
    suite = stack.local_suite()
    name = "memgrid_rpc_server_errors_total"
    before = _metric(suite, "gateway", name, method="GatewayService/GetMemory", code="NOT_FOUND")
    with pytest.raises(errors.NotFound):
        await client_a.get_memory("no-such-id")
    after = _metric(suite, "gateway", name, method="GatewayService/GetMemory", code="NOT_FOUND")
    assert after == before + 1
