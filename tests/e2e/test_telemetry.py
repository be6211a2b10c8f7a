"""Telemetry is a contract: one gateway call is one trace across the services it touched,
and the metrics it must move, move."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest
from memgrid_runtime import errors
from memgrid_suite.launcher import Suite


async def _metric_reaches(
    suite: Suite, service: str, name: str, expected: float, **labels: str
) -> float:
    """The metric's value once it reaches `expected` (or after 5 s): a server records an
    RPC's metrics just after it sends the status, so the client can be a moment ahead."""
    async with asyncio.timeout(5):
        while (value := _metric(suite, service, name, **labels)) < expected:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return value


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

    gateway_after = await _metric_reaches(
        suite, "gateway", count, gateway_before + 1, method="GatewayService/GetMemory", code="OK"
    )
    store_after = await _metric_reaches(
        suite,
        "memory-store",
        count,
        store_before + 1,
        method="MemoryStoreService/GetMemory",
        code="OK",
    )
    assert (gateway_after, store_after) == (gateway_before + 1, store_before + 1)


async def test_errors_are_counted_by_code(stack, client_a):
    suite = stack.local_suite()
    name = "memgrid_rpc_server_errors_total"
    before = _metric(suite, "gateway", name, method="GatewayService/GetMemory", code="NOT_FOUND")
    with pytest.raises(errors.NotFound):
        await client_a.get_memory("no-such-id")
    after = await _metric_reaches(
        suite, "gateway", name, before + 1, method="GatewayService/GetMemory", code="NOT_FOUND"
    )
    assert after == before + 1
