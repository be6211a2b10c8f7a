"""How services trust each other: a shared internal token, and TLS on every listener
(the settings are memgrid_runtime.settings.Transport).

Only the gateway is public; memory-store, search, graph and the thought engine answer
any tenant's data to whoever calls them, so they accept only callers that present the
internal token (MEMGRID_INTERNAL_TOKEN), which every internal channel sends. Health
checks and server reflection stay open: kubelet's gRPC probes and load tools cannot send
metadata, and neither reveals any data.

With MEMGRID_TLS_CERT_FILE and MEMGRID_TLS_KEY_FILE a listener serves TLS; with
MEMGRID_TLS_CA_FILE the channels to other services use TLS and verify the peer's
certificate against that CA. The token then travels encrypted; without TLS it is as safe
as the network it crosses (the NetworkPolicies admit only each service's callers).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from memgrid_runtime.errors import Unauthenticated

INTERNAL_TOKEN_HEADER = "x-memgrid-internal-token"

# Methods any caller may use: probes and reflection (see the module docstring).
_OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


class InternalTokenInterceptor(grpc.aio.ServerInterceptor):
    """Refuses, UNAUTHENTICATED, every call that lacks the internal token (but probes).

    Sits inside the observing interceptor, so a refusal is logged, counted and carries
    an ErrorInfo like any other error.
    """

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(_OPEN_PREFIXES):
            return handler
        if self._presented(handler_call_details):
            return handler
        return _refusing(handler)

    def _presented(self, details: grpc.HandlerCallDetails) -> bool:
        for name, value in details.invocation_metadata or ():
            if name == INTERNAL_TOKEN_HEADER:
                given = value.encode() if isinstance(value, str) else value
                # Constant time, so the comparison leaks nothing about the token.
                return hmac.compare_digest(given, self._token)
        return False


def _refusal() -> Unauthenticated:
    return Unauthenticated(
        "internal service: calls must carry the internal token", reason="INTERNAL_TOKEN_MISSING"
    )


def _refusing(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    async def refuse_unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        raise _refusal()

    async def refuse_stream(request: Any, context: grpc.aio.ServicerContext) -> Any:
        raise _refusal()
        yield  # an async generator, as the handler it replaces

    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            refuse_stream,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    return grpc.unary_unary_rpc_method_handler(
        refuse_unary,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


def with_internal_token(
    token: str,
) -> Callable[[grpc.aio.ClientCallDetails], grpc.aio.ClientCallDetails]:
    """Adds the internal token to a call on a channel to another service."""

    def rewrite(details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        metadata.add(INTERNAL_TOKEN_HEADER, token)
        return grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=details.timeout,
            metadata=metadata,
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )

    return rewrite
