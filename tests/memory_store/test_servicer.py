"""MemoryStoreService on a real aio server (port 0) over a real SQLite store.

Checks the wiring of every RPC and that errors reach the client as rich statuses: a bad
request is INVALID_ARGUMENT naming its fields and writes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf import field_mask_pb2
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2, service_pb2_grpc
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime import errors
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, start_server
from memgrid_runtime.settings import ServerSettings

from services.memory_store.__main__ import SERVICE
from services.memory_store.limits import RequestLimits
from services.memory_store.servicer import MemoryStoreServicer
from services.memory_store.store.config import StoreConfig
from services.memory_store.store.sqlite import open_sqlite_store
from tests.memory_store.support import TENANT, append_request, create_request, new_memory

if TYPE_CHECKING:
    # Only the type stubs know the aio flavour of the generated stub class.
    from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceAsyncStub as Stub


@pytest.fixture
async def stub(tmp_path: Path) -> AsyncIterator[Stub]:
    store = await open_sqlite_store(tmp_path / "memory-store.db", StoreConfig())
    # A reply budget of a few small memories, so that byte caps show with small data.
    servicer = MemoryStoreServicer(store, RequestLimits(max_batch=10, max_reply_bytes=30_000))
    running = await start_server(
        ServerSettings.for_tests("memory-store"),
        [GrpcService(SERVICE, servicer, service_pb2_grpc.add_MemoryStoreServiceServicer_to_server)],
    )
    channel = connect(running.address)
    try:
        yield service_pb2_grpc.MemoryStoreServiceStub(channel)
    finally:
        await channel.close(grace=None)
        await running.stop(0)
        await store.close()


async def rpc_error(call) -> errors.MemgridError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return errors.from_rpc_error(caught.value)


async def nothing_written(stub: Stub) -> None:
    count = await stub.CountMemories(rr.CountMemoriesRequest(tenant_id=TENANT))
    assert count.count == 0
    stats = await stub.GetQueueStats(rr.GetQueueStatsRequest())
    assert all(s.pending == 0 for s in stats.stats)


async def test_a_bad_create_is_invalid_argument_naming_fields_and_writes_nothing(
    stub: Stub,
) -> None:
    request = create_request(new_memory("fine"), new_memory("", user_id="bad id"))
    error = await rpc_error(stub.CreateMemories(request))
    assert isinstance(error, errors.InvalidArgument)
    assert [v.field for v in error.violations] == [
        "memories[1].scope.user_id",
        "memories[1].content",
    ]
    too_many = create_request(*(new_memory("x") for _ in range(11)))
    error = await rpc_error(stub.CreateMemories(too_many))
    assert isinstance(error, errors.InvalidArgument)
    assert [v.field for v in error.violations] == ["memories"]
    await nothing_written(stub)


async def test_a_bad_append_or_update_writes_nothing(stub: Stub) -> None:
    error = await rpc_error(stub.AppendMessages(append_request("hi", session_id="")))
    assert isinstance(error, errors.InvalidArgument)
    assert [v.field for v in error.violations] == ["scope.session_id"]
    error = await rpc_error(
        stub.UpdateMemory(
            rr.UpdateMemoryRequest(
                tenant_id=TENANT,
                id="m",
                update_mask=field_mask_pb2.FieldMask(paths=["version"]),
            )
        )
    )
    assert isinstance(error, errors.InvalidArgument)
    assert [v.field for v in error.violations] == ["update_mask.paths[0]"]
    await nothing_written(stub)


async def test_a_bad_page_token_is_invalid_argument(stub: Stub) -> None:
    request = rr.ListMemoriesRequest(tenant_id=TENANT, page_token="garbage")
    error = await rpc_error(stub.ListMemories(request))
    assert isinstance(error, errors.InvalidArgument)
    assert [v.field for v in error.violations] == ["page_token"]


async def test_domain_errors_keep_their_code_reason_and_details(stub: Stub) -> None:
    missing = await rpc_error(stub.GetMemory(rr.GetMemoryRequest(tenant_id=TENANT, id="nope")))
    assert isinstance(missing, errors.NotFound)
    assert (missing.resource_type, missing.resource_name) == ("memory", "nope")

    created = await stub.CreateMemories(create_request(new_memory("v1"), idempotency_key="k"))
    memory = created.memories[0]
    stale = rr.UpdateMemoryRequest(
        tenant_id=TENANT,
        id=memory.id,
        expected_version=7,
        update=mpb.MemoryUpdate(content="v2"),
        update_mask=field_mask_pb2.FieldMask(paths=["content"]),
    )
    aborted = await rpc_error(stub.UpdateMemory(stale))
    assert isinstance(aborted, errors.Aborted)
    assert (aborted.reason, aborted.metadata) == ("VERSION_MISMATCH", {"current_version": "1"})

    reused = await rpc_error(
        stub.CreateMemories(create_request(new_memory("other"), idempotency_key="k"))
    )
    assert isinstance(reused, errors.FailedPrecondition)
    assert reused.reason == "IDEMPOTENCY_KEY_REUSED"

    await stub.CreateCube(rr.CreateCubeRequest(tenant_id=TENANT, cube_id="c", owner_user_id="a"))
    taken = await rpc_error(
        stub.CreateCube(rr.CreateCubeRequest(tenant_id=TENANT, cube_id="c", owner_user_id="b"))
    )
    assert isinstance(taken, errors.AlreadyExists)
    denied = await rpc_error(
        stub.ListMemories(
            rr.ListMemoriesRequest(
                tenant_id=TENANT, filter=mpb.MemoryFilter(user_id="b", cube_ids=["c"])
            )
        )
    )
    assert isinstance(denied, errors.PermissionDenied)


async def test_every_memory_rpc_round_trips(stub: Stub) -> None:
    created = await stub.CreateMemories(create_request(new_memory("a"), new_memory("b")))
    first, second = created.memories
    appended = await stub.AppendMessages(append_request("hello"))
    assert appended.memories[0].session_seq == 1

    got = await stub.GetMemory(rr.GetMemoryRequest(tenant_id=TENANT, id=first.id))
    assert got.memory == first
    batch = await stub.BatchGetMemories(
        rr.BatchGetMemoriesRequest(tenant_id=TENANT, ids=[second.id, "gone"])
    )
    assert ([m.id for m in batch.memories], list(batch.missing_ids)) == ([second.id], ["gone"])

    updated = await stub.UpdateMemory(
        rr.UpdateMemoryRequest(
            tenant_id=TENANT,
            id=first.id,
            expected_version=1,
            update=mpb.MemoryUpdate(tags=["x"]),
            update_mask=field_mask_pb2.FieldMask(paths=["tags"]),
        )
    )
    assert updated.memory.version == 2
    history = await stub.GetMemoryHistory(rr.GetMemoryHistoryRequest(tenant_id=TENANT, id=first.id))
    assert [v.version for v in history.versions] == [1, 2]
    visits = await stub.RecordVisits(
        rr.RecordVisitsRequest(tenant_id=TENANT, ids=[first.id], interaction_length=3)
    )
    assert visits.updated_count == 1

    page = await stub.ListMemories(
        rr.ListMemoriesRequest(
            tenant_id=TENANT, filter=mpb.MemoryFilter(user_id="alice"), page_size=2
        )
    )
    assert [m.id for m in page.memories] == [first.id, second.id]
    rest = await stub.ListMemories(
        rr.ListMemoriesRequest(
            tenant_id=TENANT,
            filter=mpb.MemoryFilter(user_id="alice"),
            page_size=2,
            page_token=page.next_page_token,
        )
    )
    assert [m.id for m in rest.memories] == [appended.memories[0].id]
    export = await stub.ExportMemories(rr.ExportMemoriesRequest(tenant_id=TENANT))
    assert len(export.memories) == 3

    deleted = await stub.DeleteMemory(rr.DeleteMemoryRequest(tenant_id=TENANT, id=first.id))
    assert (deleted.id, deleted.versions_deleted) == (first.id, 2)
    swept = await stub.DeleteMemories(
        rr.DeleteMemoriesRequest(tenant_id=TENANT, filter=mpb.MemoryFilter(user_id="alice"))
    )
    assert swept.deleted_count == 2
    assert (await stub.CountMemories(rr.CountMemoriesRequest(tenant_id=TENANT))).count == 0


def tier_update(memory_id: str, version: int, tier: int = mpb.MEMORY_TIER_MID):
    return rr.UpdateMemoryRequest(
        id=memory_id,
        expected_version=version,
        update=mpb.MemoryUpdate(tier=tier),  # type: ignore[arg-type]
        update_mask=field_mask_pb2.FieldMask(paths=["tier"]),
    )


async def test_a_batch_of_updates_applies_in_one_transaction_or_not_at_all(stub: Stub) -> None:
    first, second = (
        await stub.CreateMemories(create_request(new_memory("a"), new_memory("b")))
    ).memories

    moved = await stub.UpdateMemories(
        rr.UpdateMemoriesRequest(
            tenant_id=TENANT, updates=[tier_update(second.id, 1), tier_update(first.id, 1)]
        )
    )
    assert [(m.id, m.version, m.tier) for m in moved.memories] == [
        (second.id, 2, mpb.MEMORY_TIER_MID),
        (first.id, 2, mpb.MEMORY_TIER_MID),
    ]
    # The second item's version is stale: the first item is not applied either.
    stale = await rpc_error(
        stub.UpdateMemories(
            rr.UpdateMemoriesRequest(
                tenant_id=TENANT,
                updates=[
                    tier_update(first.id, 2, mpb.MEMORY_TIER_LONG),
                    tier_update(second.id, 1, mpb.MEMORY_TIER_LONG),
                ],
            )
        )
    )
    assert isinstance(stale, errors.Aborted)
    got = await stub.GetMemory(rr.GetMemoryRequest(tenant_id=TENANT, id=first.id))
    assert (got.memory.version, got.memory.tier) == (2, mpb.MEMORY_TIER_MID)

    bad_item = tier_update(first.id, 2)
    bad_item.update_mask.paths.append("kind")
    bad = await rpc_error(
        stub.UpdateMemories(
            rr.UpdateMemoriesRequest(
                tenant_id=TENANT,
                updates=[
                    tier_update(second.id, 2),
                    bad_item,
                    tier_update(second.id, 2),
                    rr.UpdateMemoryRequest(tenant_id="other", id=first.id),
                ],
            )
        )
    )
    assert isinstance(bad, errors.InvalidArgument)
    assert [v.field for v in bad.violations] == [
        "updates[1].update_mask.paths[1]",
        "updates[2].id",
        "updates[3].tenant_id",
        "updates[3].id",
        "updates[3].update_mask.paths",
    ]
    empty = await rpc_error(stub.UpdateMemories(rr.UpdateMemoriesRequest(tenant_id=TENANT)))
    assert [v.field for v in empty.violations] == ["updates"]


async def test_every_cube_rpc_round_trips(stub: Stub) -> None:
    await stub.CreateCube(
        rr.CreateCubeRequest(tenant_id=TENANT, cube_id="work", owner_user_id="alice", name="W")
    )
    shared = await stub.ShareCube(
        rr.ShareCubeRequest(
            tenant_id=TENANT, cube_id="work", owner_user_id="alice", reader_user_id="bob"
        )
    )
    assert list(shared.cube.reader_user_ids) == ["bob"]
    listed = await stub.ListCubes(rr.ListCubesRequest(tenant_id=TENANT, user_id="bob"))
    assert [c.cube_id for c in listed.cubes] == ["work"]
    unshared = await stub.UnshareCube(
        rr.UnshareCubeRequest(
            tenant_id=TENANT, cube_id="work", owner_user_id="alice", reader_user_id="bob"
        )
    )
    assert list(unshared.cube.reader_user_ids) == []


REQUESTED = job_pb2.JobEvent(
    consolidation_requested=job_pb2.ConsolidationRequested(user_id="alice")
)


async def test_every_job_rpc_round_trips(stub: Stub) -> None:
    enqueued = await stub.EnqueueJob(
        rr.EnqueueJobRequest(tenant_id=TENANT, queue="ops", event=REQUESTED, dedup_key="d")
    )
    assert enqueued.created
    assert (enqueued.job.topic, enqueued.job.event) == ("consolidation.requested", REQUESTED)
    [job] = (
        await stub.LeaseJobs(
            rr.LeaseJobsRequest(
                queue="ops", worker_id="w", max_jobs=5, visibility_timeout_seconds=30
            )
        )
    ).jobs
    extended = await stub.ExtendLease(
        rr.ExtendLeaseRequest(
            job_id=job.id, lease_token=job.lease_token, visibility_timeout_seconds=60
        )
    )
    assert extended.job.lease_expires_at.ToMicroseconds() > job.lease_expires_at.ToMicroseconds()
    nacked = await stub.NackJob(
        rr.NackJobRequest(job_id=job.id, lease_token=job.lease_token, error="boom")
    )
    assert nacked.job.state == job_pb2.JOB_STATE_PENDING
    fetched = await stub.GetJob(rr.GetJobRequest(job_id=job.id, tenant_id=TENANT))
    assert fetched.job.last_error == "boom"
    listed = await stub.ListJobs(rr.ListJobsRequest(queue="ops"))
    assert [j.id for j in listed.jobs] == [job.id]
    not_dead = await rpc_error(stub.RetryDeadJob(rr.RetryDeadJobRequest(job_id=job.id)))
    assert isinstance(not_dead, errors.FailedPrecondition)
    lost = await stub.AckJobs(
        rr.AckJobsRequest(acks=[rr.AckJobsRequest.Ack(job_id=job.id, lease_token=job.lease_token)])
    )
    assert list(lost.lost_job_ids) == [job.id]
    stats = await stub.GetQueueStats(rr.GetQueueStatsRequest(queues=["ops"]))
    assert [(s.queue, s.pending) for s in stats.stats] == [("ops", 1)]


async def test_replies_stay_within_the_byte_budget(stub: Stub) -> None:
    created = await stub.CreateMemories(
        create_request(*(new_memory(f"{i} " + "x" * 10_000) for i in range(5)))
    )
    ids = [memory.id for memory in created.memories]
    listed = await stub.ListMemories(
        rr.ListMemoriesRequest(tenant_id=TENANT, filter=mpb.MemoryFilter(user_id="alice"))
    )
    assert [m.id for m in listed.memories] == ids[:2] and listed.next_page_token
    exported = await stub.ExportMemories(rr.ExportMemoriesRequest(tenant_id=TENANT))
    assert len(exported.memories) == 2 and exported.next_after_id
    # BatchGet has no page token: past the budget it refuses, naming what to shrink.
    fine = await stub.BatchGetMemories(rr.BatchGetMemoriesRequest(tenant_id=TENANT, ids=ids[:2]))
    assert len(fine.memories) == 2
    error = await rpc_error(
        stub.BatchGetMemories(rr.BatchGetMemoriesRequest(tenant_id=TENANT, ids=ids))
    )
    assert isinstance(error, errors.ResourceExhausted)
    assert error.metadata == {"field": "ids"} and "fewer ids" in error.message
