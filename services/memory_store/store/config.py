"""What the store needs to know beyond its connection: outbox consumers and job policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# The cases of memory.v1 JobEvent that a memory change writes; a queue subscribes to some.
MEMORY_UPSERTED = "memory_upserted"
MEMORY_DELETED = "memory_deleted"
MESSAGES_APPENDED = "messages_appended"
CHANGE_EVENTS = (MEMORY_UPSERTED, MEMORY_DELETED, MESSAGES_APPENDED)

# What each of the suite's consumers acts on. Search indexes every memory, messages
# included; the graph unlinks deleted memories (its entities come from the thought engine's
# extraction, which calls the graph itself); the thought engine works on whole sessions.
# A queue named nowhere here gets memory_upserted and memory_deleted.
DEFAULT_QUEUE_EVENTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "search": frozenset({MEMORY_UPSERTED, MEMORY_DELETED}),
        "graph": frozenset({MEMORY_DELETED}),
        "thought": frozenset({MESSAGES_APPENDED}),
    }
)
_OTHER_QUEUE_EVENTS = frozenset({MEMORY_UPSERTED, MEMORY_DELETED})


@dataclass(frozen=True)
class JobPolicy:
    max_attempts: int = 5
    # A nacked job waits base * 2^(attempts-1) seconds, at most max, before its next try.
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 600.0

    def retry_delay_seconds(self, attempts: int) -> float:
        exponent = max(attempts - 1, 0)
        # Cap the exponent first: 2**attempts overflows a float long before max_attempts
        # could ever be that large in practice, but a policy may allow it.
        return min(self.retry_base_seconds * 2 ** min(exponent, 60), self.retry_max_seconds)


@dataclass(frozen=True)
class StoreConfig:
    # The consumer queues a memory change writes jobs to; empty means no consumers.
    outbox_queues: tuple[str, ...] = ("search", "graph", "thought")
    # The events each queue gets (see DEFAULT_QUEUE_EVENTS): one job per event it
    # subscribes to, none for those it would ignore. A queue subscribed to
    # messages_appended gets one job per AppendMessages call rather than one per message.
    queue_events: Mapping[str, frozenset[str]] = field(default_factory=lambda: DEFAULT_QUEUE_EVENTS)
    jobs: JobPolicy = field(default_factory=JobPolicy)
    # How often a LeaseJobs call waiting for work looks again without being woken: jobs
    # committed through another replica, and retries whose delay ran out, wake nobody.
    lease_wait_poll_seconds: float = 1.0
    idempotency_retention_seconds: float = 24 * 3600

    def queues_for(self, event: str) -> list[str]:
        """The queues subscribed to `event`, in outbox_queues order."""
        return [
            queue
            for queue in self.outbox_queues
            if event in self.queue_events.get(queue, _OTHER_QUEUE_EVENTS)
        ]
