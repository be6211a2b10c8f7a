"""The outbox job queue: jobs written with memory changes, leased by consumer workers.

A job is PENDING until a worker leases it (LEASED, invisible to others until
lease_expires_at), then DONE when acked, or PENDING again after a delay when nacked, or
DEAD once it has used up max_attempts. A lease that expires without an ack counts as a
failed attempt: the job can be leased again, or goes DEAD if it has no attempts left. A
nack that says a dependency was unavailable gives the attempt back: an outage is waited
out, it does not use up a job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from memgrid.memory.v1 import job_pb2, request_response_pb2
from memgrid_runtime.errors import Aborted, FailedPrecondition, NotFound

from .clock import seconds_to_micros
from .config import JobPolicy
from .context import OperationContext
from .database import Transaction, placeholders
from .ids import TimeOrderedIds
from .page_tokens import PageCursor
from .rows import job_columns, job_from_row

PENDING = job_pb2.JOB_STATE_PENDING
LEASED = job_pb2.JOB_STATE_LEASED
DONE = job_pb2.JOB_STATE_DONE
DEAD = job_pb2.JOB_STATE_DEAD

_JOB = "job"
_LEASE_EXPIRED_ERROR = "lease expired without an ack or nack"


def event_topic(event: job_pb2.JobEvent) -> str:
    """The topic a job is listed and counted under: its event's case as people write it
    (memory_upserted is "memory.upserted"); empty for an event with no case."""
    case = event.WhichOneof("event")
    return case.replace("_", ".", 1) if case else ""


@dataclass(frozen=True)
class NewJob:
    queue: str
    tenant_id: str
    memory_id: str
    memory_version: int
    event: job_pb2.JobEvent
    dedup_key: str = ""

    @property
    def topic(self) -> str:
        return event_topic(self.event)


@dataclass(frozen=True)
class JobListing:
    jobs: list[job_pb2.Job]
    last: PageCursor | None


_INSERT_JOB = (
    "INSERT INTO jobs (id, queue, tenant_id, topic, memory_id, memory_version, event,"
    " dedup_key, state, attempts, max_attempts, last_error, note, lease_token, leased_by,"
    " lease_expires_at_us, available_at_us, created_at_us, updated_at_us)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', '', '', '', NULL, ?, ?, ?)"
)


async def insert_jobs(tx: Transaction, context: OperationContext, jobs: Sequence[NewJob]) -> None:
    rows = [_job_row(job, context.ids, context.config.jobs, context.now_us) for job in jobs]
    await tx.execute_many(_INSERT_JOB, rows)
    context.queues_with_new_jobs.update(job.queue for job in jobs)


async def enqueue_job(
    tx: Transaction, context: OperationContext, job: NewJob
) -> tuple[job_pb2.Job, bool]:
    """Adds `job`; with a dedup key, returns the pending job that has it instead, if any.

    Returns the job and whether it was created.
    """
    inserted = await tx.fetch_one(
        # The conflict target repeats the predicate of the jobs_pending_dedup index
        # (state 1 is PENDING) so both databases pick that index.
        f"{_INSERT_JOB} ON CONFLICT (queue, dedup_key) WHERE state = 1 AND dedup_key <> ''"
        f" DO NOTHING RETURNING {job_columns()}",
        _job_row(job, context.ids, context.config.jobs, context.now_us),
    )
    if inserted is not None:
        context.queues_with_new_jobs.add(job.queue)
        return job_from_row(inserted), True
    existing = await _pending_with_key(tx, job.queue, job.dedup_key)
    if existing is None:
        # It conflicted with a pending job that a worker leased in the meantime.
        raise Aborted("a job with this dedup key was leased while enqueueing; retry")
    return existing, False


async def lease_jobs(
    tx: Transaction,
    queue: str,
    worker_id: str,
    max_jobs: int,
    visibility_timeout_seconds: int,
    now_us: int,
) -> list[job_pb2.Job]:
    """Leases expired leases first (they are the oldest work), then pending jobs in order.

    Each kind is picked by its own index-ordered query: one query with an OR of both would
    sort the whole backlog of the queue on every lease.
    """
    skip_locked = tx.dialect.skip_locked
    # A lease that ran out on the last attempt ends the job rather than starting another.
    await tx.execute(
        "UPDATE jobs SET state = ?, lease_token = '', updated_at_us = ?,"
        " last_error = CASE WHEN last_error = '' THEN ? ELSE last_error END"
        " WHERE id IN (SELECT id FROM jobs WHERE queue = ? AND state = ?"
        f" AND lease_expires_at_us <= ? AND attempts >= max_attempts{skip_locked})",
        (DEAD, now_us, _LEASE_EXPIRED_ERROR, queue, LEASED, now_us),
    )
    lease_expires_at_us = now_us + seconds_to_micros(visibility_timeout_seconds)
    jobs = await _lease_picked(
        tx,
        "SELECT id FROM jobs WHERE queue = ? AND state = ? AND lease_expires_at_us <= ?"
        f" AND attempts < max_attempts ORDER BY lease_expires_at_us, id LIMIT ?{skip_locked}",
        (queue, LEASED, now_us, max_jobs),
        worker_id,
        lease_expires_at_us,
        now_us,
    )
    if len(jobs) < max_jobs:
        jobs += await _lease_picked(
            tx,
            "SELECT id FROM jobs WHERE queue = ? AND state = ? AND available_at_us <= ?"
            f" ORDER BY available_at_us, id LIMIT ?{skip_locked}",
            (queue, PENDING, now_us, max_jobs - len(jobs)),
            worker_id,
            lease_expires_at_us,
            now_us,
        )
    return jobs


async def ack_jobs(
    tx: Transaction, acks: Sequence[request_response_pb2.AckJobsRequest.Ack], now_us: int
) -> list[str]:
    """Marks held jobs done; returns the ids of those no longer held with the given token."""
    lost: list[str] = []
    for ack in acks:
        changed = await tx.execute(
            "UPDATE jobs SET state = ?, note = ?, lease_token = '', lease_expires_at_us = NULL,"
            " updated_at_us = ? WHERE id = ? AND state = ? AND lease_token = ?"
            " AND lease_expires_at_us > ?",
            (DONE, ack.note, now_us, ack.job_id, LEASED, ack.lease_token, now_us),
        )
        if changed == 0:
            lost.append(ack.job_id)
    return lost


async def nack_job(
    tx: Transaction,
    job_id: str,
    lease_token: str,
    error: str,
    retry_after_seconds: int,
    policy: JobPolicy,
    now_us: int,
    *,
    dependency_unavailable: bool = False,
) -> job_pb2.Job:
    held = await tx.fetch_one(
        "SELECT attempts, max_attempts FROM jobs WHERE id = ? AND state = ? AND lease_token = ?"
        f" AND lease_expires_at_us > ?{tx.dialect.for_update}",
        (job_id, LEASED, lease_token, now_us),
    )
    if held is None:
        await _raise_not_held(tx, job_id)
    attempts, max_attempts = held
    delay = retry_after_seconds or policy.retry_delay_seconds(attempts)
    if dependency_unavailable:
        # The lease counted an attempt; the job never ran, so it is given back.
        attempts = max(attempts - 1, 0)
        state, available_at_us = PENDING, now_us + seconds_to_micros(delay)
    elif attempts >= max_attempts:
        state, available_at_us = DEAD, now_us
    else:
        state, available_at_us = PENDING, now_us + seconds_to_micros(delay)
    row = await tx.fetch_one(
        "UPDATE jobs SET state = ?, attempts = ?, last_error = ?, lease_token = '',"
        " lease_expires_at_us = NULL, available_at_us = ?, updated_at_us = ? WHERE id = ?"
        f" RETURNING {job_columns()}",
        (state, attempts, error, available_at_us, now_us, job_id),
    )
    assert row is not None, "the job was locked above"
    return job_from_row(row)


async def extend_lease(
    tx: Transaction, job_id: str, lease_token: str, visibility_timeout_seconds: int, now_us: int
) -> job_pb2.Job:
    row = await tx.fetch_one(
        "UPDATE jobs SET lease_expires_at_us = ?, updated_at_us = ?"
        " WHERE id = ? AND state = ? AND lease_token = ? AND lease_expires_at_us > ?"
        f" RETURNING {job_columns()}",
        (
            now_us + seconds_to_micros(visibility_timeout_seconds),
            now_us,
            job_id,
            LEASED,
            lease_token,
            now_us,
        ),
    )
    if row is None:
        await _raise_not_held(tx, job_id)
    return job_from_row(row)


async def get_job(tx: Transaction, job_id: str, tenant_id: str) -> job_pb2.Job:
    sql = f"SELECT {job_columns()} FROM jobs WHERE id = ?"
    params: tuple[str, ...] = (job_id,)
    if tenant_id:
        sql += " AND tenant_id = ?"
        params = (job_id, tenant_id)
    row = await tx.fetch_one(sql, params)
    if row is None:
        raise NotFound(_JOB, job_id)
    return job_from_row(row)


async def list_jobs(
    tx: Transaction,
    queue: str,
    state: int,
    tenant_id: str,
    page_size: int,
    after: PageCursor | None,
) -> JobListing:
    """Newest first; fetches one extra row to learn whether another page follows."""
    clauses: list[str] = []
    params: list[object] = []
    for column, value in (("queue", queue), ("tenant_id", tenant_id)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if state:
        clauses.append("state = ?")
        params.append(state)
    if after is not None:
        clauses.append("(created_at_us < ? OR (created_at_us = ? AND id < ?))")
        params.extend([after.created_at_us, after.created_at_us, after.id])
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = await tx.fetch_all(
        f"SELECT {job_columns()} FROM jobs{where} ORDER BY created_at_us DESC, id DESC LIMIT ?",
        (*params, page_size + 1),
    )
    jobs = [job_from_row(row) for row in rows[:page_size]]
    more = len(rows) > page_size
    last = (
        PageCursor(created_at_us=jobs[-1].created_at.ToMicroseconds(), id=jobs[-1].id)
        if more
        else None
    )
    return JobListing(jobs=jobs, last=last)


async def retry_dead_job(
    tx: Transaction, context: OperationContext, job_id: str, tenant_id: str = ""
) -> job_pb2.Job:
    now_us = context.now_us
    current = await tx.fetch_one(
        f"SELECT state, queue, dedup_key, tenant_id FROM jobs WHERE id = ?{tx.dialect.for_update}",
        (job_id,),
    )
    if current is None or (tenant_id and current[3] != tenant_id):
        raise NotFound(_JOB, job_id)
    state, queue, dedup_key, _ = current
    if state != DEAD:
        raise FailedPrecondition(
            f"job {job_id!r} is not dead", reason="JOB_NOT_DEAD", metadata={"job_id": job_id}
        )
    if dedup_key and await _pending_with_key(tx, queue, dedup_key) is not None:
        raise FailedPrecondition(
            f"a job with the same dedup key as {job_id!r} is already pending",
            reason="DUPLICATE_PENDING_JOB",
            metadata={"job_id": job_id},
        )
    row = await tx.fetch_one(
        "UPDATE jobs SET state = ?, attempts = 0, lease_token = '', leased_by = '',"
        " lease_expires_at_us = NULL, available_at_us = ?, updated_at_us = ?"
        f" WHERE id = ? RETURNING {job_columns()}",
        (PENDING, now_us, now_us, job_id),
    )
    assert row is not None, "the job was locked above"
    context.queues_with_new_jobs.add(queue)
    return job_from_row(row)


async def queue_stats(
    tx: Transaction, queues: Sequence[str], known_queues: Sequence[str], now_us: int
) -> list[job_pb2.QueueStats]:
    """Counts per state for `queues`, or for every queue in use or configured when empty.

    Two queries, because the table keeps every DONE job for the retention (a week by
    default, three rows per write): the counts read only the (queue, state, ...) index,
    and the age of the oldest pending job reads the rows of pending jobs only. One query
    computing both read every row of the table, DONE ones included, and its time grew with
    every write (memory-store's gauges run it every 5 s).
    """
    where, params = "", list(queues)
    if queues:
        where = f" WHERE queue IN ({placeholders(len(queues))})"
    counts = await tx.fetch_all(
        f"SELECT queue, state, count(*) FROM jobs{where} GROUP BY queue, state", params
    )
    oldest = await tx.fetch_all(
        "SELECT queue, min(created_at_us) FROM jobs WHERE state = ?"
        + (f" AND queue IN ({placeholders(len(queues))})" if queues else "")
        + " GROUP BY queue",
        [PENDING, *queues],
    )
    names = (
        list(dict.fromkeys(queues)) if queues else sorted({*known_queues, *(r[0] for r in counts)})
    )
    stats = {name: job_pb2.QueueStats(queue=name) for name in names}
    for queue, state, count in counts:
        entry = stats[queue]
        if state == PENDING:
            entry.pending = count
        elif state == LEASED:
            entry.leased = count
        elif state == DONE:
            entry.done = count
        elif state == DEAD:
            entry.dead = count
    for queue, oldest_created_us in oldest:
        stats[queue].oldest_pending_age_seconds = max(now_us - oldest_created_us, 0) / 1e6
    return list(stats.values())


async def purge_done_jobs(tx: Transaction, done_before_us: int) -> int:
    return await tx.execute(
        "DELETE FROM jobs WHERE state = ? AND updated_at_us < ?", (DONE, done_before_us)
    )


async def _lease_picked(
    tx: Transaction,
    pick_sql: str,
    pick_params: tuple[object, ...],
    worker_id: str,
    lease_expires_at_us: int,
    now_us: int,
) -> list[job_pb2.Job]:
    """Leases the jobs `pick_sql` selects, each with a fresh random token, in pick order."""
    rows = await tx.fetch_all(
        f"WITH picked AS ({pick_sql})"
        f" UPDATE jobs SET state = ?, lease_token = {tx.dialect.random_token}, leased_by = ?,"
        " lease_expires_at_us = ?, attempts = attempts + 1, updated_at_us = ?"
        f" FROM picked WHERE jobs.id = picked.id RETURNING {job_columns()}",
        (*pick_params, LEASED, worker_id, lease_expires_at_us, now_us),
    )
    jobs = [job_from_row(row) for row in rows]
    # RETURNING gives no order: hand them out oldest first.
    jobs.sort(key=lambda job: (job.available_at.ToMicroseconds(), job.id))
    return jobs


def _job_row(
    job: NewJob, ids: TimeOrderedIds, policy: JobPolicy, now_us: int
) -> tuple[object, ...]:
    return (
        ids.new(),
        job.queue,
        job.tenant_id,
        job.topic,
        job.memory_id,
        job.memory_version,
        job.event.SerializeToString(deterministic=True),
        job.dedup_key,
        PENDING,
        policy.max_attempts,
        now_us,
        now_us,
        now_us,
    )


async def _pending_with_key(tx: Transaction, queue: str, dedup_key: str) -> job_pb2.Job | None:
    row = await tx.fetch_one(
        f"SELECT {job_columns()} FROM jobs WHERE queue = ? AND dedup_key = ? AND state = ?",
        (queue, dedup_key, PENDING),
    )
    return job_from_row(row) if row is not None else None


async def _raise_not_held(tx: Transaction, job_id: str) -> NoReturn:
    exists = await tx.fetch_one("SELECT 1 FROM jobs WHERE id = ?", (job_id,))
    if exists is None:
        raise NotFound(_JOB, job_id)
    raise FailedPrecondition(
        f"the lease on job {job_id!r} is no longer held with this token",
        reason="LEASE_NOT_HELD",
        metadata={"job_id": job_id},
    )
