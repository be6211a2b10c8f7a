"""The Python SDK of memgrid: `Memgrid` (sync) and `AsyncMemgrid` (asyncio) over the
gateway's generated stubs, `SimpleMemgrid` and `AsyncSimpleMemgrid` (Mem0-style, plain
Python data in and out) over those, and the `memgrid` CLI.

Every failed call raises a `MemgridError` subclass (memgrid_client.errors) with the gRPC
code and the parsed details; `InvalidArgument.violations` names each bad field.
"""

from memgrid_client.client import AsyncMemgrid, MemgridClient
from memgrid_client.connection import DEFAULT_ADDRESS, DEV_API_KEY
from memgrid_client.errors import (
    Aborted,
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    FieldViolation,
    Internal,
    InvalidArgument,
    MemgridError,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from memgrid_client.retry import RetryPolicy
from memgrid_client.simple import AsyncSimpleMemgrid, SimpleMemgrid
from memgrid_client.sync_client import Memgrid

__all__ = [
    "DEFAULT_ADDRESS",
    "DEV_API_KEY",
    "Aborted",
    "AlreadyExists",
    "AsyncMemgrid",
    "AsyncSimpleMemgrid",
    "DeadlineExceeded",
    "FailedPrecondition",
    "FieldViolation",
    "Internal",
    "InvalidArgument",
    "Memgrid",
    "MemgridClient",
    "MemgridError",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "RetryPolicy",
    "SimpleMemgrid",
    "Unauthenticated",
    "Unavailable",
]
