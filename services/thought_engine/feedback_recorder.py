"""Recording "useful" / "not useful" on a memory: its importance moves, and so its rank.

The count of earlier feedback lives in the memory's metadata (feedback.apply_feedback damps
later judgements by it). Read, compute and write happen under optimistic concurrency: a
memory changed between the read and the write is read again.
"""

from __future__ import annotations

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import Aborted

from services.thought_engine import records
from services.thought_engine.feedback import FeedbackParams, ImportanceChange, apply_feedback
from services.thought_engine.memory_store_client import MemoryStoreClient


class FeedbackRecorder:
    def __init__(
        self, store: MemoryStoreClient, params: FeedbackParams | None = None, *, attempts: int = 3
    ) -> None:
        self._store = store
        self._params = params or FeedbackParams()
        self._attempts = attempts

    async def record(
        self, tenant_id: str, memory_id: str, *, useful: bool
    ) -> tuple[memory_pb2.Memory, ImportanceChange]:
        for _ in range(self._attempts):
            memory = await self._store.get_memory(tenant_id, memory_id)
            earlier = int(memory.metadata.get(records.FEEDBACK_COUNT, "0"))
            change = apply_feedback(memory.id, memory.importance, earlier, useful, self._params)
            metadata = records.metadata_with(
                memory,
                {
                    records.FEEDBACK_COUNT: str(change.feedback_count),
                    records.FEEDBACK_LAST: records.clip(change.explanation),
                },
            )
            try:
                updated = await self._store.update_memory(
                    tenant_id,
                    memory.id,
                    memory_pb2.MemoryUpdate(importance=change.after, metadata=metadata),
                    ["importance", "metadata"],
                    expected_version=memory.version,
                )
            except Aborted:
                continue
            return updated, change
        raise Aborted(
            f"memory {memory_id!r} changed during every one of {self._attempts} attempts",
            reason="FEEDBACK_CONFLICT",
        )
