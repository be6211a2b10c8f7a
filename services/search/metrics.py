"""Prometheus metrics of the search service (the server's RPC metrics live in the runtime)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EMBEDDING_CACHE_REQUESTS = Counter(
    "memgrid_embedding_cache_requests_total",
    "Query embeddings asked of the LRU cache, by result (hit or miss).",
    ["model", "result"],
)
EMBEDDER_SENTENCES = Counter(
    "memgrid_embedder_sentences_total",
    "Texts embedded by the model (after the cache, across dynamic batches).",
    ["model"],
)
EMBED_BATCH_SIZE = Histogram(
    "memgrid_search_embed_batch_size",
    "Texts per model run after dynamic batching.",
    ["model"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
SEARCH_STAGE_SECONDS = Histogram(
    "memgrid_search_stage_duration_seconds",
    "Time spent in each stage of a search.",
    ["stage"],
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25),
)
