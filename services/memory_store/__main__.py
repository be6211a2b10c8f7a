"""`python -m services.memory_store`: serve MemoryStoreService until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib

from memgrid.memory.v1 import service_pb2, service_pb2_grpc
from memgrid_runtime.errors import Unavailable
from memgrid_runtime.server import GrpcService, run, serve
from memgrid_runtime.settings import SettingsError
from memgrid_runtime.telemetry import configure_telemetry

from .backend import open_store
from .maintenance import sweep_forever
from .metrics import report_queue_metrics_forever
from .servicer import MemoryStoreServicer
from .settings import SERVICE_NAME, MemoryStoreSettings

SERVICE = service_pb2.DESCRIPTOR.services_by_name["MemoryStoreService"].full_name


async def main() -> None:
    try:
        settings = MemoryStoreSettings.from_env()
    except SettingsError as error:
        raise SystemExit(f"{SERVICE_NAME}: {error}") from None
    telemetry = configure_telemetry(
        SERVICE_NAME, log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    try:
        store = await open_store(settings)
    except Unavailable as error:
        raise SystemExit(f"{SERVICE_NAME}: cannot open the store: {error.message}") from None
    background = [
        asyncio.create_task(sweep_forever(store, settings.maintenance)),
        asyncio.create_task(
            report_queue_metrics_forever(store, settings.maintenance.queue_metrics_interval_seconds)
        ),
    ]

    async def stop_background() -> None:
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    servicer = MemoryStoreServicer(store, settings.limits)
    await serve(
        settings.server,
        [GrpcService(SERVICE, servicer, service_pb2_grpc.add_MemoryStoreServiceServicer_to_server)],
        telemetry=telemetry,
        on_shutdown=[stop_background, store.close],
    )


if __name__ == "__main__":
    run(main)
