"""Fuzzes every public RPC of memgrid.gateway.v1 through the running suite.

Requests are built from the gateway's own descriptors (tests/support/request_fuzzer.py)
and sent as raw bytes with a generic call, so undecodable ones reach the server too. Any
bad input must come back as a status the caller can act on, INVALID_ARGUMENT above all
(naming a field that is in the request), never UNKNOWN or INTERNAL, and no service may
die. MEMGRID_FUZZ_CASES_PER_RPC raises the count (default 200 per unary RPC);
MEMGRID_FUZZ_SEED replays a run, and a failure prints the seed that found it.
"""

from __future__ import annotations

import asyncio
import collections
import os
import time

import grpc
import pytest
from memgrid.gateway.v1 import service_pb2
from memgrid_runtime import errors

from tests.support.request_fuzzer import RequestFuzzer, field_path_resolves

SEED = int(os.environ.get("MEMGRID_FUZZ_SEED", "1102"))
CASES_PER_RPC = int(os.environ.get("MEMGRID_FUZZ_CASES_PER_RPC", "200"))
# Chat streams an LLM's answer: a few cases cover its validation.
STREAM_CASES = max(1, CASES_PER_RPC // 20)
CONCURRENCY = 8
CALL_TIMEOUT_SECONDS = 60.0
FORBIDDEN = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
GATEWAY = service_pb2.DESCRIPTOR.services_by_name["GatewayService"]


def _identity(data: bytes) -> bytes:
    return data


# About 10 ms a request on 2 busy cores, with a wide margin over the default timeout.
@pytest.mark.timeout(120 + CASES_PER_RPC * 0.5)
async def test_no_bad_input_is_unknown_or_internal(stack):
    outcomes: dict[str, collections.Counter[str]] = {}
    failures: list[str] = []
    # One answer per RPC and code, printed with the counts to show what the fuzz reached.
    examples: dict[tuple[str, str], str] = {}
    limit = asyncio.Semaphore(CONCURRENCY)
    started = time.monotonic()
    options = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
    async with grpc.aio.insecure_channel(stack.address, options=options) as channel:
        metadata = (("x-api-key", stack.key_a),)

        async def send(method, index: int, payload: bytes) -> None:
            path = f"/{GATEWAY.full_name}/{method.name}"
            async with limit:
                try:
                    if method.server_streaming:
                        call = channel.unary_stream(path, _identity, _identity)
                        async for _ in call(
                            payload, metadata=metadata, timeout=CALL_TIMEOUT_SECONDS
                        ):
                            pass
                    else:
                        call = channel.unary_unary(path, _identity, _identity)
                        await call(payload, metadata=metadata, timeout=CALL_TIMEOUT_SECONDS)
                    code = grpc.StatusCode.OK
                except grpc.aio.AioRpcError as exc:
                    code = exc.code()
                    examples.setdefault((method.name, code.name), (exc.details() or "")[:160])
                    case = (
                        f"{method.name} case {index} (MEMGRID_FUZZ_SEED={SEED}):"
                        f" {code.name} {exc.details()!r}; request {payload[:300].hex()}"
                    )
                    if code in FORBIDDEN:
                        failures.append(case)
                    elif code == grpc.StatusCode.INVALID_ARGUMENT:
                        error = errors.from_rpc_error(exc)
                        assert isinstance(error, errors.InvalidArgument)
                        strays = [
                            v.field
                            for v in error.violations
                            if not field_path_resolves(method.input_type, v.field)
                        ]
                        if strays:
                            failures.append(f"names fields not in the request {strays}: {case}")
            outcomes.setdefault(method.name, collections.Counter())[code.name] += 1

        for method in GATEWAY.methods:
            # One generator per RPC, seeded by name: a case replays without the others.
            fuzzer = RequestFuzzer(SEED * 1_000_003 + sum(map(ord, method.name)))
            count = STREAM_CASES if method.server_streaming else CASES_PER_RPC
            payloads = [fuzzer.request_bytes(method.input_type) for _ in range(count)]
            await asyncio.gather(*(send(method, i, p) for i, p in enumerate(payloads)))

    total = sum(sum(counter.values()) for counter in outcomes.values())
    print(f"\nfuzz: {total} requests in {time.monotonic() - started:.1f}s, seed {SEED}")
    for name, counter in outcomes.items():
        print(f"  {name:<20} {dict(counter.most_common())}")
    for (name, code), detail in sorted(examples.items()):
        if code != "INVALID_ARGUMENT":
            print(f"  {name} {code}: {detail}")
    if stack.suite is not None:
        dead = [n for n, s in stack.suite.running.items() if s.process.poll() is not None]
        assert not dead, f"services died while fuzzing (MEMGRID_FUZZ_SEED={SEED}): {dead}"
    assert not failures, f"{len(failures)} bad answers, e.g.:\n" + "\n".join(failures[:20])
