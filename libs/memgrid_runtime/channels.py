"""Client channels for service-to-service calls: deadlines, retries, tracing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors

from memgrid_runtime import deadlines
from memgrid_runtime.errors import DeadlineExceeded
from memgrid_runtime.settings import Transport
from memgrid_runtime.telemetry import tracing_enabled
from memgrid_runtime.transport import with_internal_token

# Transparent retries only where repeating a call cannot change the outcome: reads, and
# writes that carry an idempotency key. UNAVAILABLE means the request never reached a
# handler or the handler's backend was down, so a retry is the right move.
_RETRY_POLICY = {
    "maxAttempts": 3,
    "initialBackoff": "0.05s",
    "maxBackoff": "0.5s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


CallRewrite = Callable[[grpc.aio.ClientCallDetails], grpc.aio.ClientCallDetails]


class _UnaryUnaryRewrite(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, rewrite: CallRewrite) -> None:
        self._rewrite = rewrite

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        return await continuation(self._rewrite(client_call_details), request)


class _UnaryStreamRewrite(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, rewrite: CallRewrite) -> None:
        self._rewrite = rewrite

    async def intercept_unary_stream(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        return await continuation(self._rewrite(client_call_details), request)


def _interceptors(rewrite: CallRewrite) -> list[Any]:
    """The rewrite applied to unary and server-streaming calls alike. Two objects, since a
    channel files an interceptor under the first call type it implements only."""
    return [_UnaryUnaryRewrite(rewrite), _UnaryStreamRewrite(rewrite)]


def _with_deadline(default_timeout: float) -> CallRewrite:
    """Gives each outbound call the caller's remaining time (or the channel default)."""

    def rewrite(details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        timeout = deadlines.outbound_timeout(details.timeout, default_timeout)
        if timeout <= 0:
            raise DeadlineExceeded(f"no time left to call {details.method!r}")
        return grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=timeout,
            metadata=details.metadata,
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )

    return rewrite


def connect(
    target: str,
    *,
    idempotent_methods: Iterable[str] = (),
    default_timeout: float = 10.0,
    max_message_bytes: int = 16 * 1024 * 1024,
    transport: Transport | None = None,
) -> grpc.aio.Channel:
    """An aio channel to another memgrid service.

    idempotent_methods are "package.Service/Method" names that are retried on UNAVAILABLE.
    transport (the caller's ServerSettings.transport) says whether to send the internal
    token and use TLS; without it the channel is plaintext and sends no token (tests).
    """
    names = []
    for full_name in idempotent_methods:
        service, _, method = full_name.partition("/")
        names.append({"service": service, "method": method})
    service_config: dict[str, Any] = {
        # With a headless Service (dns:///name) the channel sees every pod and spreads calls
        # over them per RPC; with a single address this changes nothing.
        "loadBalancingConfig": [{"round_robin": {}}],
    }
    if names:
        service_config["methodConfig"] = [{"name": names, "retryPolicy": _RETRY_POLICY}]
    options: list[tuple[str, Any]] = [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.enable_retries", 1),
        ("grpc.service_config", json.dumps(service_config)),
        # Keep idle connections to other services alive through NAT/conntrack timeouts; the
        # server accepts a ping every ServerSettings.min_ping_interval_seconds (10 s).
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_permit_without_calls", 1),
        # gRPC's default reconnect backoff grows to 120 s, so a peer that restarted (a
        # rolling update, a crash) would stay unreachable long after it is back. Services
        # are close by; retrying the connection every second at most is cheap.
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 1_000),
    ]
    interceptors: list[Any] = [
        *(aio_client_interceptors() if tracing_enabled() else []),
        *_interceptors(_with_deadline(default_timeout)),
    ]
    transport = transport or Transport()
    if transport.internal_token:
        interceptors.extend(_interceptors(with_internal_token(transport.internal_token)))
    credentials = transport.channel_credentials()
    if credentials is not None:
        return grpc.aio.secure_channel(
            target, credentials, options=options, interceptors=interceptors
        )
    return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
