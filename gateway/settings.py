"""The gateway's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from memgrid_runtime.settings import Env, ServerSettings, SettingsError

from gateway.auth import ApiKeys

DEFAULT_PORT = 50051
DEFAULT_METRICS_PORT = 9151


@dataclass(frozen=True)
class GatewaySettings:
    server: ServerSettings
    api_keys: dict[str, str]
    memory_store_target: str
    # Derived stores the gateway calls directly; None when not deployed.
    search_target: str | None
    # Profile, patterns, feedback, consolidation and Chat; None when not deployed.
    thought_engine_target: str | None
    graph_target: str | None
    # Stores fed by memory-store's outbox, reported in every write's propagation.
    derived_stores: tuple[str, ...]
    rate_limit_per_second: float
    rate_limit_burst: int
    # Budget for a downstream call when the client sent no deadline.
    default_timeout_seconds: float
    # Budget for indexing a write before it returns (read-your-writes); past it the write
    # still succeeds, says search is PENDING, and the outbox indexes it.
    index_timeout_seconds: float
    # How long the visits searches make are collected before one RecordVisits per tenant
    # (gateway/visits.py); 0 sends them after every Search.
    visit_flush_seconds: float = 1.0

    @classmethod
    def from_env(cls, env: Env | None = None) -> GatewaySettings:
        env = env or Env()
        keys_file = env.optional_string("MEMGRID_API_KEYS_FILE")
        api_keys = ApiKeys.parse(env.string("MEMGRID_API_KEYS", ""))
        if keys_file:
            api_keys.update(ApiKeys.load_file(Path(keys_file)))
        if not api_keys:
            raise SettingsError(
                "no API keys configured: set MEMGRID_API_KEYS=key=tenant[,key=tenant...] "
                "or MEMGRID_API_KEYS_FILE=path/to/keys.json"
            )
        return cls(
            server=ServerSettings.from_env(
                "gateway",
                default_port=DEFAULT_PORT,
                default_metrics_port=DEFAULT_METRICS_PORT,
                env=env,
                public=True,
            ),
            api_keys=api_keys,
            memory_store_target=env.string("MEMGRID_MEMORY_STORE_TARGET", "127.0.0.1:50052"),
            search_target=env.optional_string("MEMGRID_SEARCH_TARGET"),
            thought_engine_target=env.optional_string("MEMGRID_THOUGHT_ENGINE_TARGET"),
            graph_target=env.optional_string("MEMGRID_GRAPH_TARGET"),
            derived_stores=tuple(env.items("MEMGRID_DERIVED_STORES", ["search", "graph"])),
            rate_limit_per_second=env.number("MEMGRID_RATE_LIMIT_PER_SECOND", 0.0, minimum=0),
            rate_limit_burst=env.integer("MEMGRID_RATE_LIMIT_BURST", 100, minimum=1),
            default_timeout_seconds=env.number(
                "MEMGRID_DEFAULT_TIMEOUT_SECONDS", 10.0, minimum=0.01
            ),
            index_timeout_seconds=env.number("MEMGRID_INDEX_TIMEOUT_SECONDS", 2.0, minimum=0.01),
            visit_flush_seconds=env.number("MEMGRID_VISIT_FLUSH_SECONDS", 1.0, minimum=0),
        )
