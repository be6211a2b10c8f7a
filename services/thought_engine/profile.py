"""Reading a user's profile: the current facts the engine extracted from their messages."""

from __future__ import annotations

from dataclasses import dataclass

from memgrid.common.v1 import memory_pb2

from services.thought_engine import records
from services.thought_engine.facts import USER
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.reconcile import StoredFact
from services.thought_engine.text import normalise


@dataclass(frozen=True)
class Profile:
    own: tuple[StoredFact, ...]
    """The user's own attributes (PROFILE memories), by attribute and value."""
    related: tuple[StoredFact, ...]
    """Facts about the people around the user (FACT memories), by subject."""


class ProfileReader:
    def __init__(self, store: MemoryStoreClient) -> None:
        self._store = store

    async def read(self, tenant_id: str, user_id: str) -> Profile:
        memories = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=user_id,
                kinds=[memory_pb2.MEMORY_KIND_PROFILE, memory_pb2.MEMORY_KIND_FACT],
            ),
        )
        seen: set[tuple[str, str, str]] = set()
        facts: list[StoredFact] = []
        # Oldest first: when a race stored one value twice, the first one stands.
        for memory in memories:
            fact = records.stored_fact(memory)
            if fact is None or not fact.current:
                continue
            key = (normalise(fact.fact.subject), fact.fact.attribute, normalise(fact.fact.value))
            if key not in seen:
                seen.add(key)
                facts.append(fact)
        facts.sort(key=lambda f: (f.fact.subject, f.fact.attribute, f.fact.value.casefold()))
        return Profile(
            own=tuple(f for f in facts if f.fact.subject == USER),
            related=tuple(f for f in facts if f.fact.subject != USER),
        )
