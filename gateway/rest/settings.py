"""The REST front's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from memgrid_runtime.settings import Env, ServerSettings, Transport

DEFAULT_PORT = 8051
DEFAULT_METRICS_PORT = 9156


@dataclass(frozen=True)
class RestSettings:
    # MEMGRID_REST_HOST, _PORT, _METRICS_PORT, _MAX_CONCURRENT_RPCS (requests in flight),
    # the TLS of the listener, logging, the shutdown grace: as every service reads them.
    server: ServerSettings
    # Where the gateway listens; the REST front holds no other channel.
    gateway_target: str
    # Budget of a call whose request sent no grpc-timeout header.
    default_timeout_seconds: float
    # A JSON body is larger than the protobuf it carries: twice the gRPC message limit.
    max_body_bytes: int

    @classmethod
    def from_env(cls, env: Env | None = None) -> RestSettings:
        env = env or Env()
        server = ServerSettings.from_env(
            "rest",
            default_port=DEFAULT_PORT,
            default_metrics_port=DEFAULT_METRICS_PORT,
            env=env,
            public=True,
        )
        return cls(
            server=server,
            gateway_target=env.string("MEMGRID_GATEWAY_TARGET", "127.0.0.1:50051"),
            default_timeout_seconds=env.number(
                "MEMGRID_REST_DEFAULT_TIMEOUT_SECONDS", 10.0, minimum=0.01
            ),
            max_body_bytes=env.integer(
                "MEMGRID_REST_MAX_BODY_BYTES", 2 * server.max_message_bytes, minimum=1024
            ),
        )

    @property
    def gateway_transport(self) -> Transport:
        """TLS to the gateway as configured, but never the internal token: the REST front
        is a public caller like any other, authenticated by the caller's API key alone."""
        return Transport(client_ca_file=self.server.transport.client_ca_file)
