"""An embedder wrapper for the search tests: the real model underneath, observable."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.search.embedding import OnnxEmbedder
from services.search.embedding.base import Vectors


class CountingEmbedder:
    """Wraps the real embedder: counts the texts of each call that reaches it (`calls`),
    and can hold calls midway (clear `release`; `started` is set once one arrives)."""

    def __init__(self, inner: OnnxEmbedder) -> None:
        self.inner = inner
        self.calls: list[int] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    async def embed(self, texts: Sequence[str]) -> Vectors:
        self.started.set()
        await self.release.wait()
        self.calls.append(len(texts))
        return await self.inner.embed(texts)

    async def aclose(self) -> None:
        # The inner embedder is the session's shared fixture: not this wrapper's to close.
        return None
