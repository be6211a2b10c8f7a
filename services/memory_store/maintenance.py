"""The periodic sweep that keeps the store within its retention rules.

Expired memories are deleted through the store's normal delete path, so derived stores
hear of each deletion through the outbox; expired idempotency keys and old finished jobs
are dropped. A failed round is logged and retried at the next interval: a database that is
briefly down must not stop the sweeping for good.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from .settings import MaintenanceSettings
from .store.base import MemoryStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    expired_memories: int
    expired_idempotency_keys: int
    purged_jobs: int


async def sweep_once(store: MemoryStore, settings: MaintenanceSettings) -> SweepReport:
    expired = 0
    # In batches, so that one sweep never holds the (SQLite single) writer for long.
    while True:
        deleted = await store.delete_expired_memories(settings.expired_batch)
        expired += deleted
        if deleted < settings.expired_batch:
            break
    keys = await store.delete_expired_idempotency_keys()
    jobs = await store.purge_done_jobs(settings.done_job_retention_seconds)
    return SweepReport(expired_memories=expired, expired_idempotency_keys=keys, purged_jobs=jobs)


async def sweep_forever(store: MemoryStore, settings: MaintenanceSettings) -> None:
    """Sweeps every interval until cancelled."""
    while True:
        try:
            report = await sweep_once(store, settings)
        except Exception:
            log.exception("maintenance sweep failed; retrying in %.0fs", settings.interval_seconds)
        else:
            if report.expired_memories or report.expired_idempotency_keys or report.purged_jobs:
                log.info(
                    "swept %d expired memories, %d idempotency keys, %d finished jobs",
                    report.expired_memories,
                    report.expired_idempotency_keys,
                    report.purged_jobs,
                )
        await asyncio.sleep(settings.interval_seconds)
