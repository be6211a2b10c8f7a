"""`python -m services.search`: serve SearchService (and run the index-sync worker) until
SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib

from memgrid.search.v1 import service_pb2, service_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, run, serve
from memgrid_runtime.settings import SettingsError
from memgrid_runtime.telemetry import configure_telemetry

from services.search.graph_expansion import IDEMPOTENT_METHODS as GRAPH_IDEMPOTENT_METHODS
from services.search.graph_expansion import GraphExpander
from services.search.indexer import IndexSyncWorker
from services.search.memory_store_client import IDEMPOTENT_METHODS, MemoryStoreClient
from services.search.settings import SERVICE_NAME, SearchSettings
from services.search.wiring import build_embedder, build_index, build_parts

SERVICE = service_pb2.DESCRIPTOR.services_by_name["SearchService"].full_name


async def main() -> None:
    try:
        settings = SearchSettings.from_env()
    except SettingsError as error:
        raise SystemExit(f"{SERVICE_NAME}: {error}") from None
    telemetry = configure_telemetry(
        SERVICE_NAME, log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    embedder = build_embedder(settings.embedder)
    index = build_index(settings.index, embedder.dim)
    channel = (
        connect(
            settings.memory_store_target,
            idempotent_methods=IDEMPOTENT_METHODS,
            transport=settings.server.transport,
        )
        if settings.memory_store_target
        else None
    )
    memory_store = MemoryStoreClient(channel) if channel is not None else None
    graph_channel = (
        connect(
            settings.graph_target,
            idempotent_methods=GRAPH_IDEMPOTENT_METHODS,
            transport=settings.server.transport,
        )
        if settings.graph_target
        else None
    )
    graph = GraphExpander(graph_channel) if graph_channel is not None else None
    parts = build_parts(settings, embedder, index, memory_store, graph)

    sync = None
    if settings.sync_enabled and memory_store is not None:
        sync = IndexSyncWorker(memory_store, parts.writer, settings.sync)
        sync.jobs.start()
    stop_flushing = asyncio.Event()
    flush_task = asyncio.create_task(
        parts.writer.flush_periodically(stop_flushing, settings.index.flush_interval_seconds)
    )

    async def stop_worker() -> None:
        if sync is not None:
            await sync.jobs.stop()
        stop_flushing.set()
        with contextlib.suppress(asyncio.CancelledError):
            await flush_task

    async def close_channel() -> None:
        for open_channel in (channel, graph_channel):
            if open_channel is not None:
                await open_channel.close(None)

    await serve(
        settings.server,
        [
            GrpcService(
                SERVICE, parts.servicer, service_pb2_grpc.add_SearchServiceServicer_to_server
            )
        ],
        telemetry=telemetry,
        on_shutdown=[stop_worker, parts.close, close_channel],
    )


if __name__ == "__main__":
    run(main)
