"""What the store needs to know beyond its connection: outbox consumers and job policy."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # One outbox job per queue for every memory change; empty means no consumers.
    outbox_queues: tuple[str, ...] = ("search", "graph", "thought")
    # The consumer that works on whole sessions: AppendMessages gives it one
    # messages.appended job per call instead of one memory.upserted job per message.
    session_queue: str = "thought"
    jobs: JobPolicy = field(default_factory=JobPolicy)
    # How often a LeaseJobs call waiting for work looks again without being woken: jobs
    # committed through another replica, and retries whose delay ran out, wake nobody.
    lease_wait_poll_seconds: float = 1.0
    idempotency_retention_seconds: float = 24 * 3600
