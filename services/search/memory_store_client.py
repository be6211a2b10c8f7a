"""The calls search makes to memory-store, with its errors rebuilt as domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import grpc
from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2, service_pb2_grpc
from memgrid.memory.v1 import request_response_pb2 as mrr
from memgrid_runtime.errors import from_rpc_error

SERVICE = "memgrid.memory.v1.MemoryStoreService"
# Safe to retry on UNAVAILABLE: reads, and acks (acking a job twice is harmless).
IDEMPOTENT_METHODS = [
    f"{SERVICE}/{name}"
    for name in ("BatchGetMemories", "ExportMemories", "CountMemories", "AckJobs")
]


class MemoryStoreClient:
    def __init__(self, channel: grpc.aio.Channel, *, export_page_size: int = 500) -> None:
        self._stub = service_pb2_grpc.MemoryStoreServiceStub(channel)
        self._export_page_size = export_page_size

    async def batch_get(
        self, tenant_id: str, ids: Sequence[str]
    ) -> tuple[list[memory_pb2.Memory], list[str]]:
        """The memories that exist, and the ids that do not (deleted or expired)."""
        try:
            response = await self._stub.BatchGetMemories(
                mrr.BatchGetMemoriesRequest(tenant_id=tenant_id, ids=list(ids))
            )
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
        return list(response.memories), list(response.missing_ids)

    async def export(self, tenant_id: str) -> AsyncIterator[list[memory_pb2.Memory]]:
        after_id = ""
        while True:
            try:
                page = await self._stub.ExportMemories(
                    mrr.ExportMemoriesRequest(
                        tenant_id=tenant_id, after_id=after_id, page_size=self._export_page_size
                    )
                )
            except grpc.RpcError as error:
                raise from_rpc_error(error) from error
            if page.memories:
                yield list(page.memories)
            if not page.next_after_id:
                return
            after_id = page.next_after_id

    async def count(self, tenant_id: str) -> int:
        try:
            response = await self._stub.CountMemories(mrr.CountMemoriesRequest(tenant_id=tenant_id))
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
        return int(response.count)

    async def lease_jobs(
        self, queue: str, worker_id: str, max_jobs: int, visibility_timeout_seconds: int
    ) -> list[job_pb2.Job]:
        try:
            response = await self._stub.LeaseJobs(
                mrr.LeaseJobsRequest(
                    queue=queue,
                    worker_id=worker_id,
                    max_jobs=max_jobs,
                    visibility_timeout_seconds=visibility_timeout_seconds,
                )
            )
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
        return list(response.jobs)

    async def ack(self, jobs: Sequence[job_pb2.Job], note: str = "") -> list[str]:
        """Acks the jobs; returns those whose lease was lost meanwhile."""
        if not jobs:
            return []
        acks = [
            mrr.AckJobsRequest.Ack(job_id=j.id, lease_token=j.lease_token, note=note) for j in jobs
        ]
        try:
            response = await self._stub.AckJobs(mrr.AckJobsRequest(acks=acks))
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
        return list(response.lost_job_ids)

    async def nack(self, job: job_pb2.Job, error_text: str, retry_after_seconds: int = 0) -> None:
        try:
            await self._stub.NackJob(
                mrr.NackJobRequest(
                    job_id=job.id,
                    lease_token=job.lease_token,
                    error=error_text[:1000],
                    retry_after_seconds=retry_after_seconds,
                )
            )
        except grpc.RpcError as error:
            raise from_rpc_error(error) from error
