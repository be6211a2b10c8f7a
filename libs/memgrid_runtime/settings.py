"""Typed settings read from the environment, failing fast with the variable's name.

Every service builds its settings object once in its entry point and passes it down; no
module reads the environment on its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import grpc

T = TypeVar("T")


class SettingsError(ValueError):
    """A variable is set to something unusable. The message names the variable."""


class Env:
    """Reads typed values from an environment mapping (os.environ by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def string(self, name: str, default: str) -> str:
        return self._environ.get(name, default)

    def optional_string(self, name: str) -> str | None:
        value = self._environ.get(name, "")
        return value or None

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self._parse(name, default, int, "an integer")
        if minimum is not None and value < minimum:
            raise SettingsError(f"{name}={value} must be >= {minimum}")
        return value

    def number(self, name: str, default: float, *, minimum: float | None = None) -> float:
        value = self._parse(name, default, float, "a number")
        if minimum is not None and value < minimum:
            raise SettingsError(f"{name}={value} must be >= {minimum}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        raw = self._environ.get(name, "").strip().lower()
        if not raw:
            return default
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")

    def items(self, name: str, default: list[str]) -> list[str]:
        if name not in self._environ:
            return list(default)
        return [item.strip() for item in self._environ[name].split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self._environ.get(name, default).strip().lower()
        if value not in choices:
            raise SettingsError(f"{name}={value!r} must be one of {', '.join(choices)}")
        return value

    def _parse(self, name: str, default: T, parse: Callable[[str], T], what: str) -> T:
        raw = self._environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return parse(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not {what}") from None


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of a TLS listener: its certificate chain and private key."""

    cert_file: Path
    key_file: Path

    def server_credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [
                (
                    _read(self.key_file, "MEMGRID_TLS_KEY_FILE"),
                    _read(self.cert_file, "MEMGRID_TLS_CERT_FILE"),
                )
            ]
        )


@dataclass(frozen=True)
class Transport:
    """What a service presents to (and demands of) the others."""

    # Required on every call to an internal service, sent on every internal call.
    internal_token: str | None = None
    # This process's listener serves TLS.
    server_tls: TlsFiles | None = None
    # Channels to other services use TLS, trusting certificates this CA signed.
    client_ca_file: Path | None = None

    @classmethod
    def from_env(cls, env: Env | None = None) -> Transport:
        env = env or Env()
        cert = env.optional_string("MEMGRID_TLS_CERT_FILE")
        key = env.optional_string("MEMGRID_TLS_KEY_FILE")
        if bool(cert) != bool(key):
            raise SettingsError(
                "set both MEMGRID_TLS_CERT_FILE and MEMGRID_TLS_KEY_FILE, or neither"
            )
        ca = env.optional_string("MEMGRID_TLS_CA_FILE")
        token = env.optional_string("MEMGRID_INTERNAL_TOKEN")
        if token is not None and len(token) < 16:
            raise SettingsError("MEMGRID_INTERNAL_TOKEN must be at least 16 characters")
        transport = cls(
            internal_token=token,
            server_tls=TlsFiles(Path(cert), Path(key)) if cert and key else None,
            client_ca_file=Path(ca) if ca else None,
        )
        # Fail at start-up, naming the variable, rather than on the first call.
        if transport.server_tls is not None:
            transport.server_tls.server_credentials()
        transport.channel_credentials()
        return transport

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        """TLS credentials for channels to other services; None means plaintext."""
        if self.client_ca_file is None:
            return None
        return grpc.ssl_channel_credentials(
            root_certificates=_read(self.client_ca_file, "MEMGRID_TLS_CA_FILE")
        )


def _read(path: Path, variable: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{variable}={path}: {exc.strerror}") from None


@dataclass(frozen=True)
class ServerSettings:
    """How one service's gRPC server listens and protects itself."""

    service_name: str
    host: str = "127.0.0.1"
    port: int = 0
    # Prometheus /metrics on its own port; None disables the endpoint (tests).
    metrics_port: int | None = None
    # Beyond this many in-flight RPCs new ones fail fast with RESOURCE_EXHAUSTED instead of
    # queueing without bound.
    max_concurrent_rpcs: int = 1000
    max_message_bytes: int = 16 * 1024 * 1024
    # Connections are closed (gracefully) after this long so that clients re-resolve and
    # spread over pods the HPA added.
    max_connection_age_seconds: float = 300.0
    max_connection_age_grace_seconds: float = 30.0
    # Keepalive pings a client may send while no data flows, idle or during a long call (a
    # blocking LeaseJobs, a Chat waiting on its LLM): our channels ping every 30 s
    # (channels.py). gRPC's server default is one per 5 minutes; a client pinging more often
    # gets GOAWAY "too_many_pings", which fails every call on the connection with UNAVAILABLE.
    min_ping_interval_seconds: float = 10.0
    # Shorter than the pod's terminationGracePeriodSeconds (30 s by default).
    shutdown_grace_seconds: float = 10.0
    log_level: str = "INFO"
    log_json: bool = False
    # The internal token, TLS of the listener and of the channels to other services.
    transport: Transport = Transport()
    # Internal services refuse callers without transport.internal_token; the gateway,
    # whose callers authenticate with API keys, does not.
    requires_internal_token: bool = True

    @classmethod
    def from_env(
        cls,
        service_name: str,
        *,
        default_port: int,
        default_metrics_port: int | None,
        env: Env | None = None,
        public: bool = False,
    ) -> ServerSettings:
        """Reads MEMGRID_<SERVICE>_* server settings, e.g. MEMGRID_GATEWAY_PORT. A public
        service (the gateway) does not ask its callers for the internal token."""
        env = env or Env()
        prefix = "MEMGRID_" + service_name.upper().replace("-", "_") + "_"
        metrics_port = env.integer(prefix + "METRICS_PORT", default_metrics_port or 0, minimum=0)
        return cls(
            service_name=service_name,
            host=env.string(prefix + "HOST", "127.0.0.1"),
            port=env.integer(prefix + "PORT", default_port, minimum=0),
            metrics_port=metrics_port or None,
            max_concurrent_rpcs=env.integer(prefix + "MAX_CONCURRENT_RPCS", 1000, minimum=1),
            max_message_bytes=env.integer(
                "MEMGRID_MAX_MESSAGE_BYTES", 16 * 1024 * 1024, minimum=1024
            ),
            max_connection_age_seconds=env.number("MEMGRID_MAX_CONNECTION_AGE_SECONDS", 300.0),
            shutdown_grace_seconds=env.number("MEMGRID_SHUTDOWN_GRACE_SECONDS", 10.0, minimum=0),
            log_level=env.choice(
                "MEMGRID_LOG_LEVEL", "info", ("debug", "info", "warning", "error")
            ).upper(),
            log_json=env.flag("MEMGRID_LOG_JSON", False),
            transport=Transport.from_env(env),
            requires_internal_token=not public,
        )

    @classmethod
    def for_tests(cls, service_name: str) -> ServerSettings:
        """Loopback, an ephemeral port, no metrics endpoint, a short shutdown."""
        return cls(service_name=service_name, shutdown_grace_seconds=1.0)
