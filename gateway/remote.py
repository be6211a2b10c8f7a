"""Calls from the gateway to the services behind it."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import grpc
from memgrid_runtime.errors import from_rpc_error

T = TypeVar("T")


async def downstream(call: Awaitable[T]) -> T:
    """Awaits a call to another service, re-raising its error as the same domain error
    (code and details), so the caller sees what the owning service said."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        raise from_rpc_error(exc) from None
