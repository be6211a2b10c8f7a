"""gRPC statuses as HTTP answers (gateway/rest/http_errors.py): the status of each code, the
google.rpc.Status body with its details, and the headers RetryInfo and 401 call for."""

from __future__ import annotations

import json

import grpc
import pytest
from google.rpc import status_pb2
from memgrid_runtime import errors

from gateway.rest.http_errors import HTTP_STATUS_OF_CODE, HttpError


@pytest.mark.parametrize(
    ("code", "http_status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.FAILED_PRECONDITION, 400),
        (grpc.StatusCode.OUT_OF_RANGE, 400),
        (grpc.StatusCode.UNAUTHENTICATED, 401),
        (grpc.StatusCode.PERMISSION_DENIED, 403),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.ALREADY_EXISTS, 409),
        (grpc.StatusCode.ABORTED, 409),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
        (grpc.StatusCode.CANCELLED, 499),
        (grpc.StatusCode.INTERNAL, 500),
        (grpc.StatusCode.UNKNOWN, 500),
        (grpc.StatusCode.DATA_LOSS, 500),
        (grpc.StatusCode.UNIMPLEMENTED, 501),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    ],
)
def test_each_code_has_its_http_status(code: grpc.StatusCode, http_status: int) -> None:
    assert HTTP_STATUS_OF_CODE[code] == http_status
    answer = HttpError.from_status(status_pb2.Status(code=code.value[0], message="m"))
    assert answer.http_status == http_status
    assert json.loads(answer.body) == {"code": code.value[0], "message": "m"}


def test_every_code_is_mapped() -> None:
    assert set(HTTP_STATUS_OF_CODE) == set(grpc.StatusCode)


def test_a_bad_request_keeps_its_field_violations_and_error_info() -> None:
    answer = HttpError.from_error(errors.InvalidArgument.field("memories[3].content", "empty"))
    body = json.loads(answer.body)
    assert answer.http_status == 400
    assert body["code"] == 3
    by_type = {detail["@type"].rsplit("/", 1)[1]: detail for detail in body["details"]}
    assert by_type["google.rpc.BadRequest"]["fieldViolations"] == [
        {"field": "memories[3].content", "description": "empty"}
    ]
    assert by_type["google.rpc.ErrorInfo"]["domain"] == "memgrid.dev"


@pytest.mark.parametrize(
    ("error", "http_status", "retry_after"),
    [
        (errors.ResourceExhausted("slow down", retry_after_seconds=2.2), 429, "3"),
        (errors.ResourceExhausted("reply too large"), 429, None),
        (errors.Unavailable("search down", retry_after_seconds=1.0), 503, "1"),
    ],
)
def test_retry_info_becomes_retry_after(
    error: errors.MemgridError, http_status: int, retry_after: str | None
) -> None:
    answer = HttpError.from_error(error)
    assert answer.http_status == http_status
    assert answer.headers.get("retry-after") == retry_after


def test_unauthenticated_names_the_scheme() -> None:
    answer = HttpError.from_error(errors.Unauthenticated("missing API key"))
    assert answer.http_status == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
