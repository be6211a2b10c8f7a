"""Locust load test of the gateway: agents that remember, recall and search.

Runs in the locust venv that scripts/perf-tools makes (not the project's .venv):

    var/locust-venv/bin/locust -f perf/locustfile.py --host 127.0.0.1:50051 \
        --headless --users 16 --spawn-rate 16 --run-time 30s

Each simulated user is one agent's end user: it stores a few memories when it starts,
then mixes searches, reads, listings and writes roughly as an agent does (reads outweigh
writes). MEMGRID_API_KEY chooses the tenant (default: the key `make run` configures).
Every call is reported to locust by the interceptor, failures with their gRPC code.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.experimental.gevent as grpc_gevent
from locust import User, between, events, task
from locust.env import Environment

# grpc's own threads would block gevent's loop; this makes grpc cooperate with it.
grpc_gevent.init_gevent()

# The locust venv does not install the project, so the generated stubs come from the tree.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "libs" / "memgrid_protos"))

from memgrid.common.v1 import memory_pb2 as common  # noqa: E402
from memgrid.gateway.v1 import request_response_pb2 as gw  # noqa: E402
from memgrid.gateway.v1.service_pb2_grpc import GatewayServiceStub  # noqa: E402

API_KEY = os.environ.get("MEMGRID_API_KEY", "memgrid-dev-key")
CALL_TIMEOUT_SECONDS = 10.0
FLAVOURS = ["green", "black", "oolong", "white", "jasmine", "rooibos"]
TOPICS = ["tea", "hiking", "the dentist", "a trip to Lisbon", "the new job", "guitar lessons"]


class LocustInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Reports every unary call to locust as one request named after its method."""

    def __init__(self, environment: Environment) -> None:
        self._environment = environment

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        started = time.perf_counter()
        exception: Exception | None = None
        response_length = 0
        outcome = continuation(client_call_details, request)
        try:
            response_length = outcome.result().ByteSize()
        except grpc.RpcError as error:
            exception = error
        self._environment.events.request.fire(
            request_type="grpc",
            name=client_call_details.method.rsplit("/", 1)[-1],
            response_time=(time.perf_counter() - started) * 1000,
            response_length=response_length,
            response=None,
            context=None,
            exception=exception,
        )
        return outcome


class GrpcUser(User):
    """Locust's gRPC user pattern: a channel per user, intercepted for statistics."""

    abstract = True

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        channel = grpc.insecure_channel(self.host)
        self._channel = grpc.intercept_channel(channel, LocustInterceptor(environment))
        self.gateway = GatewayServiceStub(self._channel)

    def on_stop(self) -> None:
        self._channel.close()


class AgentUser(GrpcUser):
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.user_id = f"locust-{uuid.uuid4().hex[:12]}"
        self.memory_ids: list[str] = []
        for _ in range(5):
            self.remember()

    def _call(self, method: Callable[..., Any], request: Any) -> Any:
        # The interceptor has already reported a failure; the user carries on.
        try:
            return method(request, metadata=(("x-api-key", API_KEY),), timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError:
            return None

    @task(2)
    def remember(self) -> None:
        memory = common.NewMemory(
            scope=common.Scope(user_id=self.user_id, session_id="locust"),
            content=(
                f"The user talked about {random.choice(TOPICS)} and drinks "
                f"{random.choice(FLAVOURS)} tea"
            ),
            tags=["locust"],
        )
        reply = self._call(
            self.gateway.AddMemories,
            gw.AddMemoriesRequest(memories=[memory], idempotency_key=uuid.uuid4().hex),
        )
        if reply is not None:
            self.memory_ids.extend(m.id for m in reply.memories)

    @task(4)
    def search(self) -> None:
        self._call(
            self.gateway.Search,
            gw.SearchRequest(
                query=f"what does the user think about {random.choice(TOPICS)}",
                filter=common.MemoryFilter(user_id=self.user_id),
                k=5,
            ),
        )

    @task(3)
    def recall(self) -> None:
        if self.memory_ids:
            self._call(
                self.gateway.GetMemory, gw.GetMemoryRequest(id=random.choice(self.memory_ids))
            )

    @task(1)
    def list_recent(self) -> None:
        self._call(
            self.gateway.ListMemories,
            gw.ListMemoriesRequest(filter=common.MemoryFilter(user_id=self.user_id), page_size=20),
        )


@events.init.add_listener
def _require_host(environment: Environment, **_kwargs: Any) -> None:
    if not environment.host:
        raise SystemExit("locustfile: pass the gateway as --host HOST:PORT (no scheme)")
