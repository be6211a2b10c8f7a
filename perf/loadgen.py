"""A closed-loop load generator: N concurrent callers for a fixed time or number of calls,
with latencies."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"{self.per_second:>9,.0f} req/s  p50 {self.p50_ms:6.2f} ms  "
            f"p95 {self.p95_ms:6.2f} ms  p99 {self.p99_ms:6.2f} ms  errors {self.errors}"
        )


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))
    return sorted_values[index]


async def closed_loop(
    call: Callable[[], Awaitable[object]],
    *,
    concurrency: int,
    seconds: float | None = None,
    calls: int | None = None,
    warmup_seconds: float = 1.0,
) -> LoadResult:
    """Runs `concurrency` callers back to back, for `seconds` or until `calls` calls have
    started after the warm-up; measures only after the warm-up. With warmup_seconds=0 and
    `calls`, every call made is measured, and none is in flight when this returns."""
    if (seconds is None) == (calls is None):
        raise ValueError("give seconds or calls")
    latencies: list[float] = []
    errors = 0
    measuring = warmup_seconds <= 0
    stop_at = time.perf_counter() + warmup_seconds + (seconds or 0.0)
    started_measured = 0

    def another() -> bool:
        nonlocal started_measured
        if calls is None:
            return time.perf_counter() < stop_at
        if measuring:
            started_measured += 1
        return started_measured <= calls

    async def caller() -> None:
        nonlocal errors
        while another():
            started = time.perf_counter()
            try:
                await call()
            except Exception:
                if measuring:
                    errors += 1
                continue
            if measuring:
                latencies.append(time.perf_counter() - started)

    measured_from = time.perf_counter()
    tasks = [asyncio.create_task(caller()) for _ in range(concurrency)]
    if not measuring:
        await asyncio.sleep(warmup_seconds)
        measuring = True
        measured_from = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - measured_from
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        p95_ms=percentile(latencies, 0.95) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
