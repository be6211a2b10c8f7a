"""The graph service's settings, read once from the environment in the entry point.

A bad value fails start-up with a message naming its variable (SettingsError).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from memgrid_runtime.settings import Env, ServerSettings

SERVICE_NAME = "graph"
DEFAULT_PORT = 50054
DEFAULT_METRICS_PORT = 9154
BACKENDS = ("falkordb", "neo4j")


@dataclass(frozen=True)
class FalkorDBSettings:
    """The embedded default: a FalkorDB child process persisting into data_dir."""

    data_dir: Path
    graph: str
    threads: int
    query_timeout_ms: int
    # Start-up waits while the append-only file's replay makes progress: it fails after
    # this long without any, or after the limit in all.
    startup_stall_seconds: float = 15.0
    startup_limit_seconds: float = 600.0
    # Redis rewrites (compacts) the append-only file once it doubled past this size.
    aof_rewrite_min_mb: int = 4


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str | None
    password: str | None
    database: str
    connection_timeout_seconds: float
    max_retry_seconds: float


@dataclass(frozen=True)
class OutboxSettings:
    """The consumer of memory-store's "graph" queue (memory deletes)."""

    memory_store_target: str
    queue: str
    worker_id: str
    batch_size: int
    visibility_timeout_seconds: int
    idle_poll_seconds: float
    retry_after_seconds: int


@dataclass(frozen=True)
class GraphSettings:
    server: ServerSettings
    backend: str
    falkordb: FalkorDBSettings
    neo4j: Neo4jSettings
    # None when MEMGRID_GRAPH_OUTBOX_ENABLED=false (e.g. a read-only replica).
    outbox: OutboxSettings | None

    @classmethod
    def from_env(cls, env: Env | None = None) -> GraphSettings:
        env = env or Env()
        return cls(
            server=ServerSettings.from_env(
                SERVICE_NAME,
                default_port=DEFAULT_PORT,
                default_metrics_port=DEFAULT_METRICS_PORT,
                env=env,
            ),
            backend=env.choice("MEMGRID_GRAPH_BACKEND", "falkordb", BACKENDS),
            falkordb=FalkorDBSettings(
                data_dir=Path(env.string("MEMGRID_FALKORDB_DIR", "var/falkordb")),
                graph=env.string("MEMGRID_FALKORDB_GRAPH", "memgrid"),
                threads=env.integer("MEMGRID_FALKORDB_THREADS", 2, minimum=1),
                query_timeout_ms=env.integer(
                    "MEMGRID_FALKORDB_QUERY_TIMEOUT_MS", 10_000, minimum=1
                ),
                startup_stall_seconds=env.number(
                    "MEMGRID_FALKORDB_STARTUP_STALL_SECONDS", 15.0, minimum=0.1
                ),
                startup_limit_seconds=env.number(
                    "MEMGRID_FALKORDB_STARTUP_LIMIT_SECONDS", 600.0, minimum=1
                ),
                aof_rewrite_min_mb=env.integer("MEMGRID_FALKORDB_AOF_REWRITE_MIN_MB", 4, minimum=1),
            ),
            neo4j=Neo4jSettings(
                uri=env.string("MEMGRID_NEO4J_URI", "bolt://127.0.0.1:7687"),
                user=env.optional_string("MEMGRID_NEO4J_USER"),
                password=env.optional_string("MEMGRID_NEO4J_PASSWORD"),
                database=env.string("MEMGRID_NEO4J_DATABASE", "neo4j"),
                connection_timeout_seconds=env.number(
                    "MEMGRID_NEO4J_CONNECTION_TIMEOUT_SECONDS", 5.0, minimum=0.1
                ),
                max_retry_seconds=env.number("MEMGRID_NEO4J_MAX_RETRY_SECONDS", 5.0, minimum=0),
            ),
            outbox=_outbox_settings(env),
        )


def _outbox_settings(env: Env) -> OutboxSettings | None:
    if not env.flag("MEMGRID_GRAPH_OUTBOX_ENABLED", True):
        return None
    return OutboxSettings(
        memory_store_target=env.string("MEMGRID_MEMORY_STORE_TARGET", "127.0.0.1:50052"),
        queue=env.string("MEMGRID_GRAPH_OUTBOX_QUEUE", "graph"),
        worker_id=env.string(
            "MEMGRID_GRAPH_WORKER_ID", f"graph@{socket.gethostname()}:{os.getpid()}"
        ),
        batch_size=env.integer("MEMGRID_GRAPH_OUTBOX_BATCH", 100, minimum=1),
        visibility_timeout_seconds=env.integer(
            "MEMGRID_GRAPH_OUTBOX_VISIBILITY_SECONDS", 60, minimum=1
        ),
        idle_poll_seconds=env.number("MEMGRID_GRAPH_OUTBOX_POLL_SECONDS", 1.0, minimum=0.01),
        retry_after_seconds=env.integer("MEMGRID_GRAPH_OUTBOX_RETRY_SECONDS", 5, minimum=0),
    )
