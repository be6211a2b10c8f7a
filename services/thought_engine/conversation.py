"""A conversation turn as the cognition modules see it: a MESSAGE memory, reduced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Role = Literal["user", "assistant", "system", "tool"]


@dataclass(frozen=True)
class Turn:
    message_id: str
    role: Role
    content: str
    occurred_at: datetime
    """Timezone-aware; when the turn was said, which is when what it asserts became true."""
    session_id: str = ""
