"""Per-tenant request rate limits (token buckets), so one tenant cannot starve the rest."""

from __future__ import annotations

import time
from dataclasses import dataclass

from memgrid_runtime.errors import ResourceExhausted


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TenantRateLimiter:
    """Allows `rate` requests per second per tenant with bursts up to `burst`.

    rate <= 0 disables limiting. State is per gateway replica: with N replicas a tenant
    gets up to N x rate in total, which the operator accounts for when setting it.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(max(burst, 1))
        self._buckets: dict[str, _Bucket] = {}

    def check(self, tenant: str) -> None:
        if self._rate <= 0:
            return
        now = time.monotonic()
        bucket = self._buckets.get(tenant)
        if bucket is None:
            bucket = self._buckets[tenant] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            # The RetryInfo says when the bucket holds a token again, so a client that
            # waits that long succeeds instead of spending attempts on a full bucket.
            raise ResourceExhausted(
                f"rate limit of {self._rate:g} requests/s exceeded for this tenant",
                reason="RATE_LIMITED",
                retry_after_seconds=(1.0 - bucket.tokens) / self._rate,
            )
        bucket.tokens -= 1.0
