"""`python -m services.thought_engine`: serve ThoughtService and run the consolidation workers
in the same process until SIGTERM or SIGINT."""

from __future__ import annotations

from memgrid.thought.v1 import service_pb2, service_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, run, serve
from memgrid_runtime.settings import SettingsError
from memgrid_runtime.telemetry import configure_telemetry

from services.thought_engine import graph_sink, memory_store_client, search_client
from services.thought_engine.graph_sink import GraphServiceSink
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.search_client import SearchRetriever
from services.thought_engine.settings import SERVICE_NAME, ThoughtEngineSettings
from services.thought_engine.wiring import build_engine

SERVICE = service_pb2.DESCRIPTOR.services_by_name["ThoughtService"].full_name


async def main() -> None:
    try:
        settings = ThoughtEngineSettings.from_env()
    except SettingsError as error:
        raise SystemExit(f"{SERVICE_NAME}: {error}") from None
    telemetry = configure_telemetry(
        SERVICE_NAME, log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    timeout = settings.default_timeout_seconds
    channels = [
        connect(
            settings.memory_store_target,
            idempotent_methods=memory_store_client.IDEMPOTENT_METHODS,
            default_timeout=timeout,
            transport=settings.server.transport,
        )
    ]
    search = graph = None
    if settings.search_target:
        channels.append(
            connect(
                settings.search_target,
                idempotent_methods=search_client.IDEMPOTENT_METHODS,
                default_timeout=timeout,
                transport=settings.server.transport,
            )
        )
        search = SearchRetriever(channels[-1])
    if settings.graph_target:
        channels.append(
            connect(
                settings.graph_target,
                idempotent_methods=graph_sink.IDEMPOTENT_METHODS,
                default_timeout=timeout,
                transport=settings.server.transport,
            )
        )
        graph = GraphServiceSink(channels[-1])
    engine = build_engine(settings, MemoryStoreClient(channels[0]), search=search, graph=graph)

    if engine.workers is not None:
        engine.workers.jobs.start()

    async def stop() -> None:
        if engine.workers is not None:
            await engine.workers.jobs.stop()

    async def close() -> None:
        await engine.close()
        for channel in channels:
            await channel.close(None)

    await serve(
        settings.server,
        [
            GrpcService(
                SERVICE, engine.servicer, service_pb2_grpc.add_ThoughtServiceServicer_to_server
            )
        ],
        telemetry=telemetry,
        on_shutdown=[stop, close],
    )


if __name__ == "__main__":
    run(main)
