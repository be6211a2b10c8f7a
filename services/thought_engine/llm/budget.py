"""Per-tenant LLM token budgets over fixed time windows.

A call first reserves its worst case (estimated prompt + max_tokens); if that does not fit
in what the tenant has left, BudgetExceeded is raised and nothing is sent. When the answer
comes back the reservation is settled to the tokens the server reports, so concurrent calls
of one tenant cannot together overshoot the budget by more than their estimates' error.

The accounting is per process: with several worker replicas each enforces its own share.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from services.thought_engine.llm.errors import BudgetExceeded


@dataclass
class _WindowUsage:
    window: int
    used: int = 0
    reserved: int = 0


@dataclass
class Reservation:
    """Tokens held for one call until `settle` replaces them with the real usage."""

    tenant_id: str
    tokens: int
    _budget: TokenBudget = field(repr=False)
    _window: int = field(repr=False)
    settled: bool = False

    def settle(self, used_tokens: int) -> None:
        """Charges what the call really used (0 when the server never answered)."""
        if self.settled:
            raise RuntimeError("reservation already settled")
        self.settled = True
        self._budget._settle(self, used_tokens)


class TokenBudget:
    """Token limits per tenant per window; `limits` overrides the default for some tenants."""

    def __init__(
        self,
        default_limit: int,
        *,
        window_seconds: float = 86_400.0,
        limits: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if default_limit < 0 or window_seconds <= 0:
            raise ValueError("default_limit must be >= 0 and window_seconds > 0")
        self._default_limit = default_limit
        self._limits = dict(limits or {})
        self._window_seconds = window_seconds
        self._clock = clock
        self._usage: dict[str, _WindowUsage] = {}

    def limit_for(self, tenant_id: str) -> int:
        return self._limits.get(tenant_id, self._default_limit)

    def used(self, tenant_id: str) -> int:
        """Tokens charged in the current window (settled calls only)."""
        return self._current(tenant_id).used

    def remaining(self, tenant_id: str) -> int:
        usage = self._current(tenant_id)
        return max(0, self.limit_for(tenant_id) - usage.used - usage.reserved)

    def reserve(self, tenant_id: str, tokens: int) -> Reservation:
        """Holds `tokens` for one call, or raises BudgetExceeded if they do not fit."""
        usage = self._current(tenant_id)
        remaining = self.remaining(tenant_id)
        if tokens > remaining:
            raise BudgetExceeded(
                tenant_id, needed=tokens, remaining=remaining, limit=self.limit_for(tenant_id)
            )
        usage.reserved += tokens
        return Reservation(tenant_id, tokens, self, usage.window)

    def _settle(self, reservation: Reservation, used_tokens: int) -> None:
        usage = self._current(reservation.tenant_id)
        # A call that straddles a window boundary is charged to the new window; its
        # reservation died with the old one.
        if usage.window == reservation._window:
            usage.reserved -= reservation.tokens
        usage.used += used_tokens

    def _current(self, tenant_id: str) -> _WindowUsage:
        window = int(self._clock() // self._window_seconds)
        usage = self._usage.get(tenant_id)
        if usage is None or usage.window != window:
            usage = _WindowUsage(window)
            self._usage[tenant_id] = usage
        return usage
