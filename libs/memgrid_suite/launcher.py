"""Runs each memgrid service as its own process on its own port and waits until every one
answers SERVING on its gRPC health check (an HTTP front: 200 on its HTTP readiness path).

Children run in their own process group, so Ctrl-C reaches only the launcher, which then
stops them in reverse start order (the gateway first, the system of record last) with
SIGTERM, giving each its own graceful shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc
from memgrid_client.client import DEV_API_KEY
from memgrid_runtime.channels import connect
from memgrid_runtime.settings import Env, Transport


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    default_port: int
    default_metrics_port: int
    health_service: str
    # An HTTP front answers readiness at this path instead of the gRPC health service.
    ready_http_path: str | None = None

    @property
    def env_prefix(self) -> str:
        return "MEMGRID_" + self.name.upper().replace("-", "_") + "_"


# How often a stopping service is checked for having exited.
_EXIT_POLL_SECONDS = 0.05

# Start order: every service after those it calls (search asks graph to expand queries).
SERVICES = (
    ServiceSpec(
        "memory-store", "services.memory_store", 50052, 9152, "memgrid.memory.v1.MemoryStoreService"
    ),
    ServiceSpec("graph", "services.graph", 50054, 9154, "memgrid.graph.v1.GraphService"),
    ServiceSpec("search", "services.search", 50053, 9153, "memgrid.search.v1.SearchService"),
    ServiceSpec(
        "thought-engine",
        "services.thought_engine",
        50055,
        9155,
        "memgrid.thought.v1.ThoughtService",
    ),
    ServiceSpec("gateway", "gateway", 50051, 9151, "memgrid.gateway.v1.GatewayService"),
    # REST/JSON in front of the gateway (MEMGRID_REST_PORT), ready once it reaches it.
    ServiceSpec("rest", "gateway.rest", 8051, 9156, "", ready_http_path="/healthz"),
    # The MCP server over streamable HTTP (MEMGRID_MCP_PORT), ready once it reaches the gateway.
    ServiceSpec("mcp", "gateway.mcp", 8052, 9157, "", ready_http_path="/healthz"),
)

DEV_TENANT = "dev"


async def exited(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether `process` exits within `timeout`, by polling: a thread blocked in wait() per
    process would take the loop's default executor (cores + 4 threads) away from everything
    else once the suite has more processes than that, and a stop waiting for a thread
    would hang."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(_EXIT_POLL_SECONDS)
    return True


class SuiteError(RuntimeError):
    pass


@dataclass
class RunningService:
    spec: ServiceSpec
    process: subprocess.Popen[bytes]
    port: int
    metrics_port: int
    started_at: float
    serving_after_seconds: float | None = None
    log_file: IO[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Suite:
    """A set of running service processes. Use `async with Suite(...)` or start()/stop()."""

    data_dir: Path
    # Extra environment for every child (e.g. OTEL_* or backend selection).
    env: Mapping[str, str] = field(default_factory=dict)
    # Pick free ports instead of the well-known defaults (tests, benchmarks).
    ephemeral_ports: bool = False
    # Write each child's output to <log_dir>/<name>.log instead of this terminal.
    log_dir: Path | None = None
    api_keys: str = f"{DEV_API_KEY}={DEV_TENANT}"
    services: tuple[ServiceSpec, ...] = SERVICES
    # What the services present to each other (MEMGRID_INTERNAL_TOKEN); one made up for
    # this suite unless the environment sets it, so internal ports never run open.
    internal_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    running: dict[str, RunningService] = field(default_factory=dict)

    def __post_init__(self) -> None:
        configured = {**os.environ, **self.env}.get("MEMGRID_INTERNAL_TOKEN")
        if configured:
            self.internal_token = configured

    @property
    def gateway_address(self) -> str:
        return self.running["gateway"].address

    def address_of(self, name: str) -> str:
        return self.running[name].address

    def internal_channel(self, name: str) -> grpc.aio.Channel:
        """A channel to an internal service that presents this suite's internal token (and
        TLS, when configured), as the gateway's channels do; for tools and tests that call
        memory-store, search or graph directly."""
        configured = Transport.from_env(Env({**os.environ, **self.env}))
        transport = replace(configured, internal_token=self.internal_token)
        # Tools set their own deadlines, some long (an export, a drain).
        return connect(self.address_of(name), transport=transport, default_timeout=3600.0)

    async def __aenter__(self) -> Suite:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, timeout: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for spec in self.services:
                service = self._spawn(spec)
                self.running[spec.name] = service
                await self._wait_serving(service, timeout)
        except BaseException:
            await self.stop()
            raise

    def _ports(self, spec: ServiceSpec) -> tuple[int, int]:
        if self.ephemeral_ports:
            return free_port(), free_port()
        env = {**os.environ, **self.env}
        return (
            int(env.get(spec.env_prefix + "PORT", spec.default_port)),
            int(env.get(spec.env_prefix + "METRICS_PORT", spec.default_metrics_port)),
        )

    def _child_env(self, spec: ServiceSpec, port: int, metrics_port: int) -> dict[str, str]:
        env = {**os.environ, **self.env}
        env[spec.env_prefix + "PORT"] = str(port)
        env[spec.env_prefix + "METRICS_PORT"] = str(metrics_port)
        # Every embedded store lives under this suite's data dir, so two suites (a test run
        # beside `make run`) never share a store or its lock.
        env.setdefault("MEMGRID_SQLITE_PATH", str(self.data_dir / "memory-store.db"))
        env.setdefault("MEMGRID_SEARCH_INDEX_PATH", str(self.data_dir / "search-index"))
        env.setdefault("MEMGRID_FALKORDB_DIR", str(self.data_dir / "falkordb"))
        env.setdefault("MEMGRID_API_KEYS", self.api_keys)
        env["MEMGRID_INTERNAL_TOKEN"] = self.internal_token
        env["OTEL_SERVICE_NAME"] = spec.name
        # Every service finds the ones started before it, e.g. MEMGRID_MEMORY_STORE_TARGET.
        for other in self.running.values():
            env[other.spec.env_prefix + "TARGET"] = other.address
        return env

    def _spawn(self, spec: ServiceSpec, ports: tuple[int, int] | None = None) -> RunningService:
        port, metrics_port = ports or self._ports(spec)
        log_file = None
        if self.log_dir is not None:
            log_file = open(self.log_dir / f"{spec.name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            [sys.executable, "-m", spec.module],
            env=self._child_env(spec, port, metrics_port),
            stdout=log_file,
            stderr=subprocess.STDOUT if log_file else None,
            start_new_session=True,
        )
        return RunningService(
            spec, process, port, metrics_port, time.monotonic(), log_file=log_file
        )

    async def _wait_serving(self, service: RunningService, timeout: float) -> None:
        transport = Transport.from_env(Env({**os.environ, **self.env}))
        path = service.spec.ready_http_path
        if path is not None:
            scheme = "https" if transport.server_tls is not None else "http"
            verify: str | bool = str(transport.client_ca_file) if transport.client_ca_file else True
            url = f"{scheme}://{service.address}{path}"
            async with httpx.AsyncClient(verify=verify, timeout=0.5) as client:

                async def answers_ok() -> bool:
                    with contextlib.suppress(httpx.HTTPError):
                        return (await client.get(url)).status_code == 200
                    return False

                await self._poll_until_ready(service, timeout, answers_ok, "not ready")
            return
        # Health checks need no token, but a TLS listener needs a TLS channel.
        credentials = transport.channel_credentials()
        channel = (
            grpc.aio.secure_channel(service.address, credentials)
            if credentials is not None
            else grpc.aio.insecure_channel(service.address)
        )
        async with channel:
            health = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest(service=service.spec.health_service)

            async def serving() -> bool:
                with contextlib.suppress(grpc.aio.AioRpcError):
                    reply = await health.Check(request, timeout=0.5)
                    return reply.status == health_pb2.HealthCheckResponse.SERVING
                return False

            await self._poll_until_ready(service, timeout, serving, "not SERVING")

    async def _poll_until_ready(
        self,
        service: RunningService,
        timeout: float,
        ready: Callable[[], Awaitable[bool]],
        not_ready: str,
    ) -> None:
        """Asks `ready` until it says so; SuiteError if the process exits or time runs out."""
        deadline = service.started_at + timeout
        while True:
            if service.process.poll() is not None:
                raise SuiteError(
                    f"{service.spec.name} exited with code {service.process.returncode} "
                    f"before serving{self._log_hint(service)}"
                )
            if await ready():
                service.serving_after_seconds = time.monotonic() - service.started_at
                return
            if time.monotonic() > deadline:
                raise SuiteError(
                    f"{service.spec.name} {not_ready} after {timeout:.0f}s{self._log_hint(service)}"
                )
            await asyncio.sleep(0.02)

    def _log_hint(self, service: RunningService) -> str:
        if self.log_dir is None:
            return ""
        return f" (log: {self.log_dir / (service.spec.name + '.log')})"

    async def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM in reverse start order; SIGKILL whatever outlives the timeout."""
        for service in reversed(list(self.running.values())):
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
                if not await exited(service.process, timeout):
                    service.process.kill()
                    await exited(service.process, timeout)
            if service.log_file is not None:
                service.log_file.close()
        self.running.clear()

    def kill(self, name: str) -> None:
        """SIGKILLs one service, as a crash would (fault-injection tests)."""
        service = self.running[name]
        service.process.kill()
        service.process.wait()

    async def restart(self, name: str, timeout: float = 60.0) -> None:
        """Starts a stopped or killed service again on the same ports."""
        old = self.running[name]
        if old.process.poll() is None:
            raise SuiteError(f"{name} is still running")
        if old.log_file is not None:
            old.log_file.close()
        service = self._spawn(old.spec, (old.port, old.metrics_port))
        self.running[name] = service
        await self._wait_serving(service, timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
