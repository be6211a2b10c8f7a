"""Request validation: every bad field is named by its path, all of them at once."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2, field_mask_pb2, timestamp_pb2
from memgrid.common.v1 import memory_pb2 as mpb
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.errors import InvalidArgument

from services.memory_store import validation
from services.memory_store.limits import RequestLimits
from services.memory_store.store.page_tokens import (
    PageCursor,
    encode_page_token,
    memory_query_fingerprint,
)
from tests.memory_store.support import append_request, create_request, new_memory

LIMITS = RequestLimits(max_batch=5, max_content_bytes=64, max_metadata_entries=2, max_tags=2)


def violations(check, request, *args) -> list[str]:
    with pytest.raises(InvalidArgument) as caught:
        check(request, *args)
    return [violation.field for violation in caught.value.violations]


def test_a_good_create_passes() -> None:
    request = create_request(
        new_memory(
            "fact",
            agent_id="agent:1",
            session_id="s@1",
            tags=["a"],
            metadata={"k": "v"},
            ttl_seconds=60,
            importance=1.0,
            kind=mpb.MEMORY_KIND_PROFILE,
        ),
        idempotency_key="req-1",
    )
    validation.validate_create_memories(request, LIMITS)


def test_create_names_every_bad_field_by_path() -> None:
    bad = new_memory("", user_id="", agent_id="has space", cube_id="x" * 129)
    bad.kind = 42  # type: ignore[assignment]
    bad.tier = 9  # type: ignore[assignment]
    bad.importance = 1.5
    bad.ttl.CopyFrom(duration_pb2.Duration(seconds=-1))
    bad.tags.extend(["a", "a"])
    bad.source_message_ids.append("bad id")
    bad.valid_from.CopyFrom(timestamp_pb2.Timestamp(seconds=1, nanos=-1))
    request = create_request(new_memory("ok"), bad, tenant_id="", idempotency_key="has space")

    assert violations(validation.validate_create_memories, request, LIMITS) == [
        "tenant_id",
        "memories[1].scope.user_id",
        "memories[1].scope.agent_id",
        "memories[1].scope.cube_id",
        "memories[1].kind",
        "memories[1].tier",
        "memories[1].content",
        "memories[1].tags[1]",
        "memories[1].importance",
        "memories[1].ttl",
        "memories[1].source_message_ids[0]",
        "memories[1].valid_from",
        "idempotency_key",
    ]


@pytest.mark.parametrize(
    ("memory", "field"),
    [
        (new_memory("x" * 65), "memories[0].content"),
        (new_memory("é" * 33), "memories[0].content"),
        (new_memory("   \n"), "memories[0].content"),
        (new_memory("nul \x00 byte"), "memories[0].content"),
        (new_memory("x", metadata={"a": "1", "b": "2", "c": "3"}), "memories[0].metadata"),
        (new_memory("x", metadata={"": "1"}), "memories[0].metadata['']"),
        (new_memory("x", metadata={"k": "\x00"}), "memories[0].metadata['k']"),
        (new_memory("x", tags=["a", "b", "c"]), "memories[0].tags"),
        (new_memory("x", tags=[""]), "memories[0].tags[0]"),
        (new_memory("x", ttl_seconds=0), "memories[0].ttl"),
        (new_memory("x", importance=float("nan")), "memories[0].importance"),
    ],
)
def test_create_limits(memory: mpb.NewMemory, field: str) -> None:
    assert violations(validation.validate_create_memories, create_request(memory), LIMITS) == [
        field
    ]


def test_batch_size_is_bounded_both_ways() -> None:
    assert violations(validation.validate_create_memories, create_request(), LIMITS) == ["memories"]
    too_many = create_request(*(new_memory("x", user_id="") for _ in range(6)))
    # Past the limit the items themselves are not checked: one violation, not thousands.
    assert violations(validation.validate_create_memories, too_many, LIMITS) == ["memories"]


def test_append_needs_a_session_and_roles() -> None:
    request = append_request("hi", "", session_id="")
    request.messages[0].role = mpb.ROLE_UNSPECIFIED
    request.messages.add(role=17, content="x")
    assert violations(validation.validate_append_messages, request, LIMITS) == [
        "scope.session_id",
        "messages[0].role",
        "messages[1].content",
        "messages[2].role",
    ]


def test_update_checks_the_mask_and_the_masked_fields_only() -> None:
    request = rr.UpdateMemoryRequest(
        tenant_id="t",
        id="m",
        expected_version=-1,
        update=mpb.MemoryUpdate(importance=2.0, tier=mpb.MEMORY_TIER_UNSPECIFIED, heat=-1),
        update_mask=field_mask_pb2.FieldMask(
            paths=["importance", "version", "importance", "tier", "heat"]
        ),
    )
    assert violations(validation.validate_update_memory, request, LIMITS) == [
        "expected_version",
        "update_mask.paths[1]",
        "update_mask.paths[2]",
        "update.importance",
        "update.tier",
        "update.heat",
    ]
    unmasked_garbage = rr.UpdateMemoryRequest(
        tenant_id="t",
        id="m",
        update=mpb.MemoryUpdate(content="", importance=7, heat=1),
        update_mask=field_mask_pb2.FieldMask(paths=["heat"]),
    )
    validation.validate_update_memory(unmasked_garbage, LIMITS)
    empty_mask = rr.UpdateMemoryRequest(tenant_id="t", id="m")
    assert violations(validation.validate_update_memory, empty_mask, LIMITS) == [
        "update_mask.paths"
    ]


def test_delete_by_filter_must_name_a_scope() -> None:
    request = rr.DeleteMemoriesRequest(
        tenant_id="t", filter=mpb.MemoryFilter(kinds=[mpb.MEMORY_KIND_FACT])
    )
    assert violations(validation.validate_delete_memories, request, LIMITS) == ["filter"]
    validation.validate_delete_memories(
        rr.DeleteMemoriesRequest(tenant_id="t", filter=mpb.MemoryFilter(cube_ids=["c"])), LIMITS
    )


def test_list_checks_filter_page_size_and_token() -> None:
    after = timestamp_pb2.Timestamp(seconds=100)
    before = timestamp_pb2.Timestamp(seconds=50)
    bad_filter = mpb.MemoryFilter(
        user_id="a b",
        kinds=[mpb.MEMORY_KIND_UNSPECIFIED, 99],  # type: ignore[list-item]
        tiers=[mpb.MEMORY_TIER_LONG],
        cube_ids=["ok", ""],
        created_after=after,
        created_before=before,
    )
    request = rr.ListMemoriesRequest(tenant_id="t", filter=bad_filter, page_size=1001)
    assert violations(validation.validate_list_memories, request, LIMITS) == [
        "filter.user_id",
        "filter.cube_ids[1]",
        "filter.kinds[0]",
        "filter.kinds[1]",
        "filter.created_before",
        "page_size",
    ]

    memory_filter = mpb.MemoryFilter(user_id="alice")
    token = encode_page_token(PageCursor(1, "m"), memory_query_fingerprint("t", memory_filter))
    validation.validate_list_memories(
        rr.ListMemoriesRequest(tenant_id="t", filter=memory_filter, page_token=token), LIMITS
    )
    for tenant, other_filter, bad_token in [
        ("t", mpb.MemoryFilter(user_id="bob"), token),
        ("u", memory_filter, token),
        ("t", memory_filter, "garbage"),
    ]:
        request = rr.ListMemoriesRequest(
            tenant_id=tenant, filter=other_filter, page_token=bad_token
        )
        assert violations(validation.validate_list_memories, request, LIMITS) == ["page_token"]


def test_job_requests() -> None:
    lease = rr.LeaseJobsRequest(
        queue="Bad Queue",
        worker_id="",
        max_jobs=0,
        visibility_timeout_seconds=3601,
        wait_milliseconds=60_001,
    )
    assert violations(validation.validate_lease_jobs, lease, LIMITS) == [
        "queue",
        "worker_id",
        "max_jobs",
        "visibility_timeout_seconds",
        "wait_milliseconds",
    ]
    acks = rr.AckJobsRequest(acks=[rr.AckJobsRequest.Ack(job_id="j", lease_token="")])
    assert violations(validation.validate_ack_jobs, acks, LIMITS) == ["acks[0].lease_token"]
    nack = rr.NackJobRequest(job_id="j", lease_token="t", retry_after_seconds=-1)
    assert violations(validation.validate_nack_job, nack, LIMITS) == ["retry_after_seconds"]
    enqueue = rr.EnqueueJobRequest(tenant_id="t", queue="thought", topic="x", payload_json="{")
    assert violations(validation.validate_enqueue_job, enqueue, LIMITS) == [
        "topic",
        "payload_json",
        "event",
    ]
    appended = job_pb2.MessagesAppended(scope=mpb.Scope(user_id="u"), memory_ids=["m", "a b"])
    incomplete = [
        job_pb2.JobEvent(messages_appended=appended),
        job_pb2.JobEvent(consolidation_requested=job_pb2.ConsolidationRequested()),
        job_pb2.JobEvent(memory_deleted=job_pb2.MemoryChanged(version=2)),
    ]
    assert [
        violations(
            validation.validate_enqueue_job,
            rr.EnqueueJobRequest(tenant_id="t", queue="q", event=event),
            LIMITS,
        )
        for event in incomplete
    ] == [
        ["event.messages_appended.scope.session_id", "event.messages_appended.memory_ids[1]"],
        ["event.consolidation_requested.user_id"],
        ["event.memory_deleted.memory_id"],
    ]
    visits = rr.RecordVisitsRequest(tenant_id="t", ids=["m"], interaction_length=-1, visits=-2)
    assert violations(validation.validate_record_visits, visits, LIMITS) == [
        "interaction_length",
        "visits",
    ]
    listing = rr.ListJobsRequest(state=9, page_size=-1)  # type: ignore[arg-type]
    assert violations(validation.validate_list_jobs, listing, LIMITS) == ["state", "page_size"]


def test_cube_requests() -> None:
    share = rr.ShareCubeRequest(tenant_id="t", cube_id="c", owner_user_id="a", reader_user_id="a")
    assert violations(validation.validate_cube_grant, share) == ["reader_user_id"]
    create = rr.CreateCubeRequest(tenant_id="t", cube_id="c/d", owner_user_id="a", name="n" * 201)
    assert violations(validation.validate_create_cube, create, LIMITS) == ["cube_id", "name"]


def test_a_batch_over_its_byte_budget_is_invalid_as_a_whole() -> None:
    # 1,000 x 32 KiB is twice the message limit; the batch's total is bounded as well.
    limits = RequestLimits(max_batch=1000, max_content_bytes=1000, max_batch_bytes=2500)
    fits = create_request(*(new_memory("x" * 900) for _ in range(2)))
    validation.validate_create_memories(fits, limits)
    too_big = create_request(*(new_memory("x" * 900) for _ in range(3)))
    assert violations(validation.validate_create_memories, too_big, limits) == ["memories"]
    messages = append_request(*("y" * 900 for _ in range(3)))
    assert violations(validation.validate_append_messages, messages, limits) == ["messages"]
