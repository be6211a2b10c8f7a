"""The server factory on a real aio server: error mapping, health, reflection, deadlines,
metrics. The servicer here is a probe for the runtime, not a stand-in for a memgrid service."""

from __future__ import annotations

import asyncio
import dataclasses

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from memgrid.thought.v1 import request_response_pb2 as pb
from memgrid.thought.v1 import service_pb2_grpc
from memgrid_runtime import deadlines, errors
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings
from prometheus_client import REGISTRY

SERVICE = "memgrid.thought.v1.ThoughtService"


class ProbeServicer(service_pb2_grpc.ThoughtServiceServicer):
    """Fails in the way the request's user_id names, or reports the deadline it saw."""

    async def GetProfile(self, request, context):
        match request.user_id:
            case "bad":
                raise errors.InvalidArgument(
                    [
                        errors.FieldViolation("user_id", "must not be 'bad'"),
                        errors.FieldViolation("tenant_id", "required"),
                    ]
                )
            case "missing":
                raise errors.NotFound("user", "missing")
            case "down":
                raise errors.Unavailable("backend down", retry_after_seconds=2.5)
            case "boom":
                raise RuntimeError("secret internal detail")
        left = deadlines.remaining()
        return pb.GetProfileResponse(
            entries=[
                pb.ProfileEntry(key="deadline", value="none" if left is None else f"{left:.3f}")
            ]
        )


@pytest.fixture
async def probe():
    settings = ServerSettings.for_tests("probe")
    running = await start_server(
        settings,
        [
            GrpcService(
                SERVICE, ProbeServicer(), service_pb2_grpc.add_ThoughtServiceServicer_to_server
            )
        ],
    )
    channel = connect(running.address)
    yield running, channel
    await channel.close()
    await running.stop(0)


def _samples(name: str, **labels: str) -> float:
    value = REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


async def test_invalid_argument_carries_every_field_violation(probe):
    _, channel = probe
    stub = service_pb2_grpc.ThoughtServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetProfile(pb.GetProfileRequest(user_id="bad"))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    error = errors.from_rpc_error(caught.value)
    assert isinstance(error, errors.InvalidArgument)
    assert [v.field for v in error.violations] == ["user_id", "tenant_id"]
    assert error.reason == "INVALID_ARGUMENT"


async def test_domain_errors_map_to_their_codes_with_details(probe):
    _, channel = probe
    stub = service_pb2_grpc.ThoughtServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetProfile(pb.GetProfileRequest(user_id="missing"))
    not_found = errors.from_rpc_error(caught.value)
    assert isinstance(not_found, errors.NotFound)
    assert (not_found.resource_type, not_found.resource_name) == ("user", "missing")

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetProfile(pb.GetProfileRequest(user_id="down"))
    unavailable = errors.from_rpc_error(caught.value)
    assert isinstance(unavailable, errors.Unavailable)
    assert unavailable.retry_after_seconds == pytest.approx(2.5)


async def test_unexpected_exception_is_internal_without_leaking_detail(probe):
    _, channel = probe
    stub = service_pb2_grpc.ThoughtServiceStub(channel)
    before = _samples(
        "memgrid_rpc_server_errors_total",
        service="probe",
        method="ThoughtService/GetProfile",
        code="INTERNAL",
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetProfile(pb.GetProfileRequest(user_id="boom"))
    assert caught.value.code() is grpc.StatusCode.INTERNAL
    assert "secret" not in (caught.value.details() or "")
    after = _samples(
        "memgrid_rpc_server_errors_total",
        service="probe",
        method="ThoughtService/GetProfile",
        code="INTERNAL",
    )
    assert after == before + 1


async def test_handler_sees_the_callers_deadline(probe):
    _, channel = probe
    stub = service_pb2_grpc.ThoughtServiceStub(channel)
    reply = await stub.GetProfile(pb.GetProfileRequest(user_id="u"), timeout=2.0)
    seen = float(reply.entries[0].value)
    # The grpc-timeout header carries the deadline rounded up to its unit, and the server
    # reads it against its own clock: a few milliseconds over 2.0 is the same deadline (a
    # CI run saw 2.009).
    assert 1.0 < seen <= 2.05


async def test_outbound_call_inherits_remaining_deadline():
    token = deadlines.enter(0.5)
    try:
        assert deadlines.outbound_timeout(None, default=10.0) <= 0.5
        assert deadlines.outbound_timeout(0.1, default=10.0) == 0.1
    finally:
        deadlines.leave(token)
    assert deadlines.outbound_timeout(None, default=10.0) == 10.0


async def test_health_reports_serving_then_not_serving_on_stop():
    running = await start_server(
        ServerSettings.for_tests("probe"),
        [
            GrpcService(
                SERVICE, ProbeServicer(), service_pb2_grpc.add_ThoughtServiceServicer_to_server
            )
        ],
    )
    async with grpc.aio.insecure_channel(running.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        reply = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        await running.health.enter_graceful_shutdown()
        reply = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE))
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
    await running.stop(0)


async def test_reflection_lists_the_service(probe):
    _, channel = probe
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    async for response in responses:
        names = {s.name for s in response.list_services_response.service}
        assert SERVICE in names
        assert "grpc.health.v1.Health" in names
        break


async def test_reflection_resolves_services_and_methods_by_symbol(probe):
    """ghz and grpcurl look up "package.Service" and "package.Service.Method"."""
    _, channel = probe
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    for symbol in (SERVICE, SERVICE + ".GetProfile"):
        responses = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol)])
        )
        async for response in responses:
            assert response.WhichOneof("message_response") == "file_descriptor_response", symbol
            assert response.file_descriptor_response.file_descriptor_proto
            break


class SlowProbe(service_pb2_grpc.ThoughtServiceServicer):
    """Answers after a while with no data on the wire, like a blocking LeaseJobs."""

    async def GetProfile(self, request, context):
        await asyncio.sleep(6)
        return pb.GetProfileResponse()


async def test_keepalive_pings_during_a_long_call_do_not_end_the_connection():
    # The channels' 30 s pings and the servers' 10 s floor, scaled down: a client pinging
    # every second against a floor of half a second. With gRPC's default floor (5 minutes) the third
    # ping is answered with GOAWAY "too_many_pings" and the call fails UNAVAILABLE.
    settings = dataclasses.replace(ServerSettings.for_tests("probe"), min_ping_interval_seconds=0.5)
    running = await start_server(
        settings,
        [GrpcService(SERVICE, SlowProbe(), service_pb2_grpc.add_ThoughtServiceServicer_to_server)],
    )
    options = [
        ("grpc.keepalive_time_ms", 1000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
    ]
    try:
        async with grpc.aio.insecure_channel(running.address, options=options) as channel:
            stub = service_pb2_grpc.ThoughtServiceStub(channel)
            reply = await stub.GetProfile(pb.GetProfileRequest(), timeout=20)
            assert list(reply.entries) == []
    finally:
        await running.stop(0)
