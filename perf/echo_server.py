"""The ceiling: a plain grpc.aio unary echo server (no interceptors, no work).

`python -m perf.echo_server PORT` serves /bench.Echo/Echo, returning the request bytes.
"""

from __future__ import annotations

import sys

import grpc
import uvloop


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def main(port: int) -> None:
    server = grpc.aio.server()
    handler = grpc.unary_unary_rpc_method_handler(_echo)
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler("bench.Echo", {"Echo": handler})]
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    print("ready", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
