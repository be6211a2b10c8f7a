"""The jobs a memory change puts in the outbox: one per subscribed queue, same transaction.

Each job carries a typed memory.v1 JobEvent; StoreConfig.queue_events says which queue gets
which event, so no job is written for a consumer that would only acknowledge it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2

from .config import MEMORY_DELETED, MEMORY_UPSERTED, MESSAGES_APPENDED, StoreConfig
from .jobs import NewJob


@dataclass(frozen=True)
class DeletedMemory:
    id: str
    version: int
    kind: int
    scope: memory_pb2.Scope


def upserted_jobs(
    config: StoreConfig, tenant_id: str, memories: Sequence[memory_pb2.Memory]
) -> list[NewJob]:
    return _changed_jobs(
        config.queues_for(MEMORY_UPSERTED),
        tenant_id,
        [(m.id, m.version, m.kind, m.scope) for m in memories],
        MEMORY_UPSERTED,
    )


def deleted_jobs(
    config: StoreConfig, tenant_id: str, deleted: Sequence[DeletedMemory]
) -> list[NewJob]:
    return _changed_jobs(
        config.queues_for(MEMORY_DELETED),
        tenant_id,
        [(m.id, m.version, m.kind, m.scope) for m in deleted],
        MEMORY_DELETED,
    )


def appended_jobs(
    config: StoreConfig, tenant_id: str, messages: Sequence[memory_pb2.Memory]
) -> list[NewJob]:
    """Per-message upserts for the queues that index single memories, and one job for the
    whole turn batch for those that work on sessions."""
    jobs = upserted_jobs(config, tenant_id, messages)
    if not messages:
        return jobs
    last = messages[-1]
    event = job_pb2.JobEvent(
        messages_appended=job_pb2.MessagesAppended(
            scope=last.scope,
            memory_ids=[message.id for message in messages],
            first_session_seq=messages[0].session_seq,
            last_session_seq=last.session_seq,
        )
    )
    jobs.extend(
        NewJob(
            queue=queue,
            tenant_id=tenant_id,
            memory_id=last.id,
            memory_version=last.version,
            event=event,
        )
        for queue in config.queues_for(MESSAGES_APPENDED)
    )
    return jobs


def _changed_jobs(
    queues: Sequence[str],
    tenant_id: str,
    changes: Sequence[tuple[str, int, int, memory_pb2.Scope]],
    case: str,
) -> list[NewJob]:
    jobs: list[NewJob] = []
    if not queues:
        return jobs
    for memory_id, version, kind, scope in changes:
        changed = job_pb2.MemoryChanged(memory_id=memory_id, version=version, kind=kind)  # type: ignore[arg-type]
        changed.scope.CopyFrom(scope)
        event = change_event(case, changed)
        jobs.extend(
            NewJob(
                queue=queue,
                tenant_id=tenant_id,
                memory_id=memory_id,
                memory_version=version,
                event=event,
            )
            for queue in queues
        )
    return jobs


def change_event(case: str, changed: job_pb2.MemoryChanged) -> job_pb2.JobEvent:
    """A JobEvent whose `case` (memory_upserted or memory_deleted) is `changed`."""
    event = job_pb2.JobEvent()
    getattr(event, case).CopyFrom(changed)
    return event
