"""The one way every memgrid service runs a gRPC server.

start_server builds a grpc.aio server with health checking, reflection, OpenTelemetry,
Prometheus metrics, error mapping and the limits that keep a pod healthy under load;
serve() runs it until SIGTERM/SIGINT and shuts down in the order Kubernetes expects:
NOT_SERVING first, then a bounded drain, then backends, then telemetry.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.message import DecodeError
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor

from memgrid_runtime import deadlines
from memgrid_runtime.errors import FieldViolation, InvalidArgument, MemgridError, to_status
from memgrid_runtime.metrics import RPC_ERRORS, RPC_LATENCY, RPCS_IN_FLIGHT, serve_metrics
from memgrid_runtime.settings import ServerSettings
from memgrid_runtime.telemetry import Telemetry, tracing_enabled
from memgrid_runtime.transport import InternalTokenInterceptor
from memgrid_runtime.wire import WireProblem, undecodable_field

log = logging.getLogger(__name__)

HEALTH_SERVICE_NAME = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name


@dataclass(frozen=True)
class GrpcService:
    """A servicer and how to register it, under its full proto service name."""

    name: str
    servicer: object
    register: Callable[[Any, grpc.aio.Server], None]


@dataclass
class RunningServer:
    server: grpc.aio.Server
    health: HealthServicer
    settings: ServerSettings
    port: int
    metrics_port: int | None
    service_names: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.port}"

    async def stop(self, grace: float | None = None) -> None:
        """Reports NOT_SERVING (so load balancers stop sending), then drains in-flight RPCs."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.settings.shutdown_grace_seconds if grace is None else grace)


class _ObservingInterceptor(grpc.aio.ServerInterceptor):
    """Times every RPC, maps domain errors to rich statuses, and records the deadline.

    Runs inside the OpenTelemetry interceptor, so its logs carry the RPC's trace id.
    """

    def __init__(self, service_name: str) -> None:
        self._service = service_name

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method.rsplit(".", 1)[-1]  # "Service/Method"
        deserializer = _tolerant(handler.request_deserializer)
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(method, handler.unary_unary),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(method, handler.unary_stream),
                request_deserializer=deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler  # client- and bidi-streaming RPCs: none in memgrid's APIs

    def _wrap_unary(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def observed(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            token = deadlines.enter(context.time_remaining())
            RPCS_IN_FLIGHT.labels(self._service).inc()
            code = grpc.StatusCode.OK
            try:
                _refuse_undecodable(request)
                return await behavior(request, context)
            except BaseException as exc:
                code = _final_code(exc, context)
                await self._abort(method, exc, context)
                raise
            finally:
                deadlines.leave(token)
                self._record(method, code, started)

        return observed

    def _wrap_stream(self, method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def observed(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            started = time.perf_counter()
            token = deadlines.enter(context.time_remaining())
            RPCS_IN_FLIGHT.labels(self._service).inc()
            code = grpc.StatusCode.OK
            try:
                _refuse_undecodable(request)
                async for response in behavior(request, context):
                    yield response
            except BaseException as exc:
                code = _final_code(exc, context)
                await self._abort(method, exc, context)
                raise
            finally:
                deadlines.leave(token)
                self._record(method, code, started)

        return observed

    async def _abort(
        self, method: str, exc: BaseException, context: grpc.aio.ServicerContext
    ) -> None:
        """Aborts the RPC with the status exc stands for (context.abort raises AbortError).

        Returns without aborting when the RPC already ended (aborted or cancelled).
        """
        if isinstance(exc, grpc.aio.AbortError | asyncio.CancelledError):
            return
        if isinstance(exc, MemgridError):
            status = to_status(exc)
            if exc.code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE):
                log.warning("%s failed: %s", method, exc.message)
            await context.abort(status.code, status.details, status.trailing_metadata)
        log.error("%s failed with an unexpected error", method, exc_info=exc)
        await context.abort(grpc.StatusCode.INTERNAL, "internal error (details in the server log)")

    def _record(self, method: str, code: grpc.StatusCode, started: float) -> None:
        RPCS_IN_FLIGHT.labels(self._service).dec()
        RPC_LATENCY.labels(self._service, method, code.name).observe(time.perf_counter() - started)
        if code is not grpc.StatusCode.OK:
            RPC_ERRORS.labels(self._service, method, code.name).inc()


@dataclass(frozen=True)
class _UndecodableRequest:
    """Stands in for a request whose bytes did not parse.

    A deserializer that raises makes grpc answer UNKNOWN with the exception's type name
    ("Unexpected <class 'DecodeError'>"); returning this instead lets the RPC's own wrapper
    refuse it as INVALID_ARGUMENT, logged, counted and traced like any other bad request.
    """

    message_name: str
    problem: WireProblem


def _tolerant(
    deserializer: Callable[[bytes], Any] | None,
) -> Callable[[bytes], Any] | None:
    message_class = getattr(deserializer, "__self__", None)
    descriptor = getattr(message_class, "DESCRIPTOR", None)
    if deserializer is None or descriptor is None:
        return deserializer

    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except DecodeError:
            return _UndecodableRequest(descriptor.full_name, undecodable_field(descriptor, data))

    return deserialize


def _refuse_undecodable(request: object) -> None:
    if isinstance(request, _UndecodableRequest):
        problem = request.problem
        raise InvalidArgument(
            [
                FieldViolation(
                    problem.field,
                    f"request could not be decoded as {request.message_name}:"
                    f" {problem.description}",
                )
            ],
            reason="UNDECODABLE_REQUEST",
        )


def _final_code(exc: BaseException, context: grpc.aio.ServicerContext) -> grpc.StatusCode:
    if isinstance(exc, MemgridError):
        return exc.code
    if isinstance(exc, asyncio.CancelledError):
        return grpc.StatusCode.CANCELLED
    if isinstance(exc, grpc.aio.AbortError):
        return context.code() or grpc.StatusCode.UNKNOWN
    return grpc.StatusCode.INTERNAL


class _ReflectionPool:
    """The default descriptor pool, also resolving "package.Service.Method" symbols: the
    reflection spec allows them and ghz looks methods up that way, but protobuf's upb pool
    only knows services, messages, enums and extensions by name."""

    def __init__(self) -> None:
        self._pool = descriptor_pool.Default()

    def FindFileContainingSymbol(self, symbol: str) -> FileDescriptor:
        try:
            return self._pool.FindFileContainingSymbol(symbol)
        except KeyError:
            service_name, _, method = symbol.rpartition(".")
            service = self._pool.FindServiceByName(service_name)
            if method not in service.methods_by_name:
                raise
            return service.file

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


async def start_server(settings: ServerSettings, services: Sequence[GrpcService]) -> RunningServer:
    """Builds, binds and starts a server; every service reports SERVING when this returns."""
    interceptors: list[grpc.aio.ServerInterceptor] = [
        *([aio_server_interceptor()] if tracing_enabled() else []),
        _ObservingInterceptor(settings.service_name),
    ]
    token = settings.transport.internal_token
    if settings.requires_internal_token and token:
        interceptors.append(InternalTokenInterceptor(token))
    server = grpc.aio.server(
        interceptors=interceptors,
        maximum_concurrent_rpcs=settings.max_concurrent_rpcs,
        options=[
            ("grpc.max_receive_message_length", settings.max_message_bytes),
            ("grpc.max_send_message_length", settings.max_message_bytes),
            ("grpc.max_connection_age_ms", int(settings.max_connection_age_seconds * 1000)),
            (
                "grpc.max_connection_age_grace_ms",
                int(settings.max_connection_age_grace_seconds * 1000),
            ),
            ("grpc.keepalive_permit_without_calls", 1),
            (
                # GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS
                "grpc.http2.min_ping_interval_without_data_ms",
                int(settings.min_ping_interval_seconds * 1000),
            ),
            # Two servers must never share a port by accident (tests bind port 0).
            ("grpc.so_reuseport", 0),
        ],
    )
    for service in services:
        service.register(service.servicer, server)
        # A *_pb2_grpc module does not import the *_pb2 module that declares its service,
        # and reflection only finds descriptors that were imported.
        importlib.import_module(service.register.__module__.removesuffix("_grpc"))
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    names = [service.name for service in services]
    reflection.enable_server_reflection(
        [*names, HEALTH_SERVICE_NAME, reflection.SERVICE_NAME],
        server,
        # Reflection only calls the pool's Find* methods, which _ReflectionPool provides.
        pool=cast(descriptor_pool.DescriptorPool, _ReflectionPool()),
    )

    address = f"{settings.host}:{settings.port}"
    tls = settings.transport.server_tls
    port = (
        server.add_secure_port(address, tls.server_credentials())
        if tls is not None
        else server.add_insecure_port(address)
    )
    if port == 0:
        raise OSError(f"cannot bind {settings.service_name} to {settings.host}:{settings.port}")
    await server.start()
    for name in ["", *names]:
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    metrics_port = None
    if settings.metrics_port is not None:
        metrics_port = serve_metrics(settings.host, settings.metrics_port)
    return RunningServer(server, health, settings, port, metrics_port, names)


async def serve(
    settings: ServerSettings,
    services: Sequence[GrpcService],
    *,
    telemetry: Telemetry,
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
) -> None:
    """Runs a server until SIGTERM or SIGINT, then shuts down cleanly.

    on_shutdown callbacks (closing backends, stopping workers) run after the drain, in order.
    """
    running = await start_server(settings, services)
    metrics = f", metrics on :{running.metrics_port}" if running.metrics_port else ""
    log.info("%s serving on %s%s", settings.service_name, running.address, metrics)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()

    log.info(
        "%s shutting down (grace %.0fs)", settings.service_name, settings.shutdown_grace_seconds
    )
    await running.stop()
    for callback in on_shutdown:
        try:
            await callback()
        except Exception:
            log.exception("shutdown step failed")
    log.info("%s stopped", settings.service_name)
    telemetry.shutdown()


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Runs a service's async main on uvloop (about 15% more RPCs/s than asyncio here)."""
    import uvloop

    uvloop.run(main())
