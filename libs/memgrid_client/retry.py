"""When the SDK repeats a failed call, and how long it waits first.

Only UNAVAILABLE is retried: it means the request never reached a handler, or the handler's
backend was down, so nothing was done. And only calls that are safe to repeat are: reads,
and writes that carry an idempotency key (the SDK gives every AddMemories, AddMessages and
Chat call one unless the caller passes their own), so a retry never stores anything twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from memgrid_client.errors import MemgridError, Unavailable


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and by the call's deadline."""

    # Attempts in all, the first one included; 1 turns retries off.
    max_attempts: int = 4
    initial_backoff_seconds: float = 0.1
    max_backoff_seconds: float = 2.0
    backoff_multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 < self.initial_backoff_seconds <= self.max_backoff_seconds:
            raise ValueError("need 0 < initial_backoff_seconds <= max_backoff_seconds")
        if self.backoff_multiplier < 1:
            raise ValueError("backoff_multiplier must be at least 1")

    def delay_before_retry(
        self, attempts_made: int, error: MemgridError, seconds_left: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when the call must fail now."""
        if not isinstance(error, Unavailable) or attempts_made >= self.max_attempts:
            return None
        ceiling = min(
            self.max_backoff_seconds,
            self.initial_backoff_seconds * self.backoff_multiplier ** (attempts_made - 1),
        )
        # Jitter keeps the clients that failed together from retrying together.
        delay = random.uniform(0, ceiling)
        # The server's RetryInfo says when it expects to be back; waiting less only burns an
        # attempt, but its hint never stretches one wait past our own ceiling.
        delay = max(delay, min(error.retry_after_seconds, self.max_backoff_seconds))
        # A retry that could not finish before the deadline would fail anyway; failing now
        # reports the real cause (UNAVAILABLE) instead of DEADLINE_EXCEEDED.
        if delay >= seconds_left:
            return None
        return delay
