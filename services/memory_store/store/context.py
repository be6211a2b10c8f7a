"""What every store operation gets besides its transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import StoreConfig
from .ids import TimeOrderedIds


@dataclass(frozen=True)
class OperationContext:
    config: StoreConfig
    ids: TimeOrderedIds
    # One instant for the whole operation, so every row it writes carries the same time.
    now_us: int
    # The queues this operation made a job available in: once it commits, the store wakes
    # the LeaseJobs calls waiting on them.
    queues_with_new_jobs: set[str] = field(default_factory=set)
