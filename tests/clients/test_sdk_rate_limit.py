"""The SDK against a real gateway with a tiny rate limit: the gateway's RESOURCE_EXHAUSTED
carries a RetryInfo with the wait until its bucket holds a token, and the SDK waits that
long (up to its bound) and succeeds, instead of failing or hammering the full bucket."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub
from memgrid_client import AsyncMemgrid, Memgrid, ResourceExhausted, RetryPolicy
from memgrid_suite.launcher import SERVICES, Suite

from tests.clients.stack import ClientStack

RATE_PER_SECOND = 2.0


@pytest.fixture(scope="module")
async def limited_gateway(client_stack: ClientStack) -> AsyncIterator[ClientStack]:
    """A second gateway over the suite's memory-store, allowing each tenant 2 calls a second
    with no burst beyond one call."""
    suite = client_stack.suite
    limited = Suite(
        data_dir=suite.data_dir / "rate-limited",
        log_dir=suite.log_dir,
        ephemeral_ports=True,
        api_keys=suite.api_keys,
        services=tuple(s for s in SERVICES if s.name == "gateway"),
        env={
            **suite.env,
            "MEMGRID_INTERNAL_TOKEN": suite.internal_token,
            "MEMGRID_MEMORY_STORE_TARGET": suite.address_of("memory-store"),
            "MEMGRID_RATE_LIMIT_PER_SECOND": str(RATE_PER_SECOND),
            "MEMGRID_RATE_LIMIT_BURST": "1",
        },
    )
    await limited.start()
    try:
        yield ClientStack(limited, client_stack.key_a, client_stack.key_b)
    finally:
        await limited.stop()


def _listing() -> gw.ListMemoriesRequest:
    return gw.ListMemoriesRequest(filter=common.MemoryFilter(user_id=f"rl-{uuid.uuid4().hex[:8]}"))


async def test_a_rate_limited_call_says_when_a_token_is_free(limited_gateway: ClientStack) -> None:
    async with grpc.aio.insecure_channel(limited_gateway.address) as channel:
        stub = GatewayServiceStub(channel)
        metadata = (("x-api-key", limited_gateway.key_a),)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            for _ in range(5):
                await stub.ListMemories(_listing(), metadata=metadata, timeout=5)

    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    status = rpc_status.from_call(refused.value)  # type: ignore[arg-type]
    assert status is not None
    delays = []
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            delays.append(info.retry_delay.ToNanoseconds() / 1e9)
    # One token refills in 1 / rate seconds; the bucket was (nearly) empty.
    assert len(delays) == 1
    assert 0 < delays[0] <= 1 / RATE_PER_SECOND


async def test_the_sdk_waits_out_the_limit_and_succeeds(limited_gateway: ClientStack) -> None:
    calls = 5
    refused_before = limited_gateway.gateway_rpcs("ListMemories", "RESOURCE_EXHAUSTED")
    patient = RetryPolicy(max_attempts=10)
    async with AsyncMemgrid(limited_gateway.address, limited_gateway.key_a, retry=patient) as sdk:
        started = time.monotonic()
        for _ in range(calls):
            await sdk.list_memories(_listing().filter)
        elapsed = time.monotonic() - started

    # One token at the start, then one every half second: the calls were paced by the
    # limiter's delays, and no call failed.
    assert elapsed >= (calls - 1) / RATE_PER_SECOND * 0.9
    refused = limited_gateway.gateway_rpcs_settled(
        "ListMemories", "RESOURCE_EXHAUSTED", refused_before + 1
    )
    # Honouring the delay means about one refusal per paced call, not a burst of attempts.
    assert 1 <= refused - refused_before <= 2 * calls


def test_a_wait_beyond_the_bound_fails_at_once(limited_gateway: ClientStack) -> None:
    # The limiter asks for up to half a second; a client that waits at most 0.01 s fails
    # with the delay in the error instead of sleeping.
    impatient = RetryPolicy(max_attempts=10, max_rate_limit_wait_seconds=0.01)
    with Memgrid(limited_gateway.address, limited_gateway.key_b, retry=impatient) as sdk:
        started = time.monotonic()
        with pytest.raises(ResourceExhausted) as refused:
            for _ in range(5):
                sdk.list_memories(_listing().filter)
        elapsed = time.monotonic() - started

    assert refused.value.reason == "RATE_LIMITED"
    assert refused.value.retry_after_seconds is not None
    assert 0 < refused.value.retry_after_seconds <= 1 / RATE_PER_SECOND
    assert elapsed < 1 / RATE_PER_SECOND
