"""Vector index backends behind one interface; chosen by configuration."""

from __future__ import annotations

from pathlib import Path

from services.search.index.base import Candidate, IndexFilter, IndexPoint, VectorIndex

BACKENDS = ("qdrant-edge", "qdrant-client")


def open_index(
    backend: str,
    *,
    dim: int,
    path: Path | None = None,
    url: str | None = None,
    api_key: str | None = None,
) -> VectorIndex:
    """qdrant-edge needs a path; qdrant-client a url (a server) or a path (local mode)."""
    if backend == "qdrant-edge":
        from services.search.index.qdrant_edge_index import QdrantEdgeIndex

        if path is None:
            raise ValueError("the qdrant-edge index needs a directory")
        return QdrantEdgeIndex(path, dim)
    if backend == "qdrant-client":
        from services.search.index.qdrant_client_index import QdrantClientIndex

        return QdrantClientIndex(dim=dim, url=url, path=None if url else path, api_key=api_key)
    raise ValueError(f"unknown index backend {backend!r}; choose one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Candidate", "IndexFilter", "IndexPoint", "VectorIndex", "open_index"]
