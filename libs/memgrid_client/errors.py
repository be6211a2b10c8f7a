"""Domain errors and their one mapping to gRPC status codes with google.rpc details.

Services raise these exceptions; the server's error interceptor turns them into a
`google.rpc.Status` (code, message, BadRequest / ErrorInfo / ResourceInfo / RetryInfo
details). Clients turn a failed call back into the same exception with `from_rpc_error`, so
a gateway that calls memory-store re-raises memory-store's error unchanged, details and all.

The module lives in the SDK, not in memgrid_runtime, because the `memgrid-client` wheel
installs without the services: it needs only grpcio, protobuf and google.rpc. The services
import it as memgrid_runtime.errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

ERROR_DOMAIN = "memgrid.dev"

# A status travels in the trailers, and gRPC clients reset a stream whose metadata passes
# 8 KiB by default (the caller then sees RESOURCE_EXHAUSTED from its own transport, not
# the error): the message is percent-encoded (up to 3 bytes a byte) and the details are
# base64 (4 per 3), so these bounds keep the whole status near 5.5 KiB at worst.
MAX_STATUS_MESSAGE_BYTES = 512
MAX_STATUS_DETAILS_BYTES = 3072
# One field path or description, resource name or metadata value, in the details.
MAX_DETAIL_TEXT_BYTES = 256


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request; `field` is a path such as `memories[3].content`."""

    field: str
    description: str


class MemgridError(Exception):
    """Base of every error a memgrid service reports to its caller on purpose."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata = dict(metadata or {})

    def details(self) -> list[any_pb2.Any]:
        info = error_details_pb2.ErrorInfo(
            reason=self.reason,
            domain=ERROR_DOMAIN,
            metadata={key: _clipped(value) for key, value in self.metadata.items()},
        )
        return [_pack(info)]


class InvalidArgument(MemgridError):
    """The request is malformed; nothing was changed. Names every bad field."""

    code = grpc.StatusCode.INVALID_ARGUMENT
    default_reason = "INVALID_ARGUMENT"

    def __init__(self, violations: Iterable[FieldViolation], *, reason: str | None = None):
        self.violations = list(violations)
        if not self.violations:
            raise ValueError("InvalidArgument needs at least one field violation")
        summary = "; ".join(
            f"{v.field}: {v.description}" if v.field else v.description for v in self.violations
        )
        super().__init__(f"invalid request: {summary}", reason=reason)

    @classmethod
    def field(cls, field: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(field, description)])

    def renamed(self, paths: Mapping[str, str]) -> InvalidArgument:
        """The same error with field paths that start with a key of `paths` moved under its
        value: what a service that forwards a field under another name reports, so that the
        caller reads the path of its own request (`filter.valid_at` -> `relation_filter.valid_at`).
        """
        return InvalidArgument(
            [FieldViolation(_renamed(v.field, paths), v.description) for v in self.violations],
            reason=self.reason,
        )

    def details(self) -> list[any_pb2.Any]:
        """BadRequest with as many violations as fit in a status; the last one says how
        many more there were (a batch of 1,000 bad items reports the first few dozen)."""
        bad_request = error_details_pb2.BadRequest()
        budget = MAX_STATUS_DETAILS_BYTES - MAX_DETAIL_TEXT_BYTES
        for index, v in enumerate(self.violations):
            violation = error_details_pb2.BadRequest.FieldViolation(
                field=_clipped(v.field), description=_clipped(v.description)
            )
            if bad_request.ByteSize() + violation.ByteSize() + 4 > budget:
                unlisted = len(self.violations) - index
                bad_request.field_violations.add(
                    field="", description=f"{unlisted} more problems not listed"
                )
                break
            bad_request.field_violations.append(violation)
        return [*super().details(), _pack(bad_request)]


class _ResourceError(MemgridError):
    def __init__(
        self,
        resource_type: str,
        resource_name: str,
        message: str | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        self.resource_type = resource_type
        self.resource_name = resource_name
        super().__init__(message or self._default_message(), reason=reason)

    def _default_message(self) -> str:
        return f"{self.resource_type} {self.resource_name!r}"

    def details(self) -> list[any_pb2.Any]:
        info = error_details_pb2.ResourceInfo(
            resource_type=self.resource_type, resource_name=_clipped(self.resource_name)
        )
        return [*super().details(), _pack(info)]


class NotFound(_ResourceError):
    """No such resource in the caller's tenant (never 'it belongs to someone else')."""

    code = grpc.StatusCode.NOT_FOUND
    default_reason = "NOT_FOUND"

    def _default_message(self) -> str:
        return f"{self.resource_type} {self.resource_name!r} not found"


class AlreadyExists(_ResourceError):
    code = grpc.StatusCode.ALREADY_EXISTS
    default_reason = "ALREADY_EXISTS"

    def _default_message(self) -> str:
        return f"{self.resource_type} {self.resource_name!r} already exists"


class PermissionDenied(_ResourceError):
    code = grpc.StatusCode.PERMISSION_DENIED
    default_reason = "PERMISSION_DENIED"

    def _default_message(self) -> str:
        return f"no access to {self.resource_type} {self.resource_name!r}"


class FailedPrecondition(MemgridError):
    """The request is well-formed but the system is not in a state that allows it."""

    code = grpc.StatusCode.FAILED_PRECONDITION
    default_reason = "FAILED_PRECONDITION"


class Aborted(MemgridError):
    """A concurrency conflict (e.g. a stale expected_version): re-read and retry."""

    code = grpc.StatusCode.ABORTED
    default_reason = "ABORTED"


class Unauthenticated(MemgridError):
    code = grpc.StatusCode.UNAUTHENTICATED
    default_reason = "UNAUTHENTICATED"


class ResourceExhausted(MemgridError):
    """A quota is spent. With retry_after_seconds (a rate limit, which refills) the status
    carries a RetryInfo saying when a retry can succeed; without it (a spent token budget,
    a reply too large) waiting does not help, and clients do not retry."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    default_reason = "RESOURCE_EXHAUSTED"

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: float | None = None,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, metadata=metadata)
        self.retry_after_seconds = retry_after_seconds

    def details(self) -> list[any_pb2.Any]:
        if self.retry_after_seconds is None:
            return super().details()
        return [*super().details(), _retry_info(self.retry_after_seconds)]


class Unavailable(MemgridError):
    """A backend or downstream service is down; the call is safe to retry later."""

    code = grpc.StatusCode.UNAVAILABLE
    default_reason = "UNAVAILABLE"

    def __init__(
        self,
        message: str,
        *,
        retry_after_seconds: float = 1.0,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, metadata=metadata)
        self.retry_after_seconds = retry_after_seconds

    def details(self) -> list[any_pb2.Any]:
        return [*super().details(), _retry_info(self.retry_after_seconds)]


class DeadlineExceeded(MemgridError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED
    default_reason = "DEADLINE_EXCEEDED"


class Internal(MemgridError):
    """An unexpected failure. The message is generic; the log has the cause."""

    code = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL"


_BY_CODE: dict[grpc.StatusCode, type[MemgridError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        NotFound,
        AlreadyExists,
        PermissionDenied,
        FailedPrecondition,
        Aborted,
        Unauthenticated,
        ResourceExhausted,
        Unavailable,
        DeadlineExceeded,
        Internal,
    )
}


def to_status(error: MemgridError) -> grpc.Status:
    """The rich status a server sends for a domain error."""
    status = status_pb2.Status(
        code=_CODE_NUMBER[error.code],
        message=_clipped(error.message, MAX_STATUS_MESSAGE_BYTES),
        details=error.details(),
    )
    return rpc_status.to_status(status)


def _clipped(text: str, max_bytes: int = MAX_DETAIL_TEXT_BYTES) -> str:
    """text cut to at most max_bytes of UTF-8, at a character boundary, marked when cut."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max_bytes - 3].decode("utf-8", errors="ignore") + "..."


def from_rpc_error(error: grpc.RpcError) -> MemgridError:
    """Rebuilds the domain error a server sent, from the code and its rich details."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = (error.details() if hasattr(error, "details") else None) or str(code)
    status = _rich_status(error)
    info = None
    violations: list[FieldViolation] = []
    resource = None
    retry_after: float | None = None
    for detail in status.details if status is not None else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = [FieldViolation(v.field, v.description) for v in bad.field_violations]
        elif detail.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
            resource = error_details_pb2.ResourceInfo()
            detail.Unpack(resource)
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            retry_after = retry.retry_delay.ToNanoseconds() / 1e9
    reason = info.reason if info is not None else None
    metadata = dict(info.metadata) if info is not None else None

    cls = _BY_CODE.get(code)
    result: MemgridError
    if cls is InvalidArgument:
        result = InvalidArgument(violations or [FieldViolation("", message)], reason=reason)
    elif cls is not None and issubclass(cls, _ResourceError):
        result = cls(
            resource.resource_type if resource else "",
            resource.resource_name if resource else "",
            message,
            reason=reason,
        )
    elif cls is Unavailable:
        result = Unavailable(
            message,
            retry_after_seconds=1.0 if retry_after is None else retry_after,
            reason=reason,
            metadata=metadata,
        )
    elif cls is ResourceExhausted:
        result = ResourceExhausted(
            message, retry_after_seconds=retry_after, reason=reason, metadata=metadata
        )
    elif cls is not None:
        result = cls(message, reason=reason, metadata=metadata)
    else:
        # CANCELLED, UNKNOWN, UNIMPLEMENTED, DATA_LOSS...: nothing a caller can act on.
        result = Internal(message, reason=reason or code.name, metadata=metadata)
    result.__cause__ = error
    return result


def _renamed(field: str, paths: Mapping[str, str]) -> str:
    for old, new in paths.items():
        if field == old or field.startswith((old + ".", old + "[")):
            return new + field[len(old) :]
    return field


def _rich_status(error: grpc.RpcError) -> status_pb2.Status | None:
    try:
        return rpc_status.from_call(error)  # type: ignore[arg-type]
    except (ValueError, AttributeError):
        return None


def _retry_info(seconds: float) -> any_pb2.Any:
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(seconds * 1e9))
    return _pack(error_details_pb2.RetryInfo(retry_delay=delay))


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


_CODE_NUMBER: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND: code_pb2.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    grpc.StatusCode.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    grpc.StatusCode.ABORTED: code_pb2.ABORTED,
    grpc.StatusCode.UNAUTHENTICATED: code_pb2.UNAUTHENTICATED,
    grpc.StatusCode.RESOURCE_EXHAUSTED: code_pb2.RESOURCE_EXHAUSTED,
    grpc.StatusCode.UNAVAILABLE: code_pb2.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: code_pb2.DEADLINE_EXCEEDED,
    grpc.StatusCode.INTERNAL: code_pb2.INTERNAL,
}
