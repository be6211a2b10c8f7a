"""Entry point: python -m gateway.rest"""

from __future__ import annotations

import uvicorn
from memgrid.gateway.v1 import service_pb2
from memgrid_runtime.channels import connect
from memgrid_runtime.metrics import serve_metrics
from memgrid_runtime.server import run
from memgrid_runtime.telemetry import configure_telemetry

from gateway.rest.app import RestFront, build_app
from gateway.rest.http_rules import RouteTable, routes_of
from gateway.rest.settings import RestSettings


async def main() -> None:
    settings = RestSettings.from_env()
    server = settings.server
    telemetry = configure_telemetry("rest", log_level=server.log_level, log_json=server.log_json)
    # The routes are read from the descriptors once; a bad rule stops the start here.
    routes = RouteTable(routes_of(service_pb2.DESCRIPTOR.services_by_name["GatewayService"]))
    channel = connect(
        settings.gateway_target,
        default_timeout=settings.default_timeout_seconds,
        max_message_bytes=server.max_message_bytes,
        transport=settings.gateway_transport,
    )
    front = RestFront(
        routes=routes,
        channel=channel,
        default_timeout_seconds=settings.default_timeout_seconds,
        max_body_bytes=settings.max_body_bytes,
    )
    if server.metrics_port:
        serve_metrics(server.host, server.metrics_port)
    tls = server.transport.server_tls
    config = uvicorn.Config(
        build_app(front),
        host=server.host,
        port=server.port,
        # Logging is configure_telemetry's (trace ids, JSON lines); uvicorn adds none.
        log_config=None,
        access_log=False,
        lifespan="off",
        limit_concurrency=server.max_concurrent_rpcs,
        timeout_graceful_shutdown=int(server.shutdown_grace_seconds),
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
    )
    try:
        # Serves until SIGTERM or SIGINT, then drains the requests in flight.
        await uvicorn.Server(config).serve()
    finally:
        await channel.close(grace=None)
        telemetry.shutdown()


if __name__ == "__main__":
    run(main)
