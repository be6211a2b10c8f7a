"""The search service's settings, read once from the environment in the entry point."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from memgrid_runtime.settings import Env, ServerSettings, SettingsError

from services.search.embedding.onnx_embedder import Precision
from services.search.indexer import SyncSettings
from services.search.retrieval import Fusion, RankWeights
from services.search.validation import SearchLimits

SERVICE_NAME = "search"
DEFAULT_PORT = 50053
DEFAULT_METRICS_PORT = 9153


_DEFAULT_WEIGHTS = RankWeights()


def _neighbour_weights(env: Env) -> tuple[float, ...]:
    """MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS: comma-separated shares for the turns 1, 2, ...
    places away; "none" turns the spreading off."""
    default = [str(w) for w in _DEFAULT_WEIGHTS.neighbour_weights]
    items = env.items("MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS", default)
    if items == ["none"]:
        return ()
    try:
        weights = tuple(float(item) for item in items)
    except ValueError:
        weights = ()
    if not weights or any(not 0.0 <= w <= 1.0 for w in weights) or len(weights) > 5:
        raise SettingsError(
            "MEMGRID_SEARCH_NEIGHBOUR_WEIGHTS must be 1-5 comma-separated numbers in 0..1,"
            f" or none; got {','.join(items)!r}"
        )
    return weights


@dataclass(frozen=True)
class OnnxSettings:
    cache_dir: Path
    precision: Precision
    threads: int
    spinning: bool = False


@dataclass(frozen=True)
class OpenAISettings:
    base_url: str
    model: str
    dim: int
    api_key: str | None


@dataclass(frozen=True)
class EmbedderSettings:
    provider: str  # "onnx" or "openai"
    onnx: OnnxSettings
    openai: OpenAISettings | None
    max_batch: int
    max_wait_seconds: float
    query_cache_size: int


@dataclass(frozen=True)
class IndexSettings:
    backend: str  # "qdrant-edge" or "qdrant-client"
    path: Path
    qdrant_url: str | None
    qdrant_api_key: str | None
    flush_interval_seconds: float = 10.0


@dataclass(frozen=True)
class SearchSettings:
    server: ServerSettings
    embedder: EmbedderSettings
    index: IndexSettings
    limits: SearchLimits
    weights: RankWeights
    memory_store_target: str | None
    # Graph expansion of searches; None: no graph, two retrievers.
    graph_target: str | None
    sync_enabled: bool
    sync: SyncSettings

    @classmethod
    def from_env(cls, env: Env | None = None) -> SearchSettings:
        env = env or Env()
        provider = env.choice("MEMGRID_SEARCH_EMBEDDER", "onnx", ("onnx", "openai"))
        backend = env.choice(
            "MEMGRID_SEARCH_INDEX_BACKEND", "qdrant-edge", ("qdrant-edge", "qdrant-client")
        )
        index = IndexSettings(
            backend=backend,
            path=Path(env.string("MEMGRID_SEARCH_INDEX_PATH", "var/search-index")),
            qdrant_url=env.optional_string("MEMGRID_SEARCH_QDRANT_URL"),
            qdrant_api_key=env.optional_string("MEMGRID_SEARCH_QDRANT_API_KEY"),
            flush_interval_seconds=env.number(
                "MEMGRID_SEARCH_FLUSH_INTERVAL_SECONDS", 10.0, minimum=0.1
            ),
        )
        memory_store_target = env.optional_string("MEMGRID_MEMORY_STORE_TARGET")
        sync_enabled = env.flag("MEMGRID_SEARCH_SYNC_ENABLED", memory_store_target is not None)
        if sync_enabled and memory_store_target is None:
            raise SettingsError(
                "MEMGRID_SEARCH_SYNC_ENABLED=true needs MEMGRID_MEMORY_STORE_TARGET"
            )
        return cls(
            server=ServerSettings.from_env(
                SERVICE_NAME,
                default_port=DEFAULT_PORT,
                default_metrics_port=DEFAULT_METRICS_PORT,
                env=env,
            ),
            embedder=EmbedderSettings(
                provider=provider,
                onnx=OnnxSettings(
                    cache_dir=Path(env.string("MEMGRID_SEARCH_MODEL_CACHE", "var/onnx-cache")),
                    precision=env.choice(  # type: ignore[arg-type]
                        "MEMGRID_SEARCH_ONNX_PRECISION", "fp32", ("fp32", "int8")
                    ),
                    threads=env.integer("MEMGRID_SEARCH_ONNX_THREADS", 1, minimum=1),
                    spinning=env.flag("MEMGRID_SEARCH_ONNX_SPINNING", False),
                ),
                openai=_openai_settings(env) if provider == "openai" else None,
                max_batch=env.integer("MEMGRID_SEARCH_EMBED_MAX_BATCH", 64, minimum=1),
                max_wait_seconds=env.number("MEMGRID_SEARCH_EMBED_MAX_WAIT_MS", 2.0, minimum=0)
                / 1000.0,
                query_cache_size=env.integer("MEMGRID_SEARCH_QUERY_CACHE_SIZE", 4096, minimum=1),
            ),
            index=index,
            limits=SearchLimits(
                max_query_bytes=env.integer("MEMGRID_SEARCH_MAX_QUERY_BYTES", 4096, minimum=1),
                max_batch=env.integer("MEMGRID_SEARCH_MAX_BATCH", 1000, minimum=1),
            ),
            weights=RankWeights(
                fusion=Fusion(
                    env.choice(
                        "MEMGRID_SEARCH_FUSION",
                        Fusion.RELATIVE_SCORE.value,
                        tuple(f.value for f in Fusion),
                    )
                ),
                dense_weight=env.number(
                    "MEMGRID_SEARCH_DENSE_WEIGHT", _DEFAULT_WEIGHTS.dense_weight, minimum=0
                ),
                sparse_weight=env.number(
                    "MEMGRID_SEARCH_SPARSE_WEIGHT", _DEFAULT_WEIGHTS.sparse_weight, minimum=0
                ),
                graph_weight=env.number(
                    "MEMGRID_SEARCH_GRAPH_WEIGHT", _DEFAULT_WEIGHTS.graph_weight, minimum=0
                ),
                rrf_k=env.integer("MEMGRID_SEARCH_RRF_K", _DEFAULT_WEIGHTS.rrf_k, minimum=1),
                recency=env.number(
                    "MEMGRID_SEARCH_RECENCY_WEIGHT", _DEFAULT_WEIGHTS.recency, minimum=0
                ),
                importance=env.number(
                    "MEMGRID_SEARCH_IMPORTANCE_WEIGHT", _DEFAULT_WEIGHTS.importance, minimum=0
                ),
                heat=env.number("MEMGRID_SEARCH_HEAT_WEIGHT", _DEFAULT_WEIGHTS.heat, minimum=0),
                neighbour_weights=_neighbour_weights(env),
                temporal=env.number(
                    "MEMGRID_SEARCH_TEMPORAL_WEIGHT", _DEFAULT_WEIGHTS.temporal, minimum=0
                ),
            ),
            memory_store_target=memory_store_target,
            graph_target=env.optional_string("MEMGRID_GRAPH_TARGET"),
            sync_enabled=sync_enabled,
            sync=SyncSettings(
                worker_id=f"search-{socket.gethostname()}-{os.getpid()}",
                batch_size=env.integer("MEMGRID_SEARCH_SYNC_BATCH", 100, minimum=1),
                visibility_timeout_seconds=env.integer(
                    "MEMGRID_SEARCH_SYNC_VISIBILITY_TIMEOUT_SECONDS", 60, minimum=1
                ),
            ),
        )


def _openai_settings(env: Env) -> OpenAISettings:
    base_url = env.optional_string("MEMGRID_SEARCH_OPENAI_BASE_URL")
    model = env.optional_string("MEMGRID_SEARCH_OPENAI_MODEL")
    if base_url is None or model is None:
        raise SettingsError(
            "MEMGRID_SEARCH_EMBEDDER=openai needs MEMGRID_SEARCH_OPENAI_BASE_URL and "
            "MEMGRID_SEARCH_OPENAI_MODEL"
        )
    return OpenAISettings(
        base_url=base_url,
        model=model,
        dim=env.integer("MEMGRID_SEARCH_OPENAI_DIM", 384, minimum=1),
        api_key=env.optional_string("MEMGRID_SEARCH_OPENAI_API_KEY"),
    )
