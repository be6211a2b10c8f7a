"""Outbox backlog as Prometheus gauges (the RPC metrics live in the runtime).

The gauges are refreshed from the store every few seconds rather than on each change:
several replicas share one database, and each reports the same counts, which dashboards
aggregate with max by (queue).
"""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import Gauge

from .store.base import MemoryStore

log = logging.getLogger(__name__)

OUTBOX_JOBS = Gauge(
    "memgrid_outbox_jobs",
    "Outbox jobs per consumer queue and state (pending, leased, done, dead).",
    ["queue", "state"],
)
OLDEST_PENDING_SECONDS = Gauge(
    "memgrid_outbox_oldest_pending_seconds",
    "Age of the oldest job still waiting in each queue.",
    ["queue"],
)


async def refresh_queue_metrics(store: MemoryStore) -> None:
    for stats in await store.queue_stats():
        for state in ("pending", "leased", "done", "dead"):
            OUTBOX_JOBS.labels(stats.queue, state).set(getattr(stats, state))
        OLDEST_PENDING_SECONDS.labels(stats.queue).set(stats.oldest_pending_age_seconds)


async def report_queue_metrics_forever(store: MemoryStore, interval_seconds: float) -> None:
    """Refreshes the gauges every interval until cancelled; a failed round is retried."""
    while True:
        try:
            await refresh_queue_metrics(store)
        except Exception:
            log.exception("refreshing outbox metrics failed")
        await asyncio.sleep(interval_seconds)
