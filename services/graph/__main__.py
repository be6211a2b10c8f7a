"""`python -m services.graph`: serve GraphService until SIGTERM or SIGINT, and consume
memory-store's "graph" queue alongside."""

from __future__ import annotations

from memgrid.graph.v1 import service_pb2, service_pb2_grpc
from memgrid.memory.v1 import service_pb2_grpc as memory_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, run, serve
from memgrid_runtime.settings import SettingsError
from memgrid_runtime.telemetry import configure_telemetry

from services.graph.backend import open_graph_store
from services.graph.outbox_consumer import ConsumerOptions, GraphOutboxConsumer
from services.graph.servicer import GraphServicer
from services.graph.settings import SERVICE_NAME, GraphSettings

SERVICE = service_pb2.DESCRIPTOR.services_by_name["GraphService"].full_name


async def main() -> None:
    try:
        settings = GraphSettings.from_env()
    except SettingsError as error:
        raise SystemExit(f"{SERVICE_NAME}: {error}") from None
    telemetry = configure_telemetry(
        SERVICE_NAME, log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    store = await open_graph_store(settings)
    shutdown = []

    if settings.outbox is not None:
        outbox = settings.outbox
        channel = connect(outbox.memory_store_target, transport=settings.server.transport)
        consumer = GraphOutboxConsumer(
            store,
            memory_grpc.MemoryStoreServiceStub(channel),
            ConsumerOptions(
                worker_id=outbox.worker_id,
                queue=outbox.queue,
                batch_size=outbox.batch_size,
                visibility_timeout_seconds=outbox.visibility_timeout_seconds,
                idle_poll_seconds=outbox.idle_poll_seconds,
                retry_after_seconds=outbox.retry_after_seconds,
            ),
        )
        consumer.jobs.start()

        async def stop_consumer() -> None:
            await consumer.jobs.stop()
            await channel.close(None)

        shutdown.append(stop_consumer)

    servicer = GraphServicer(store)
    await serve(
        settings.server,
        [GrpcService(SERVICE, servicer, service_pb2_grpc.add_GraphServiceServicer_to_server)],
        telemetry=telemetry,
        on_shutdown=[*shutdown, store.close],
    )


if __name__ == "__main__":
    run(main)
