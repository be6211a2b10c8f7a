"""The MCP server's settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from memgrid_client.connection import DEV_API_KEY
from memgrid_runtime.settings import Env, ServerSettings, Transport

DEFAULT_PORT = 8052
DEFAULT_METRICS_PORT = 9157


@dataclass(frozen=True)
class McpSettings:
    # MEMGRID_MCP_HOST, _PORT and _METRICS_PORT of the HTTP transport, the TLS of its
    # listener, logging: as every service reads them.
    server: ServerSettings
    # Where the gateway listens.
    gateway_target: str
    # The stdio transport's key (MEMGRID_API_KEY, default `make run`'s, as for the CLI).
    # The HTTP transport never uses it: each request brings its own.
    stdio_api_key: str

    @classmethod
    def from_env(cls, env: Env | None = None) -> McpSettings:
        env = env or Env()
        return cls(
            server=ServerSettings.from_env(
                "mcp",
                default_port=DEFAULT_PORT,
                default_metrics_port=DEFAULT_METRICS_PORT,
                env=env,
                public=True,
            ),
            gateway_target=env.string("MEMGRID_GATEWAY_TARGET", "127.0.0.1:50051"),
            stdio_api_key=env.string("MEMGRID_API_KEY", DEV_API_KEY),
        )

    @property
    def gateway_transport(self) -> Transport:
        """TLS to the gateway as configured, but never the internal token: the MCP server
        is a public caller, authenticated by its caller's API key alone."""
        return Transport(client_ca_file=self.server.transport.client_ca_file)
