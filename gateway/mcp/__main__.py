"""Entry point: python -m gateway.mcp [--transport http|stdio]

http (the default, what `make run` starts): streamable HTTP at /mcp on MEMGRID_MCP_PORT,
each request authenticated by its own API key; /healthz answers 200 while the gateway is
SERVING. stdio: one MCP client that started this process, with MEMGRID_API_KEY.
"""

from __future__ import annotations

import argparse

import grpc
import uvicorn
from grpc_health.v1 import health_pb2, health_pb2_grpc
from memgrid_runtime.channels import connect
from memgrid_runtime.metrics import serve_metrics
from memgrid_runtime.server import run
from memgrid_runtime.telemetry import configure_telemetry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.mcp.settings import McpSettings
from gateway.mcp.tools import GatewayClients, build_server, fixed_key, key_from_headers

MCP_PATH = "/mcp"
GATEWAY_HEALTH_SERVICE = "memgrid.gateway.v1.GatewayService"


async def serve_stdio(settings: McpSettings) -> None:
    gateway = GatewayClients(
        settings.gateway_target,
        fixed_key(settings.stdio_api_key),
        settings.gateway_transport.channel_credentials(),
    )
    await build_server(gateway).run_stdio_async()


async def serve_http(settings: McpSettings) -> None:
    server = settings.server
    credentials = settings.gateway_transport.channel_credentials()
    mcp = build_server(GatewayClients(settings.gateway_target, key_from_headers, credentials))
    # Readiness only: a channel without the tool calls' keys, for the health check.
    health_channel = connect(
        settings.gateway_target, transport=settings.gateway_transport, default_timeout=1.0
    )

    @mcp.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> Response:
        """Ready while the gateway answers SERVING: without it every tool call would fail."""
        try:
            reply = await health_pb2_grpc.HealthStub(health_channel).Check(
                health_pb2.HealthCheckRequest(service=GATEWAY_HEALTH_SERVICE), timeout=1.0
            )
            state = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        except grpc.aio.AioRpcError as exc:
            state = f"gateway unreachable: {exc.code().name}"
        return JSONResponse({"status": state}, status_code=200 if state == "SERVING" else 503)

    if server.metrics_port:
        serve_metrics(server.host, server.metrics_port)
    tls = server.transport.server_tls
    config = uvicorn.Config(
        # Stateless: no session lives in this process, so any replica serves any request,
        # and each result comes back as one JSON response.
        mcp.streamable_http_app(
            streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, host=server.host
        ),
        host=server.host,
        port=server.port,
        # Logging is configure_telemetry's (trace ids, JSON lines); uvicorn adds none.
        log_config=None,
        access_log=False,
        limit_concurrency=server.max_concurrent_rpcs,
        timeout_graceful_shutdown=int(server.shutdown_grace_seconds),
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
    )
    try:
        # Serves until SIGTERM or SIGINT, then drains the requests in flight.
        await uvicorn.Server(config).serve()
    finally:
        await health_channel.close(grace=None)


async def main(transport: str) -> None:
    settings = McpSettings.from_env()
    telemetry = configure_telemetry(
        "mcp", log_level=settings.server.log_level, log_json=settings.server.log_json
    )
    try:
        await (serve_stdio if transport == "stdio" else serve_http)(settings)
    finally:
        telemetry.shutdown()


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.mcp", description=__doc__)
    parser.add_argument("--transport", choices=("http", "stdio"), default="http")
    args = parser.parse_args()
    run(lambda: main(args.transport))


if __name__ == "__main__":
    cli()
