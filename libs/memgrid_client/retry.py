"""When the SDK repeats a failed call, and how long it waits first.

Two failures are retried. UNAVAILABLE means the request never reached a handler, or the
handler's backend was down, so nothing was done. RESOURCE_EXHAUSTED with a RetryInfo is the
gateway's rate limiter, which turns a call away before it does anything and says when a
token is free again; without a RetryInfo (a spent LLM budget, a reply too large) waiting
does not help. And only calls that are safe to repeat are retried: reads, and writes that
carry an idempotency key (the SDK gives every AddMemories, AddMessages and Chat call one
unless the caller passes their own), so a retry never stores anything twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from memgrid_client.errors import MemgridError, ResourceExhausted, Unavailable


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and by the call's deadline."""

    # Attempts in all, the first one included; 1 turns retries off.
    max_attempts: int = 4
    initial_backoff_seconds: float = 0.1
    max_backoff_seconds: float = 2.0
    backoff_multiplier: float = 2.0
    # The longest wait for a rate limit's token; a limiter asking for more fails the call
    # at once, with the delay in the error's retry_after_seconds.
    max_rate_limit_wait_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 < self.initial_backoff_seconds <= self.max_backoff_seconds:
            raise ValueError("need 0 < initial_backoff_seconds <= max_backoff_seconds")
        if self.backoff_multiplier < 1:
            raise ValueError("backoff_multiplier must be at least 1")
        if self.max_rate_limit_wait_seconds < 0:
            raise ValueError("max_rate_limit_wait_seconds must not be negative")

    def delay_before_retry(
        self, attempts_made: int, error: MemgridError, seconds_left: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when the call must fail now."""
        if attempts_made >= self.max_attempts:
            return None
        if isinstance(error, Unavailable):
            delay = self._backoff(attempts_made, error.retry_after_seconds)
        elif isinstance(error, ResourceExhausted) and error.retry_after_seconds is not None:
            if error.retry_after_seconds > self.max_rate_limit_wait_seconds:
                return None
            # Waiting less than the limiter said only meets the empty bucket again; a little
            # jitter on top keeps the clients it turned away together from returning together.
            delay = error.retry_after_seconds * random.uniform(1.0, 1.2)
        else:
            return None
        # A retry that could not finish before the deadline would fail anyway; failing now
        # reports the real cause instead of DEADLINE_EXCEEDED.
        if delay >= seconds_left:
            return None
        return delay

    def _backoff(self, attempts_made: int, server_hint_seconds: float) -> float:
        ceiling = min(
            self.max_backoff_seconds,
            self.initial_backoff_seconds * self.backoff_multiplier ** (attempts_made - 1),
        )
        # Jitter keeps the clients that failed together from retrying together.
        delay = random.uniform(0, ceiling)
        # The server's RetryInfo says when it expects to be back; waiting less only burns an
        # attempt, but its hint never stretches one wait past our own ceiling.
        return max(delay, min(server_hint_seconds, self.max_backoff_seconds))
