"""search: embeddings, the hybrid (dense + sparse) vector index and retrieval."""
