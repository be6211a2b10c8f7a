"""Calls from the gateway to the services behind it."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TypeVar

import grpc
from memgrid_runtime.errors import InvalidArgument, from_rpc_error

T = TypeVar("T")


async def downstream(call: Awaitable[T], *, field_paths: Mapping[str, str] | None = None) -> T:
    """Awaits a call to another service, re-raising its error as the same domain error
    (code and details), so the caller sees what the owning service said.

    field_paths maps the downstream request's field names to the public request's, for the
    fields the gateway forwards under another name (its violations then name the caller's).
    """
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        error = from_rpc_error(exc)
        if field_paths and isinstance(error, InvalidArgument):
            error = error.renamed(field_paths)
        raise error from None
