"""The REST front: each HTTP request is transcoded to its RPC by the service's google.api.http
rules, forwarded to the gateway over gRPC with the caller's API key, deadline and trace
context, and the reply (or the error, as a google.rpc.Status) transcoded back.

It holds no API of its own: routes come from the descriptors, validation of values, auth,
tenants and limits stay in the gateway. Server-streaming RPCs (Chat) answer
newline-delimited JSON, one `{"result": ...}` per message and a last `{"error": ...}` if
the stream fails midway, the form grpc-gateway uses and the OpenAPI document describes.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import grpc
from google.protobuf import json_format, message_factory
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from memgrid_runtime.errors import InvalidArgument, MemgridError
from opentelemetry import propagate, trace
from prometheus_client import Histogram
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from gateway.rest.http_errors import HttpError, status_of_rpc_error
from gateway.rest.http_rules import RouteMatch, RouteTable
from gateway.rest.transcode import build_request, parse_json_body

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

OPENAPI_DOCUMENT = Path(__file__).parent / "openapi" / "memgrid.swagger.json"
GATEWAY_HEALTH_SERVICE = "memgrid.gateway.v1.GatewayService"
# Headers that carry the caller's credential; the gateway decides what they are worth
# (and refuses two at once), so each is forwarded as sent.
CREDENTIAL_HEADERS = ("x-api-key", "authorization")
TRACE_HEADERS = ("traceparent", "tracestate")
JSON = "application/json"
NDJSON = "application/x-ndjson"
_GRPC_TIMEOUT = re.compile(r"^(\d{1,8})([HMSmun])$")
_TIMEOUT_UNIT_SECONDS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}

HTTP_LATENCY = Histogram(
    "memgrid_http_server_duration_seconds",
    "Time from receiving a REST request to its answer's head, by RPC and HTTP status.",
    ["rpc", "status"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


@dataclass(frozen=True)
class RestFront:
    routes: RouteTable
    channel: grpc.aio.Channel
    default_timeout_seconds: float
    max_body_bytes: int

    async def handle(self, request: Request) -> Response:
        started = time.monotonic()
        raw_path = _raw_path(request)
        found = self.routes.find(request.method, raw_path)
        if not isinstance(found, RouteMatch):
            response = _no_route(request.method, raw_path, found)
            rpc = "-"
        else:
            rpc = found.route.method.name
            context = propagate.extract(request.headers)
            with tracer.start_as_current_span(
                f"{request.method} {found.route.path.template}",
                context=context,
                kind=trace.SpanKind.SERVER,
                attributes={
                    "http.request.method": request.method,
                    "http.route": found.route.path.template,
                    "rpc.method": found.route.full_method,
                },
            ) as span:
                # Without a recording span (tracing off) the caller's own trace context
                # goes on as it came; with one, the channel sends the span's.
                passed_on = TRACE_HEADERS if not span.get_span_context().is_valid else ()
                response = await self._forward(request, found, passed_on)
                span.set_attribute("http.response.status_code", response.status_code)
        HTTP_LATENCY.labels(rpc, str(response.status_code)).observe(time.monotonic() - started)
        return response

    async def _forward(
        self, request: Request, found: RouteMatch, trace_headers: Sequence[str]
    ) -> Response:
        route = found.route
        try:
            timeout = _timeout_of(request, self.default_timeout_seconds)
            body = await self._body(request) if route.body else await self._no_body(request)
            message = build_request(
                route.method.input_type,
                body_field=route.body,
                path_values=found.path_values,
                query=request.query_params.multi_items(),
                body=body,
            )
        except _BodyTooLarge:
            too_large = InvalidArgument.field(
                "", f"the body is larger than {self.max_body_bytes} bytes"
            )
            return _error_response(HttpError.from_error(too_large, http_status=413))
        except MemgridError as exc:
            return _error_response(HttpError.from_error(exc))
        metadata = _forwarded_metadata(request, (*CREDENTIAL_HEADERS, *trace_headers))
        response_class = message_factory.GetMessageClass(route.method.output_type)
        try:
            if route.server_streaming:
                stream = self.channel.unary_stream(
                    route.full_method,
                    request_serializer=_serializer,
                    response_deserializer=response_class.FromString,
                )(message, timeout=timeout, metadata=metadata)
                return await _streamed(stream)
            reply = await self.channel.unary_unary(
                route.full_method,
                request_serializer=_serializer,
                response_deserializer=response_class.FromString,
            )(message, timeout=timeout, metadata=metadata)
        except grpc.aio.AioRpcError as exc:
            return _error_response(HttpError.from_rpc_error(exc))
        except MemgridError as exc:
            # Raised by the channel itself, e.g. no time left for the call.
            return _error_response(HttpError.from_error(exc))
        payload = _message_dict(reply)
        if route.response_body:
            returned = route.method.output_type.fields_by_name[route.response_body]
            payload = payload.get(returned.json_name)
        return Response(_json_bytes(payload), media_type=JSON)

    async def _body(self, request: Request) -> Any:
        # JSON whatever the Content-Type says, as grpc-gateway reads it: `curl -d` labels
        # its body as a form, and JSON is the only body this API takes.
        raw = await self._read_limited(request)
        return parse_json_body(raw) if raw.strip() else {}

    async def _no_body(self, request: Request) -> Any:
        raw = await self._read_limited(request)
        return parse_json_body(raw) if raw.strip() else None

    async def _read_limited(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _BodyTooLarge
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def openapi(self, request: Request) -> Response:
        return Response(OPENAPI_DOCUMENT.read_bytes(), media_type=JSON)

    async def healthz(self, request: Request) -> Response:
        """Ready while the gateway answers SERVING: without it every request would fail."""
        health = health_pb2_grpc.HealthStub(self.channel)
        try:
            reply = await health.Check(
                health_pb2.HealthCheckRequest(service=GATEWAY_HEALTH_SERVICE), timeout=1.0
            )
            state = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        except grpc.aio.AioRpcError as exc:
            state = f"gateway unreachable: {exc.code().name}"
        return Response(
            _json_bytes({"status": state}),
            status_code=200 if state == "SERVING" else 503,
            media_type=JSON,
        )


class _BodyTooLarge(Exception):
    """The body passed RestFront.max_body_bytes (HTTP 413)."""


def build_app(front: RestFront) -> Starlette:
    return Starlette(
        routes=[
            StarletteRoute("/openapi.json", front.openapi, methods=["GET"]),
            StarletteRoute("/healthz", front.healthz, methods=["GET"]),
            StarletteRoute(
                "/{path:path}",
                front.handle,
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            ),
        ]
    )


async def _streamed(stream: Any) -> Response:
    """The stream as NDJSON; a failure before its first message is a plain HTTP error, as
    for a unary call (the status line is not sent yet)."""
    first = await stream.read()
    if first is grpc.aio.EOF:  # type: ignore[attr-defined]
        return Response(b"", media_type=NDJSON)

    async def lines() -> AsyncIterator[bytes]:
        try:
            yield _json_bytes({"result": _message_dict(first)}) + b"\n"
            async for message in stream:
                yield _json_bytes({"result": _message_dict(message)}) + b"\n"
        except grpc.aio.AioRpcError as exc:
            status = json_format.MessageToDict(status_of_rpc_error(exc))
            yield _json_bytes({"error": status}) + b"\n"
        finally:
            # The client went away (or the stream ended): nothing more is read.
            stream.cancel()

    return StreamingResponse(lines(), media_type=NDJSON)


def _serializer(message: Message) -> bytes:
    return message.SerializeToString()


def _message_dict(message: Message) -> Any:
    # Unset fields too, as grpc-gateway answers: a REST caller reads `"replayed": false`
    # instead of guessing what a missing key means.
    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if raw:
        return bytes(raw).decode("latin-1").split("?", 1)[0]
    return quote(request.url.path)


def _timeout_of(request: Request, default: float) -> float:
    """The grpc-timeout header (gRPC's own form, e.g. 500m, 5S) or the default."""
    header = request.headers.get("grpc-timeout")
    if header is None:
        return default
    found = _GRPC_TIMEOUT.match(header.strip())
    if found is None:
        raise InvalidArgument.field(
            "grpc-timeout", "must be up to 8 digits and a unit of H, M, S, m, u or n (e.g. 5S)"
        )
    return int(found.group(1)) * _TIMEOUT_UNIT_SECONDS[found.group(2)]


def _forwarded_metadata(request: Request, names: Sequence[str]) -> list[tuple[str, str]]:
    return [(name, value) for name in names for value in request.headers.getlist(name)]


def _no_route(method: str, raw_path: str, allowed: Sequence[str]) -> Response:
    if allowed:
        status = status_pb2.Status(
            code=code_pb2.UNIMPLEMENTED, message=f"{method} is not allowed on {raw_path}"
        )
        error = HttpError.from_status(status, http_status=405)
        return _error_response(error, {"allow": ", ".join(allowed)})
    status = status_pb2.Status(
        code=code_pb2.NOT_FOUND, message=f"no REST method at {method} {raw_path}"
    )
    return _error_response(HttpError.from_status(status))


def _error_response(error: HttpError, extra_headers: dict[str, str] | None = None) -> Response:
    return Response(
        error.body,
        status_code=error.http_status,
        headers={**error.headers, **(extra_headers or {})},
        media_type=JSON,
    )
