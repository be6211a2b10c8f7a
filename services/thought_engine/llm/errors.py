"""Typed failures of an LLM call, so a caller can degrade instead of failing its job.

Each is also the memgrid domain error with the status a client should see should one ever
reach an RPC (a Chat answer, for instance): a spent budget is RESOURCE_EXHAUSTED, a slow
model DEADLINE_EXCEEDED, an unreachable one UNAVAILABLE, unusable output INTERNAL.
"""

from __future__ import annotations

from memgrid_runtime.errors import (
    DeadlineExceeded,
    Internal,
    MemgridError,
    ResourceExhausted,
    Unavailable,
)


class LLMError(MemgridError):
    """Base of every failure of the LLM provider."""


class LLMTimeout(LLMError, DeadlineExceeded):
    """Every attempt ran out of time."""

    default_reason = "LLM_TIMEOUT"

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message, metadata={"attempts": str(attempts)})
        self.attempts = attempts


class LLMUnavailable(LLMError, Unavailable):
    """The server could not be reached or kept failing (5xx, 429) after every retry."""

    default_reason = "LLM_UNAVAILABLE"

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message, metadata={"attempts": str(attempts)})
        self.attempts = attempts


class LLMRequestRejected(LLMError, Internal):
    """The server refused the request itself (4xx other than 429): retrying cannot help."""

    default_reason = "LLM_REQUEST_REJECTED"

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message, metadata={"status_code": str(status_code)})
        self.status_code = status_code


class InvalidJSON(LLMError, Internal):
    """The model answered, but not with JSON that matches the requested schema."""

    default_reason = "LLM_INVALID_JSON"

    def __init__(self, message: str, *, raw_text: str, finish_reason: str) -> None:
        super().__init__(message, metadata={"finish_reason": finish_reason})
        self.raw_text = raw_text
        self.finish_reason = finish_reason


class BudgetExceeded(LLMError, ResourceExhausted):
    """The tenant's token budget cannot cover the call; nothing was sent to the server."""

    default_reason = "LLM_BUDGET_EXCEEDED"

    def __init__(self, tenant_id: str, *, needed: int, remaining: int, limit: int) -> None:
        super().__init__(
            f"tenant {tenant_id!r} needs up to {needed} LLM tokens but has {remaining} of "
            f"{limit} left in this budget window",
            metadata={
                "tenant_id": tenant_id,
                "needed": str(needed),
                "remaining": str(remaining),
                "limit": str(limit),
            },
        )
        self.tenant_id = tenant_id
        self.needed = needed
        self.remaining = remaining
        self.limit = limit
