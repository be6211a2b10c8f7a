"""Entry point: python -m gateway"""

from __future__ import annotations

from memgrid.gateway.v1 import service_pb2_grpc
from memgrid.memory.v1.service_pb2_grpc import MemoryStoreServiceStub
from memgrid_runtime.channels import connect
from memgrid_runtime.server import GrpcService, run, serve
from memgrid_runtime.telemetry import configure_telemetry

from gateway.auth import ApiKeys
from gateway.rate_limit import TenantRateLimiter
from gateway.servicer import GatewayServicer
from gateway.settings import GatewaySettings

SERVICE_NAME = "memgrid.gateway.v1.GatewayService"

# Reads are safe to retry on UNAVAILABLE; writes are retried by clients with their
# idempotency keys instead.
MEMORY_STORE_IDEMPOTENT = [
    f"memgrid.memory.v1.MemoryStoreService/{method}"
    for method in ("GetMemory", "BatchGetMemories", "ListMemories", "GetMemoryHistory", "ListCubes")
]


async def main() -> None:
    settings = GatewaySettings.from_env()
    telemetry = configure_telemetry(
        "gateway", log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    memory_store = connect(
        settings.memory_store_target,
        idempotent_methods=MEMORY_STORE_IDEMPOTENT,
        default_timeout=settings.default_timeout_seconds,
    )
    servicer = GatewayServicer(
        memory_store=MemoryStoreServiceStub(memory_store),
        api_keys=ApiKeys(settings.api_keys),
        rate_limiter=TenantRateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
        derived_stores=settings.derived_stores,
    )
    await serve(
        settings.server,
        [
            GrpcService(
                SERVICE_NAME, servicer, service_pb2_grpc.add_GatewayServiceServicer_to_server
            )
        ],
        telemetry=telemetry,
        on_shutdown=[lambda: memory_store.close(grace=None)],
    )


if __name__ == "__main__":
    run(main)
