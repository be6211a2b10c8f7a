"""Whose data a public call may reach: every read and bulk delete names its user.

A tenant holds many users' memories. Inside memgrid, services read whole tenants (the
thought engine, a rebuild of the index); the public API never does, so a request whose
filter names no user_id would otherwise return (or delete) every user's data. With
cube_ids the user_id names the reader, whose access to each cube is then checked by
memory-store (ListMemories, DeleteMemories, which needs the user to own the cube) or by
the gateway before search (Search, GetRelatedMemories).
"""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime.errors import InvalidArgument


def require_user(memory_filter: common.MemoryFilter, path: str = "filter") -> None:
    """INVALID_ARGUMENT naming `<path>.user_id` when the filter names no user."""
    if not memory_filter.user_id.strip():
        raise InvalidArgument.field(
            f"{path}.user_id",
            "required: whose memories (with cube_ids, the user reading those cubes)",
        )


def require_user_id(user_id: str, path: str) -> None:
    """For requests that name the user in a field of their own (the graph queries)."""
    if not user_id.strip():
        raise InvalidArgument.field(path, "required: whose graph to read")
