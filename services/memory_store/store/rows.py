"""Rows to and from the generated proto types the store speaks."""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2
from memgrid.memory.v1 import job_pb2

from .clock import micros_from_timestamp, timestamp_from_micros
from .database import Row

# The memory's body plus the visit counters kept beside it; parse with memory_from_row.
MEMORY_COLUMNS = "m.body, m.heat, m.visit_count, m.last_visited_at_us"
MEMORY_COLUMN_COUNT = 4

_JOB_FIELDS = (
    "id",
    "queue",
    "tenant_id",
    "topic",
    "memory_id",
    "memory_version",
    "event",
    "state",
    "attempts",
    "max_attempts",
    "last_error",
    "lease_token",
    "leased_by",
    "lease_expires_at_us",
    "available_at_us",
    "created_at_us",
    "updated_at_us",
    "note",
)


def job_columns(table: str = "jobs") -> str:
    return ", ".join(f"{table}.{name}" for name in _JOB_FIELDS)


def memory_from_row(row: Row) -> memory_pb2.Memory:
    body, heat, visit_count, last_visited_at_us = row[:MEMORY_COLUMN_COUNT]
    memory = memory_pb2.Memory.FromString(bytes(body))
    memory.heat = heat
    memory.visit_count = visit_count
    if last_visited_at_us is not None:
        memory.last_visited_at.CopyFrom(timestamp_from_micros(last_visited_at_us))
    return memory


def optional_micros(memory: memory_pb2.Memory, field: str) -> int | None:
    """The memory's timestamp field in microseconds, or None when it is unset."""
    if not memory.HasField(field):  # type: ignore[arg-type]
        return None
    return micros_from_timestamp(getattr(memory, field))


def job_from_row(row: Row) -> job_pb2.Job:
    values = dict(zip(_JOB_FIELDS, row, strict=True))
    job = job_pb2.Job(
        id=values["id"],
        queue=values["queue"],
        tenant_id=values["tenant_id"],
        topic=values["topic"],
        memory_id=values["memory_id"],
        memory_version=values["memory_version"],
        event=job_pb2.JobEvent.FromString(bytes(values["event"])),
        state=values["state"],
        attempts=values["attempts"],
        max_attempts=values["max_attempts"],
        last_error=values["last_error"],
        lease_token=values["lease_token"],
        leased_by=values["leased_by"],
        note=values["note"],
    )
    if values["lease_expires_at_us"] is not None:
        job.lease_expires_at.CopyFrom(timestamp_from_micros(values["lease_expires_at_us"]))
    job.available_at.CopyFrom(timestamp_from_micros(values["available_at_us"]))
    job.created_at.CopyFrom(timestamp_from_micros(values["created_at_us"]))
    job.updated_at.CopyFrom(timestamp_from_micros(values["updated_at_us"]))
    return job
