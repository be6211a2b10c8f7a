"""The caller's deadline, carried from an inbound RPC to every outbound call it makes.

The server interceptor records when the current RPC must be answered; the client channel
gives each downstream call whatever time is left (less a small margin for the reply), so a
caller's deadline bounds the whole fan-out and no service keeps working for a client that
has given up.
"""

from __future__ import annotations

import contextvars
import time

# Absolute time.monotonic() by which the inbound RPC must be answered; None when the caller
# set no deadline (or outside an RPC).
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "memgrid_deadline", default=None
)

# Left for serialising and sending the reply after the downstream call returns.
REPLY_MARGIN_SECONDS = 0.005


def enter(time_remaining: float | None) -> contextvars.Token[float | None]:
    """Records the inbound RPC's deadline for the current task."""
    deadline = None if time_remaining is None else time.monotonic() + time_remaining
    return _deadline.set(deadline)


def leave(token: contextvars.Token[float | None]) -> None:
    _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the inbound deadline (may be <= 0), or None without one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def outbound_timeout(requested: float | None, default: float) -> float:
    """The timeout for a downstream call: the smallest of what the call asked for, the
    inbound deadline less the reply margin, and the channel's default."""
    candidates = [default if requested is None else requested]
    left = remaining()
    if left is not None:
        candidates.append(left - REPLY_MARGIN_SECONDS)
    return min(candidates)
