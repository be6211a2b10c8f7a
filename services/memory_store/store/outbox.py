"""The jobs a memory change puts in the outbox: one per consumer queue, same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from memgrid.common.v1 import memory_pb2

from .config import StoreConfig
from .jobs import NewJob

MEMORY_UPSERTED = "memory.upserted"
MEMORY_DELETED = "memory.deleted"
MESSAGES_APPENDED = "messages.appended"


@dataclass(frozen=True)
class DeletedMemory:
    id: str
    version: int
    kind: int
    scope: memory_pb2.Scope


def upserted_jobs(
    config: StoreConfig, tenant_id: str, memories: Sequence[memory_pb2.Memory]
) -> list[NewJob]:
    return _upserted_jobs(config.outbox_queues, tenant_id, memories)


def _upserted_jobs(
    queues: Sequence[str], tenant_id: str, memories: Sequence[memory_pb2.Memory]
) -> list[NewJob]:
    return [
        NewJob(
            queue=queue,
            tenant_id=tenant_id,
            topic=MEMORY_UPSERTED,
            memory_id=memory.id,
            memory_version=memory.version,
            payload_json=_memory_payload(
                tenant_id, memory.id, memory.version, memory.kind, memory.scope
            ),
        )
        for memory in memories
        for queue in queues
    ]


def deleted_jobs(
    config: StoreConfig, tenant_id: str, deleted: Sequence[DeletedMemory]
) -> list[NewJob]:
    return [
        NewJob(
            queue=queue,
            tenant_id=tenant_id,
            topic=MEMORY_DELETED,
            memory_id=memory.id,
            memory_version=memory.version,
            payload_json=_memory_payload(
                tenant_id, memory.id, memory.version, memory.kind, memory.scope
            ),
        )
        for memory in deleted
        for queue in config.outbox_queues
    ]


def appended_jobs(
    config: StoreConfig, tenant_id: str, messages: Sequence[memory_pb2.Memory]
) -> list[NewJob]:
    """Per-message upserts for the indexers; one job for the whole turn batch for the
    session consumer, which works on sessions rather than single messages."""
    per_message_queues = [q for q in config.outbox_queues if q != config.session_queue]
    jobs = _upserted_jobs(per_message_queues, tenant_id, messages)
    if config.session_queue in config.outbox_queues and messages:
        last = messages[-1]
        payload = {
            "tenant_id": tenant_id,
            "scope": _scope_payload(last.scope),
            "memory_ids": [message.id for message in messages],
            "first_session_seq": messages[0].session_seq,
            "last_session_seq": last.session_seq,
        }
        jobs.append(
            NewJob(
                queue=config.session_queue,
                tenant_id=tenant_id,
                topic=MESSAGES_APPENDED,
                memory_id=last.id,
                memory_version=last.version,
                payload_json=_dump(payload),
            )
        )
    return jobs


def _memory_payload(
    tenant_id: str, memory_id: str, version: int, kind: int, scope: memory_pb2.Scope
) -> str:
    return _dump(
        {
            "tenant_id": tenant_id,
            "memory_id": memory_id,
            "version": version,
            "kind": memory_pb2.MemoryKind.Name(kind),  # type: ignore[arg-type]
            "scope": _scope_payload(scope),
        }
    )


def _scope_payload(scope: memory_pb2.Scope) -> dict[str, str]:
    return {
        "user_id": scope.user_id,
        "agent_id": scope.agent_id,
        "session_id": scope.session_id,
        "cube_id": scope.cube_id,
    }


def _dump(payload: object) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)
