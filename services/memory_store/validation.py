"""Checks every MemoryStoreService request before anything is read or written.

Each validate_* function raises InvalidArgument naming every bad field at once, by its path
in the request (`memories[2].scope.user_id`, `update_mask.paths[0]`), so a client can fix
its request in one round trip. Limits come from RequestLimits; nothing here touches the
database.
"""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2
from memgrid.memory.v1 import request_response_pb2 as rr
from memgrid_runtime.field_rules import (
    Violations,
    check_enum,
    check_id,
    check_ids,
    check_memory_filter,
    check_metadata,
    check_timestamp,
)

from .field_rules import (
    check_batch,
    check_batch_bytes,
    check_client_key,
    check_content,
    check_idempotency_key,
    check_job_event,
    check_memory_update,
    check_new_memory,
    check_page_size,
    check_queue,
    check_range,
    check_scope,
    check_tenant,
    check_text,
)
from .limits import MAX_SPEAKER_CHARS, MAX_VISITS_PER_CALL, RequestLimits
from .store.memory_changes import UPDATABLE_FIELDS
from .store.page_tokens import decode_page_token, job_query_fingerprint, memory_query_fingerprint


def validate_create_memories(request: rr.CreateMemoriesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    if check_batch(v, "memories", len(request.memories), limits) and check_batch_bytes(
        v, "memories", request.memories, limits
    ):
        for index, item in enumerate(request.memories):
            check_new_memory(v, f"memories[{index}]", item, limits)
    check_idempotency_key(v, request.idempotency_key, limits)
    v.raise_if_any()


def validate_append_messages(request: rr.AppendMessagesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_scope(v, "scope", request.scope, session_required=True)
    if check_batch(v, "messages", len(request.messages), limits) and check_batch_bytes(
        v, "messages", request.messages, limits
    ):
        for index, message in enumerate(request.messages):
            path = f"messages[{index}]"
            if message.role == memory_pb2.ROLE_UNSPECIFIED:
                v.add(f"{path}.role", "required: who said it (ROLE_USER, ROLE_ASSISTANT, ...)")
            else:
                check_enum(v, f"{path}.role", message.role, memory_pb2.Role.DESCRIPTOR)
            check_content(v, f"{path}.content", message.content, limits)
            check_metadata(v, f"{path}.metadata", message.metadata, limits)
            if message.HasField("occurred_at"):
                check_timestamp(v, f"{path}.occurred_at", message.occurred_at)
            check_text(v, f"{path}.speaker", message.speaker, MAX_SPEAKER_CHARS)
    check_idempotency_key(v, request.idempotency_key, limits)
    v.raise_if_any()


def validate_get_memory(request: rr.GetMemoryRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "id", request.id)
    v.raise_if_any()


def validate_batch_get_memories(request: rr.BatchGetMemoriesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    if check_batch(v, "ids", len(request.ids), limits):
        check_ids(v, "ids", request.ids)
    v.raise_if_any()


def validate_update_memories(request: rr.UpdateMemoriesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    if check_batch(v, "updates", len(request.updates), limits):
        seen: set[str] = set()
        for index, item in enumerate(request.updates):
            at = f"updates[{index}]"
            if item.tenant_id:
                v.add(f"{at}.tenant_id", "leave it empty: the batch's tenant_id applies")
            if item.id and item.id in seen:
                v.add(f"{at}.id", f"{item.id!r} is named twice; merge its updates into one")
            seen.add(item.id)
            _check_update(v, f"{at}.", item, limits)
    v.raise_if_any()


def validate_update_memory(request: rr.UpdateMemoryRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    _check_update(v, "", request, limits)
    v.raise_if_any()


def _check_update(
    v: Violations, at: str, request: rr.UpdateMemoryRequest, limits: RequestLimits
) -> None:
    """One memory's update, its fields named with the prefix `at` (empty, or updates[i].)."""
    check_id(v, f"{at}id", request.id)
    if request.expected_version < 0:
        v.add(f"{at}expected_version", "must be 0 (any version) or a version number")
    paths = list(request.update_mask.paths)
    if not paths:
        v.add(f"{at}update_mask.paths", f"name at least one of: {', '.join(UPDATABLE_FIELDS)}")
    seen: set[str] = set()
    for index, path in enumerate(paths):
        if path not in UPDATABLE_FIELDS:
            v.add(
                f"{at}update_mask.paths[{index}]",
                f"{path!r} cannot be updated; updatable: {', '.join(UPDATABLE_FIELDS)}",
            )
        elif path in seen:
            v.add(f"{at}update_mask.paths[{index}]", f"{path!r} is named twice")
        seen.add(path)
    check_memory_update(v, f"{at}update", request.update, seen, limits)


def validate_delete_memory(request: rr.DeleteMemoryRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "id", request.id)
    v.raise_if_any()


def validate_erase_user(request: rr.EraseUserRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "user_id", request.user_id)
    v.raise_if_any()


def validate_erase_tenant(request: rr.EraseTenantRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    v.raise_if_any()


def validate_delete_memories(request: rr.DeleteMemoriesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    memory_filter = request.filter
    check_memory_filter(v, "filter", memory_filter, limits)
    if not (
        memory_filter.user_id
        or memory_filter.agent_id
        or memory_filter.session_id
        or memory_filter.cube_ids
    ):
        v.add(
            "filter",
            "set at least one of user_id, agent_id, session_id or cube_ids:"
            " a delete never sweeps a whole tenant",
        )
    v.raise_if_any()


def validate_list_memories(request: rr.ListMemoriesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_memory_filter(v, "filter", request.filter, limits)
    check_page_size(v, "page_size", request.page_size, limits.max_page_size)
    v.raise_if_any()
    # Only a well-formed filter has a fingerprint worth comparing the token against.
    decode_page_token(
        request.page_token, memory_query_fingerprint(request.tenant_id, request.filter)
    )


def validate_get_memory_history(request: rr.GetMemoryHistoryRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "id", request.id)
    v.raise_if_any()


def validate_record_visits(request: rr.RecordVisitsRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    if check_batch(v, "ids", len(request.ids), limits):
        check_ids(v, "ids", request.ids)
    if request.interaction_length < 0:
        v.add("interaction_length", "must not be negative")
    check_range(v, "visits", request.visits, 0, MAX_VISITS_PER_CALL)
    v.raise_if_any()


def validate_create_cube(request: rr.CreateCubeRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "cube_id", request.cube_id)
    check_id(v, "owner_user_id", request.owner_user_id)
    check_text(v, "name", request.name, limits.max_cube_name_chars)
    check_text(v, "description", request.description, limits.max_cube_description_chars)
    v.raise_if_any()


def validate_list_cubes(request: rr.ListCubesRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "user_id", request.user_id)
    v.raise_if_any()


def validate_cube_grant(request: rr.ShareCubeRequest | rr.UnshareCubeRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_id(v, "cube_id", request.cube_id)
    check_id(v, "owner_user_id", request.owner_user_id)
    check_id(v, "reader_user_id", request.reader_user_id)
    if request.reader_user_id and request.reader_user_id == request.owner_user_id:
        v.add("reader_user_id", "the owner always has access; name another user")
    v.raise_if_any()


def validate_enqueue_job(request: rr.EnqueueJobRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    check_queue(v, "queue", request.queue)
    # The deprecated pair would describe the job a second time, untyped.
    if request.topic:
        v.add("topic", "replaced by event; leave it empty")
    if request.payload_json:
        v.add("payload_json", "replaced by event; leave it empty")
    check_job_event(v, "event", request.event, limits)
    if request.memory_id:
        check_id(v, "memory_id", request.memory_id)
    if request.dedup_key:
        check_client_key(v, "dedup_key", request.dedup_key, limits.max_dedup_key_chars)
    v.raise_if_any()


def validate_lease_jobs(request: rr.LeaseJobsRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_queue(v, "queue", request.queue)
    check_client_key(v, "worker_id", request.worker_id, 128, required=True)
    check_range(v, "max_jobs", request.max_jobs, 1, limits.max_lease_jobs)
    check_range(
        v,
        "visibility_timeout_seconds",
        request.visibility_timeout_seconds,
        1,
        limits.max_visibility_timeout_seconds,
    )
    check_range(
        v, "wait_milliseconds", request.wait_milliseconds, 0, limits.max_lease_wait_milliseconds
    )
    v.raise_if_any()


def validate_ack_jobs(request: rr.AckJobsRequest, limits: RequestLimits) -> None:
    v = Violations()
    if check_batch(v, "acks", len(request.acks), limits):
        for index, ack in enumerate(request.acks):
            check_id(v, f"acks[{index}].job_id", ack.job_id)
            check_client_key(v, f"acks[{index}].lease_token", ack.lease_token, 128, required=True)
            check_text(v, f"acks[{index}].note", ack.note, limits.max_job_note_chars)
    v.raise_if_any()


def validate_nack_job(request: rr.NackJobRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_id(v, "job_id", request.job_id)
    check_client_key(v, "lease_token", request.lease_token, 128, required=True)
    check_text(v, "error", request.error, limits.max_job_error_chars)
    check_range(
        v, "retry_after_seconds", request.retry_after_seconds, 0, limits.max_retry_after_seconds
    )
    v.raise_if_any()


def validate_extend_lease(request: rr.ExtendLeaseRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_id(v, "job_id", request.job_id)
    check_client_key(v, "lease_token", request.lease_token, 128, required=True)
    check_range(
        v,
        "visibility_timeout_seconds",
        request.visibility_timeout_seconds,
        1,
        limits.max_visibility_timeout_seconds,
    )
    v.raise_if_any()


def validate_get_job(request: rr.GetJobRequest) -> None:
    v = Violations()
    check_id(v, "job_id", request.job_id)
    if request.tenant_id:
        check_id(v, "tenant_id", request.tenant_id)
    v.raise_if_any()


def validate_list_jobs(request: rr.ListJobsRequest, limits: RequestLimits) -> None:
    v = Violations()
    if request.queue:
        check_queue(v, "queue", request.queue)
    check_enum(v, "state", request.state, job_pb2.JobState.DESCRIPTOR)
    if request.tenant_id:
        check_id(v, "tenant_id", request.tenant_id)
    check_page_size(v, "page_size", request.page_size, limits.max_page_size)
    v.raise_if_any()
    decode_page_token(
        request.page_token,
        job_query_fingerprint(request.queue, request.state, request.tenant_id),
    )


def validate_retry_dead_job(request: rr.RetryDeadJobRequest) -> None:
    v = Violations()
    check_id(v, "job_id", request.job_id)
    if request.tenant_id:
        check_tenant(v, request.tenant_id)
    v.raise_if_any()


def validate_get_queue_stats(request: rr.GetQueueStatsRequest, limits: RequestLimits) -> None:
    v = Violations()
    if len(request.queues) > limits.max_filter_values:
        v.add("queues", f"at most {limits.max_filter_values} queues")
    for index, queue in enumerate(request.queues):
        check_queue(v, f"queues[{index}]", queue)
    v.raise_if_any()


def validate_export_memories(request: rr.ExportMemoriesRequest, limits: RequestLimits) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    if request.after_id:
        check_id(v, "after_id", request.after_id)
    check_page_size(v, "page_size", request.page_size, limits.max_export_page_size)
    if request.HasField("changed_since"):
        check_timestamp(v, "changed_since", request.changed_since)
    v.raise_if_any()


def validate_count_memories(request: rr.CountMemoriesRequest) -> None:
    v = Violations()
    check_tenant(v, request.tenant_id)
    v.raise_if_any()
