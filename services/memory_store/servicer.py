"""MemoryStoreService over gRPC: validate the request, call the store, shape the response."""

from __future__ import annotations

from typing import Any

import grpc
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid.memory.v1 import service_pb2_grpc
from memgrid_runtime.errors import ResourceExhausted

from . import validation
from .limits import RequestLimits
from .store.base import MemoryChange, MemoryStore

Context = grpc.aio.ServicerContext[Any, Any]


class MemoryStoreServicer(service_pb2_grpc.MemoryStoreServiceServicer):
    def __init__(self, store: MemoryStore, limits: RequestLimits) -> None:
        self._store = store
        self._limits = limits

    async def CreateMemories(
        self, request: rr.CreateMemoriesRequest, context: Context
    ) -> rr.CreateMemoriesResponse:
        validation.validate_create_memories(request, self._limits)
        return await self._store.create_memories(request)

    async def AppendMessages(
        self, request: rr.AppendMessagesRequest, context: Context
    ) -> rr.AppendMessagesResponse:
        validation.validate_append_messages(request, self._limits)
        return await self._store.append_messages(request)

    async def GetMemory(
        self, request: rr.GetMemoryRequest, context: Context
    ) -> rr.GetMemoryResponse:
        validation.validate_get_memory(request)
        memory = await self._store.get_memory(request.tenant_id, request.id)
        return rr.GetMemoryResponse(memory=memory)

    async def BatchGetMemories(
        self, request: rr.BatchGetMemoriesRequest, context: Context
    ) -> rr.BatchGetMemoriesResponse:
        validation.validate_batch_get_memories(request, self._limits)
        found = await self._store.get_memories(request.tenant_id, request.ids)
        reply = rr.BatchGetMemoriesResponse(memories=found.memories, missing_ids=found.missing_ids)
        # Ids have no page token to continue from: a reply past the budget is refused whole,
        # and the caller asks for fewer ids at a time.
        if reply.ByteSize() > self._limits.max_reply_bytes:
            raise ResourceExhausted(
                f"the {len(found.memories)} memories asked for come to {reply.ByteSize()} bytes,"
                f" over the reply budget of {self._limits.max_reply_bytes}"
                " (MEMGRID_MAX_REPLY_BYTES): ask for fewer ids at a time",
                reason="REPLY_TOO_LARGE",
                metadata={"field": "ids"},
            )
        return reply

    async def UpdateMemory(
        self, request: rr.UpdateMemoryRequest, context: Context
    ) -> rr.UpdateMemoryResponse:
        validation.validate_update_memory(request, self._limits)
        memory = await self._store.update_memory(
            request.tenant_id,
            request.id,
            request.update,
            request.update_mask.paths,
            request.expected_version,
        )
        return rr.UpdateMemoryResponse(memory=memory)

    async def UpdateMemories(
        self, request: rr.UpdateMemoriesRequest, context: Context
    ) -> rr.UpdateMemoriesResponse:
        validation.validate_update_memories(request, self._limits)
        memories = await self._store.update_memories(
            request.tenant_id,
            [
                MemoryChange(item.id, item.update, item.update_mask.paths, item.expected_version)
                for item in request.updates
            ],
        )
        return rr.UpdateMemoriesResponse(memories=memories)

    async def DeleteMemory(
        self, request: rr.DeleteMemoryRequest, context: Context
    ) -> rr.DeleteMemoryResponse:
        validation.validate_delete_memory(request)
        erasure = await self._store.delete_memory(request.tenant_id, request.id)
        return rr.DeleteMemoryResponse(
            id=request.id, versions_deleted=erasure.versions[request.id], derived=erasure.derived
        )

    async def DeleteMemories(
        self, request: rr.DeleteMemoriesRequest, context: Context
    ) -> rr.DeleteMemoriesResponse:
        validation.validate_delete_memories(request, self._limits)
        erasure = await self._store.delete_memories(request.tenant_id, request.filter)
        return rr.DeleteMemoriesResponse(
            deleted_count=len(erasure.named_ids),
            deleted_ids=erasure.named_ids,
            derived=erasure.derived,
        )

    async def EraseUser(
        self, request: rr.EraseUserRequest, context: Context
    ) -> rr.EraseUserResponse:
        validation.validate_erase_user(request)
        erased = await self._store.erase_user(request.tenant_id, request.user_id)
        return rr.EraseUserResponse(receipt=erased.receipt, deleted_ids=erased.deleted_ids)

    async def EraseTenant(
        self, request: rr.EraseTenantRequest, context: Context
    ) -> rr.EraseTenantResponse:
        validation.validate_erase_tenant(request)
        erased = await self._store.erase_tenant(request.tenant_id)
        return rr.EraseTenantResponse(receipt=erased.receipt, deleted_ids=erased.deleted_ids)

    async def ListMemories(
        self, request: rr.ListMemoriesRequest, context: Context
    ) -> rr.ListMemoriesResponse:
        validation.validate_list_memories(request, self._limits)
        page = await self._store.list_memories(
            request.tenant_id,
            request.filter,
            request.page_size or self._limits.default_page_size,
            request.page_token,
            max_bytes=self._limits.max_reply_bytes,
        )
        return rr.ListMemoriesResponse(memories=page.memories, next_page_token=page.next_page_token)

    async def GetMemoryHistory(
        self, request: rr.GetMemoryHistoryRequest, context: Context
    ) -> rr.GetMemoryHistoryResponse:
        validation.validate_get_memory_history(request)
        versions = await self._store.memory_history(request.tenant_id, request.id)
        return rr.GetMemoryHistoryResponse(versions=versions)

    async def RecordVisits(
        self, request: rr.RecordVisitsRequest, context: Context
    ) -> rr.RecordVisitsResponse:
        validation.validate_record_visits(request, self._limits)
        updated = await self._store.record_visits(
            request.tenant_id, request.ids, request.interaction_length, request.visits or 1
        )
        return rr.RecordVisitsResponse(updated_count=updated)

    async def CreateCube(
        self, request: rr.CreateCubeRequest, context: Context
    ) -> rr.CreateCubeResponse:
        validation.validate_create_cube(request, self._limits)
        cube = await self._store.create_cube(
            request.tenant_id,
            request.cube_id,
            request.owner_user_id,
            request.name,
            request.description,
        )
        return rr.CreateCubeResponse(cube=cube)

    async def ListCubes(
        self, request: rr.ListCubesRequest, context: Context
    ) -> rr.ListCubesResponse:
        validation.validate_list_cubes(request)
        cubes = await self._store.list_cubes(request.tenant_id, request.user_id)
        return rr.ListCubesResponse(cubes=cubes)

    async def ShareCube(
        self, request: rr.ShareCubeRequest, context: Context
    ) -> rr.ShareCubeResponse:
        validation.validate_cube_grant(request)
        cube = await self._store.share_cube(
            request.tenant_id, request.cube_id, request.owner_user_id, request.reader_user_id
        )
        return rr.ShareCubeResponse(cube=cube)

    async def UnshareCube(
        self, request: rr.UnshareCubeRequest, context: Context
    ) -> rr.UnshareCubeResponse:
        validation.validate_cube_grant(request)
        cube = await self._store.unshare_cube(
            request.tenant_id, request.cube_id, request.owner_user_id, request.reader_user_id
        )
        return rr.UnshareCubeResponse(cube=cube)

    async def EnqueueJob(
        self, request: rr.EnqueueJobRequest, context: Context
    ) -> rr.EnqueueJobResponse:
        validation.validate_enqueue_job(request, self._limits)
        enqueued = await self._store.enqueue_job(
            request.tenant_id, request.queue, request.event, request.memory_id, request.dedup_key
        )
        return rr.EnqueueJobResponse(job=enqueued.job, created=enqueued.created)

    async def LeaseJobs(
        self, request: rr.LeaseJobsRequest, context: Context
    ) -> rr.LeaseJobsResponse:
        validation.validate_lease_jobs(request, self._limits)
        jobs = await self._store.lease_jobs(
            request.queue,
            request.worker_id,
            request.max_jobs,
            request.visibility_timeout_seconds,
            _wait_within_deadline(request.wait_milliseconds / 1000, context),
        )
        return rr.LeaseJobsResponse(jobs=jobs)

    async def AckJobs(self, request: rr.AckJobsRequest, context: Context) -> rr.AckJobsResponse:
        validation.validate_ack_jobs(request, self._limits)
        lost = await self._store.ack_jobs(request.acks)
        return rr.AckJobsResponse(lost_job_ids=lost)

    async def NackJob(self, request: rr.NackJobRequest, context: Context) -> rr.NackJobResponse:
        validation.validate_nack_job(request, self._limits)
        job = await self._store.nack_job(
            request.job_id,
            request.lease_token,
            request.error,
            request.retry_after_seconds,
            dependency_unavailable=request.dependency_unavailable,
        )
        return rr.NackJobResponse(job=job)

    async def ExtendLease(
        self, request: rr.ExtendLeaseRequest, context: Context
    ) -> rr.ExtendLeaseResponse:
        validation.validate_extend_lease(request, self._limits)
        job = await self._store.extend_lease(
            request.job_id, request.lease_token, request.visibility_timeout_seconds
        )
        return rr.ExtendLeaseResponse(job=job)

    async def GetJob(self, request: rr.GetJobRequest, context: Context) -> rr.GetJobResponse:
        validation.validate_get_job(request)
        job = await self._store.get_job(request.job_id, request.tenant_id)
        return rr.GetJobResponse(job=job)

    async def ListJobs(self, request: rr.ListJobsRequest, context: Context) -> rr.ListJobsResponse:
        validation.validate_list_jobs(request, self._limits)
        page = await self._store.list_jobs(
            request.queue,
            request.state,
            request.tenant_id,
            request.page_size or self._limits.default_page_size,
            request.page_token,
        )
        return rr.ListJobsResponse(jobs=page.jobs, next_page_token=page.next_page_token)

    async def RetryDeadJob(
        self, request: rr.RetryDeadJobRequest, context: Context
    ) -> rr.RetryDeadJobResponse:
        validation.validate_retry_dead_job(request)
        job = await self._store.retry_dead_job(request.job_id, request.tenant_id)
        return rr.RetryDeadJobResponse(job=job)

    async def GetQueueStats(
        self, request: rr.GetQueueStatsRequest, context: Context
    ) -> rr.GetQueueStatsResponse:
        validation.validate_get_queue_stats(request, self._limits)
        stats = await self._store.queue_stats(request.queues)
        return rr.GetQueueStatsResponse(stats=stats)

    async def ExportMemories(
        self, request: rr.ExportMemoriesRequest, context: Context
    ) -> rr.ExportMemoriesResponse:
        validation.validate_export_memories(request, self._limits)
        page = await self._store.export_memories(
            request.tenant_id,
            request.after_id,
            request.page_size or self._limits.default_export_page_size,
            request.changed_since if request.HasField("changed_since") else None,
            max_bytes=self._limits.max_reply_bytes,
        )
        return rr.ExportMemoriesResponse(memories=page.memories, next_after_id=page.next_after_id)

    async def CountMemories(
        self, request: rr.CountMemoriesRequest, context: Context
    ) -> rr.CountMemoriesResponse:
        validation.validate_count_memories(request)
        count = await self._store.count_memories(request.tenant_id)
        return rr.CountMemoriesResponse(count=count)


# A waiting lease answers this long before the caller's deadline, so that the jobs it
# leased in its last look still reach the caller instead of being lost with the call.
_DEADLINE_MARGIN_SECONDS = 0.5


def _wait_within_deadline(wait_seconds: float, context: Context) -> float:
    remaining = context.time_remaining()
    if remaining is None:
        return wait_seconds
    return max(min(wait_seconds, remaining - _DEADLINE_MARGIN_SECONDS), 0.0)
