"""Opens the graph store the settings choose: embedded FalkorDB (default) or Neo4j."""

from __future__ import annotations

from services.graph.settings import GraphSettings
from services.graph.store.cypher_store import CypherGraphStore
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess
from services.graph.store.neo4j import Neo4jBackend


async def open_graph_store(settings: GraphSettings) -> CypherGraphStore:
    backend: FalkorDBBackend | Neo4jBackend
    if settings.backend == "neo4j":
        neo = settings.neo4j
        backend = Neo4jBackend.connect(
            neo.uri,
            user=neo.user,
            password=neo.password,
            database=neo.database,
            connection_timeout=neo.connection_timeout_seconds,
            max_retry_time=neo.max_retry_seconds,
        )
    else:
        falkor = settings.falkordb
        process = FalkorDBProcess(
            falkor.data_dir,
            threads=falkor.threads,
            startup_stall_seconds=falkor.startup_stall_seconds,
            startup_limit_seconds=falkor.startup_limit_seconds,
            aof_rewrite_min_mb=falkor.aof_rewrite_min_mb,
        )
        # Started from this (the main) thread on purpose: the kernel's parent-death signal
        # follows the thread that spawned the server, and an executor thread may end first.
        # Nothing else runs yet, so blocking the loop for the start-up is harmless.
        process.start()
        backend = FalkorDBBackend.connect(
            str(process.socket_path),
            falkor.graph,
            query_timeout_ms=falkor.query_timeout_ms,
            process=process,
        )
    try:
        await backend.ensure_schema()
    except BaseException:
        await backend.close()
        raise
    return CypherGraphStore(backend)
