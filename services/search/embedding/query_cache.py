"""A bounded LRU cache of query embeddings.

Agents repeat queries (the same question each turn, the same profile lookup), and a cached
vector saves the whole model run. Only single-text calls are cached: batches come from
ingestion, where texts rarely repeat and would only evict useful queries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from services.search.embedding.base import Embedder, Vectors
from services.search.metrics import EMBEDDING_CACHE_REQUESTS


class CachingEmbedder:
    def __init__(self, inner: Embedder, *, capacity: int = 4096) -> None:
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self._inner = inner
        self._capacity = capacity
        self._entries: OrderedDict[str, Vectors] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dim(self) -> int:
        return self._inner.dim

    def __len__(self) -> int:
        return len(self._entries)

    async def embed(self, texts: Sequence[str]) -> Vectors:
        if len(texts) != 1:
            return await self._inner.embed(texts)
        text = texts[0]
        cached = self._entries.get(text)
        if cached is not None:
            self._entries.move_to_end(text)
            self.hits += 1
            EMBEDDING_CACHE_REQUESTS.labels(self._inner.name, "hit").inc()
            return cached
        self.misses += 1
        EMBEDDING_CACHE_REQUESTS.labels(self._inner.name, "miss").inc()
        vectors = await self._inner.embed(texts)
        vectors.flags.writeable = False  # shared between callers: nobody may mutate it
        self._entries[text] = vectors
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return vectors

    async def aclose(self) -> None:
        await self._inner.aclose()
