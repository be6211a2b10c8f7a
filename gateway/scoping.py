"""Whose data a public call may reach: every read and bulk delete names its user.

A tenant holds many users' memories. Inside memgrid, services read whole tenants (the
thought engine, a rebuild of the index); the public API never does, so a request whose
filter names no user_id would otherwise return (or delete) every user's data. With
cube_ids the user_id names the reader, whose access to each cube is then checked by
memory-store (ListMemories, DeleteMemories, which needs the user to own the cube) or by
the gateway before search (Search, GetRelatedMemories).

An end-user API key (MEMGRID_API_KEYS entry tenant/user) acts for one user: every user
field it names must be that user's, and reads by id return only what that user may read
(their memories, and those of cubes shared with them), answering NOT_FOUND otherwise, as
for a memory that does not exist.
"""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2 as common
from memgrid_runtime.errors import InvalidArgument, PermissionDenied

from gateway.auth import Caller


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


def require_own_user(caller: Caller, user_id: str, field: str) -> None:
    """An end-user key acts for one user: a request naming another one (in `field`, as the
    caller spelled it) is PERMISSION_DENIED. Service keys may name any user."""
    if caller.user_id is not None and user_id != caller.user_id:
        raise PermissionDenied(
            "user",
            user_id,
            f"this API key acts for one user only; {field} names another",
            reason="API_KEY_BOUND_TO_ANOTHER_USER",
        )


def owned_by(caller: Caller, memory: common.Memory, readable_cubes: frozenset[str]) -> bool:
    """Whether an end-user key may read the memory: its own, or in a cube it may read."""
    if caller.user_id is None:
        return True
    return memory.scope.user_id == caller.user_id or memory.scope.cube_id in readable_cubes
