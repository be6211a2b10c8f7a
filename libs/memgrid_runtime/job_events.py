"""What every service reads off an outbox event (memory.v1 JobEvent) the same way."""

from __future__ import annotations

from memgrid.memory.v1 import job_pb2


def event_user(event: job_pb2.JobEvent) -> str:
    """The user an event is about: its memory's or session's scope, or the user a
    consolidation was requested for; empty for an event with no case set."""
    case = event.WhichOneof("event")
    if case == "consolidation_requested":
        return event.consolidation_requested.user_id
    if case == "messages_appended":
        return event.messages_appended.scope.user_id
    if case in ("memory_upserted", "memory_deleted"):
        changed: job_pb2.MemoryChanged = getattr(event, case)
        return changed.scope.user_id
    return ""
