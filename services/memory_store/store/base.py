"""The storage interface of memory-store, which every backend implements.

It speaks the generated proto types, so a memory read from the database goes out in a
response unchanged. Every memory operation is scoped to one tenant: an id from another
tenant behaves exactly like an id that does not exist. Bad input that only the store can
see (a page token from another query, a successor that does not exist) raises
InvalidArgument; other failures raise the domain errors named on each method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr

# Half of the 16 MiB message limit: a page of memories must fit in memory-store's reply and
# again in the gateway's, with room for the envelope (MEMGRID_MAX_REPLY_BYTES).
DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024


@dataclass
class Erasure:
    """What a delete removed: the memories it named and everything that went with them."""

    named_ids: list[str]
    """The memories the caller's delete named, in its order."""
    versions: dict[str, int]
    """History entries removed, per deleted memory (named and derived)."""
    derived: memory_pb2.DerivedChanges = field(default_factory=memory_pb2.DerivedChanges)

    @property
    def all_deleted_ids(self) -> list[str]:
        return list(self.versions)


@dataclass(frozen=True)
class ErasedScope:
    """What EraseUser or EraseTenant removed."""

    receipt: memory_pb2.ErasureReceipt
    deleted_ids: list[str]


@dataclass(frozen=True)
class MemoryPage:
    memories: list[memory_pb2.Memory]
    # Empty on the last page.
    next_page_token: str


@dataclass(frozen=True)
class ExportPage:
    memories: list[memory_pb2.Memory]
    # Empty after the last page.
    next_after_id: str


@dataclass(frozen=True)
class FoundMemories:
    # In request order.
    memories: list[memory_pb2.Memory]
    missing_ids: list[str]


@dataclass(frozen=True)
class MemoryChange:
    """One item of update_memories: update_memory's arguments for one memory."""

    memory_id: str
    update: memory_pb2.MemoryUpdate
    paths: Sequence[str]
    expected_version: int = 0


@dataclass(frozen=True)
class EnqueuedJob:
    job: job_pb2.Job
    # False when a pending job with the same dedup key was returned instead.
    created: bool


@dataclass(frozen=True)
class JobPage:
    jobs: list[job_pb2.Job]
    next_page_token: str


class MemoryStore(Protocol):
    # --- memories -----------------------------------------------------------------------

    async def create_memories(self, request: rr.CreateMemoriesRequest) -> rr.CreateMemoriesResponse:
        """Stores the batch atomically, with history and outbox jobs. Replays the stored
        response for a repeated idempotency key; FailedPrecondition
        (IDEMPOTENCY_KEY_REUSED) for the key with another request; NotFound / PermissionDenied
        for an unknown cube / one the scope's user does not own."""
        ...

    async def append_messages(self, request: rr.AppendMessagesRequest) -> rr.AppendMessagesResponse:
        """Appends MESSAGE memories numbered after the session's last; errors as create."""
        ...

    async def get_memory(self, tenant_id: str, memory_id: str) -> memory_pb2.Memory:
        """NotFound when missing or expired."""
        ...

    async def get_memories(self, tenant_id: str, memory_ids: Sequence[str]) -> FoundMemories: ...

    async def update_memory(
        self,
        tenant_id: str,
        memory_id: str,
        update: memory_pb2.MemoryUpdate,
        paths: Sequence[str],
        expected_version: int = 0,
    ) -> memory_pb2.Memory:
        """Applies the fields named in `paths`. NotFound; Aborted (VERSION_MISMATCH, with
        metadata current_version) when expected_version is set and stale."""
        ...

    async def update_memories(
        self, tenant_id: str, changes: Sequence[MemoryChange]
    ) -> list[memory_pb2.Memory]:
        """update_memory for each change, in one transaction: all apply or none."""
        ...

    async def delete_memory(self, tenant_id: str, memory_id: str) -> Erasure:
        """Deletes the memory, its history, and what was derived from it as DerivedChanges
        in common/v1/memory.proto says. NotFound."""
        ...

    async def delete_memories(
        self, tenant_id: str, memory_filter: memory_pb2.MemoryFilter
    ) -> Erasure:
        """Deletes every match (see delete_memory)."""
        ...

    async def erase_user(self, tenant_id: str, user_id: str) -> ErasedScope:
        """Deletes everything of the user (see EraseUser in memory/v1/service.proto)."""
        ...

    async def erase_tenant(self, tenant_id: str) -> ErasedScope:
        """Deletes everything of the tenant."""
        ...

    async def list_memories(
        self,
        tenant_id: str,
        memory_filter: memory_pb2.MemoryFilter,
        page_size: int,
        page_token: str = "",
        max_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> MemoryPage:
        """Oldest first, at most page_size memories and max_bytes of them encoded (at least
        one). InvalidArgument on page_token; PermissionDenied for a cube the filter's user
        may not read; NotFound for an unknown cube."""
        ...

    async def memory_history(
        self, tenant_id: str, memory_id: str
    ) -> list[memory_pb2.MemoryVersion]: ...

    async def record_visits(
        self, tenant_id: str, memory_ids: Sequence[str], interaction_length: int, visits: int = 1
    ) -> int:
        """Adds `visits` visits (and their heat) to each live memory named; returns how
        many memories there were."""
        ...

    async def export_memories(
        self,
        tenant_id: str,
        after_id: str,
        page_size: int,
        changed_since: timestamp_pb2.Timestamp | None = None,
        max_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> ExportPage:
        """By id, at most page_size memories and max_bytes of them encoded (at least one)."""
        ...

    async def count_memories(self, tenant_id: str) -> int: ...

    # --- cubes --------------------------------------------------------------------------

    async def create_cube(
        self, tenant_id: str, cube_id: str, owner_user_id: str, name: str, description: str
    ) -> memory_pb2.Cube:
        """AlreadyExists when the id is taken in the tenant."""
        ...

    async def list_cubes(self, tenant_id: str, user_id: str) -> list[memory_pb2.Cube]: ...

    async def share_cube(
        self, tenant_id: str, cube_id: str, owner_user_id: str, reader_user_id: str
    ) -> memory_pb2.Cube:
        """NotFound; PermissionDenied when owner_user_id is not the owner."""
        ...

    async def unshare_cube(
        self, tenant_id: str, cube_id: str, owner_user_id: str, reader_user_id: str
    ) -> memory_pb2.Cube: ...

    # --- jobs ---------------------------------------------------------------------------

    async def enqueue_job(
        self,
        tenant_id: str,
        queue: str,
        event: job_pb2.JobEvent,
        memory_id: str = "",
        dedup_key: str = "",
    ) -> EnqueuedJob: ...

    async def lease_jobs(
        self,
        queue: str,
        worker_id: str,
        max_jobs: int,
        visibility_timeout_seconds: int,
        wait_seconds: float = 0.0,
    ) -> list[job_pb2.Job]:
        """Up to max_jobs available jobs, each leased to this caller alone; with
        wait_seconds, waits that long at most for a first one to arrive."""
        ...

    async def ack_jobs(self, acks: Sequence[rr.AckJobsRequest.Ack]) -> list[str]:
        """Marks the jobs done; returns the ids whose lease was no longer held."""
        ...

    async def nack_job(
        self,
        job_id: str,
        lease_token: str,
        error: str,
        retry_after_seconds: int = 0,
        *,
        dependency_unavailable: bool = False,
    ) -> job_pb2.Job:
        """Back to PENDING after a delay, or DEAD when out of attempts; with
        dependency_unavailable the attempt is given back and the job is never DEAD.
        NotFound; FailedPrecondition (LEASE_NOT_HELD)."""
        ...

    async def extend_lease(
        self, job_id: str, lease_token: str, visibility_timeout_seconds: int
    ) -> job_pb2.Job: ...

    async def get_job(self, job_id: str, tenant_id: str = "") -> job_pb2.Job: ...

    async def list_jobs(
        self, queue: str, state: int, tenant_id: str, page_size: int, page_token: str = ""
    ) -> JobPage:
        """Newest first."""
        ...

    async def retry_dead_job(self, job_id: str, tenant_id: str = "") -> job_pb2.Job:
        """FailedPrecondition (JOB_NOT_DEAD) unless the job is dead; NotFound when it is
        not in `tenant_id` (if given)."""
        ...

    async def queue_stats(self, queues: Sequence[str] = ()) -> list[job_pb2.QueueStats]: ...

    # --- maintenance --------------------------------------------------------------------

    async def delete_expired_memories(self, limit: int) -> int:
        """Deletes up to `limit` expired memories like delete_memory; returns how many."""
        ...

    async def delete_expired_idempotency_keys(self) -> int: ...

    async def purge_done_jobs(self, older_than_seconds: float) -> int: ...

    async def close(self) -> None: ...
