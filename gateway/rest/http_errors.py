"""A failed call as an HTTP answer: the HTTP status of its gRPC code (the mapping of
google/rpc/code.proto, which grpc-gateway and Google's APIs use too) and a body that is the
google.rpc.Status itself in JSON, details and all, so a REST caller reads the same
BadRequest field violations, ErrorInfo and RetryInfo as a gRPC caller."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from memgrid_runtime.errors import MemgridError, to_status

HTTP_STATUS_OF_CODE: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}


@dataclass(frozen=True)
class HttpError:
    """What to answer: the HTTP status, the google.rpc.Status body, extra headers."""

    http_status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_status(cls, status: status_pb2.Status, *, http_status: int | None = None) -> HttpError:
        code = _code_by_number(status.code)
        headers: dict[str, str] = {}
        retry_after = _retry_after_seconds(status)
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        if code == grpc.StatusCode.UNAUTHENTICATED:
            # RFC 9110: a 401 names the scheme that would authenticate.
            headers["www-authenticate"] = 'Bearer realm="memgrid"'
        return cls(
            http_status if http_status is not None else HTTP_STATUS_OF_CODE[code],
            status_json(status),
            headers,
        )

    @classmethod
    def from_rpc_error(cls, error: grpc.aio.AioRpcError) -> HttpError:
        return cls.from_status(status_of_rpc_error(error))

    @classmethod
    def from_error(cls, error: MemgridError, *, http_status: int | None = None) -> HttpError:
        """An error the REST front finds itself (a bad body, no such route), in the form
        the gateway's own errors take."""
        status = status_pb2.Status()
        for key, value in to_status(error).trailing_metadata:
            if key == "grpc-status-details-bin":
                status.ParseFromString(value)
        return cls.from_status(status, http_status=http_status)


def status_of_rpc_error(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    """The status the gateway sent, details and all; a bare code (a transport failure, a
    deadline the channel enforced) gets a Status of its code and message only."""
    try:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except ValueError:
        status = None
    if status is None:
        status = status_pb2.Status(
            code=error.code().value[0], message=error.details() or error.code().name
        )
    return status


def status_json(status: status_pb2.Status) -> bytes:
    return json.dumps(
        json_format.MessageToDict(status), ensure_ascii=False, separators=(",", ":")
    ).encode()


def _retry_after_seconds(status: status_pb2.Status) -> int | None:
    """Whole seconds from a RetryInfo detail, rounded up (Retry-After takes integers)."""
    for detail in status.details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return max(0, math.ceil(info.retry_delay.ToNanoseconds() / 1e9))
    return None


def _code_by_number(number: int) -> grpc.StatusCode:
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code
    return grpc.StatusCode.UNKNOWN
