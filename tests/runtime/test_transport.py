"""The internal token and TLS on a real aio server built by the server factory: a caller
without the token is refused (probes and reflection are not), a TLS listener answers only
TLS channels that trust its certificate."""

from __future__ import annotations

from dataclasses import replace

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from memgrid.thought.v1 import request_response_pb2 as pb
from memgrid.thought.v1 import service_pb2_grpc
from memgrid_runtime import errors
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import Env, ServerSettings, SettingsError, TlsFiles, Transport
from memgrid_runtime.transport import INTERNAL_TOKEN_HEADER

from tests.support.tls import self_signed

SERVICE = "memgrid.thought.v1.ThoughtService"
TOKEN = "internal-token-for-tests-0123456789"


class EchoServicer(service_pb2_grpc.ThoughtServiceServicer):
    async def GetProfile(self, request, context):
        return pb.GetProfileResponse(entries=[pb.ProfileEntry(key="user", value=request.user_id)])

    async def Chat(self, request, context):
        yield pb.ChatResponse()


async def _serve(transport: Transport, *, requires_token: bool = True):
    settings = replace(
        ServerSettings.for_tests("probe"),
        transport=transport,
        requires_internal_token=requires_token,
    )
    return await start_server(
        settings,
        [
            GrpcService(
                SERVICE, EchoServicer(), service_pb2_grpc.add_ThoughtServiceServicer_to_server
            )
        ],
    )


@pytest.fixture
async def guarded():
    running = await _serve(Transport(internal_token=TOKEN))
    yield running
    await running.stop(0)


async def _profile(channel: grpc.aio.Channel, **kwargs) -> pb.GetProfileResponse:
    stub = service_pb2_grpc.ThoughtServiceStub(channel)
    return await stub.GetProfile(pb.GetProfileRequest(user_id="u1"), timeout=5, **kwargs)


async def test_a_call_without_the_token_is_unauthenticated(guarded):
    async with connect(guarded.address) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _profile(channel)
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        assert errors.from_rpc_error(caught.value).reason == "INTERNAL_TOKEN_MISSING"
        # A wrong token is no better than none.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _profile(channel, metadata=((INTERNAL_TOKEN_HEADER, "x" * len(TOKEN)),))
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        # Streaming RPCs are refused the same way.
        stream = service_pb2_grpc.ThoughtServiceStub(channel).Chat(pb.ChatRequest(), timeout=5)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in stream:
                pass
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_channel_with_the_token_is_served(guarded):
    async with connect(guarded.address, transport=Transport(internal_token=TOKEN)) as channel:
        reply = await _profile(channel)
        assert [(e.key, e.value) for e in reply.entries] == [("user", "u1")]
        stub = service_pb2_grpc.ThoughtServiceStub(channel)
        assert len([r async for r in stub.Chat(pb.ChatRequest(), timeout=5)]) == 1


async def test_probes_and_reflection_need_no_token(guarded):
    async with grpc.aio.insecure_channel(guarded.address) as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICE), timeout=5
        )
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stream = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
        )
        names = [s.name async for reply in stream for s in reply.list_services_response.service]
        assert SERVICE in names


async def test_a_public_server_asks_for_no_token():
    running = await _serve(Transport(internal_token=TOKEN), requires_token=False)
    try:
        async with connect(running.address) as channel:
            assert (await _profile(channel)).entries[0].value == "u1"
    finally:
        await running.stop(0)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return self_signed(tmp_path_factory.mktemp("tls"), "memgrid-test")


@pytest.fixture(scope="module")
def stranger_certificate(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return self_signed(tmp_path_factory.mktemp("tls-other"), "other")


async def test_a_tls_listener_serves_tls_channels_that_trust_it(certificate, stranger_certificate):
    running = await _serve(Transport(internal_token=TOKEN, server_tls=certificate))
    try:
        trusting = Transport(internal_token=TOKEN, client_ca_file=certificate.cert_file)
        async with connect(running.address, transport=trusting) as channel:
            assert (await _profile(channel)).entries[0].value == "u1"
        async with connect(running.address, transport=Transport(internal_token=TOKEN)) as plain:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _profile(plain)
            assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
        # A certificate the client does not trust fails the handshake.
        distrusting = Transport(internal_token=TOKEN, client_ca_file=stranger_certificate.cert_file)
        async with connect(running.address, transport=distrusting) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _profile(channel)
            assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
    finally:
        await running.stop(0)


def test_transport_settings_from_the_environment(certificate):
    transport = Transport.from_env(
        Env(
            {
                "MEMGRID_INTERNAL_TOKEN": TOKEN,
                "MEMGRID_TLS_CERT_FILE": str(certificate.cert_file),
                "MEMGRID_TLS_KEY_FILE": str(certificate.key_file),
                "MEMGRID_TLS_CA_FILE": str(certificate.cert_file),
            }
        )
    )
    assert transport == Transport(TOKEN, certificate, certificate.cert_file)
    assert Transport.from_env(Env({})) == Transport()


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MEMGRID_INTERNAL_TOKEN": "short"}, "MEMGRID_INTERNAL_TOKEN"),
        ({"MEMGRID_TLS_CERT_FILE": "/x.pem"}, "MEMGRID_TLS_KEY_FILE"),
        (
            {"MEMGRID_TLS_CERT_FILE": "/no/cert.pem", "MEMGRID_TLS_KEY_FILE": "/no/key.pem"},
            "MEMGRID_TLS_KEY_FILE=/no/key.pem",
        ),
        ({"MEMGRID_TLS_CA_FILE": "/no/ca.pem"}, "MEMGRID_TLS_CA_FILE=/no/ca.pem"),
    ],
)
def test_bad_transport_settings_name_the_variable(environ, named):
    with pytest.raises(SettingsError, match=named):
        Transport.from_env(Env(environ))
