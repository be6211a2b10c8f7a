"""What the manifests must agree with: the services' ports, health names and callers.

Health service names come from the generated protos, so renaming a service in a proto
fails these tests until the probes follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from memgrid.gateway.v1 import service_pb2 as gateway_service
from memgrid.graph.v1 import service_pb2 as graph_service
from memgrid.memory.v1 import service_pb2 as memory_service
from memgrid.search.v1 import service_pb2 as search_service
from memgrid.thought.v1 import service_pb2 as thought_service

# The uid:gid the Dockerfile's runtime stage switches to.
IMAGE_USER = 10001


@dataclass(frozen=True)
class ServiceContract:
    name: str
    module: str
    grpc_port: int
    metrics_port: int
    health_service: str

    @property
    def env_prefix(self) -> str:
        return "MEMGRID_" + self.name.upper().replace("-", "_") + "_"

    @property
    def image(self) -> str:
        return f"memgrid/{self.name}"


def _full_name(module: object, service: str) -> str:
    return str(module.DESCRIPTOR.services_by_name[service].full_name)  # type: ignore[attr-defined]


SERVICES = (
    ServiceContract(
        "gateway", "gateway", 50051, 9151, _full_name(gateway_service, "GatewayService")
    ),
    ServiceContract(
        "memory-store",
        "services.memory_store",
        50052,
        9152,
        _full_name(memory_service, "MemoryStoreService"),
    ),
    ServiceContract(
        "search", "services.search", 50053, 9153, _full_name(search_service, "SearchService")
    ),
    ServiceContract(
        "graph", "services.graph", 50054, 9154, _full_name(graph_service, "GraphService")
    ),
    ServiceContract(
        "thought-engine",
        "services.thought_engine",
        50055,
        9155,
        _full_name(thought_service, "ThoughtService"),
    ),
)
SERVICE_NAMES = tuple(service.name for service in SERVICES)

# Who may open each service's gRPC port (issue #6). ANYONE: the public API.
ANYONE = "*"
GRPC_CALLERS: dict[str, set[str]] = {
    "gateway": {ANYONE},
    "memory-store": {"gateway", "search", "graph", "thought-engine"},
    "search": {"gateway", "thought-engine"},
    "graph": {"gateway", "search", "thought-engine"},
    "thought-engine": set(),
}

# prod's servers and the one service that talks to each.
BACKEND_CALLERS: dict[str, set[str]] = {
    "postgres": {"memory-store"},
    "qdrant": {"search"},
    "neo4j": {"graph"},
}

# One process per data directory (SQLite WAL lock, Qdrant Edge, FalkorDB): never scaled out.
EMBEDDED_STORES = ("memory-store", "search", "graph")
STATELESS_IN_DEV = ("gateway", "thought-engine")

# Secrets an operator creates before deploying prod (docs/operations.md); the manifests
# reference them but must never carry them.
OPERATOR_SECRETS = {
    "memgrid-api-keys",
    "memgrid-internal-token",
    "memgrid-postgres",
    "memgrid-neo4j",
}

# Containers allowed a writable root filesystem, and why.
WRITABLE_ROOT_EXCEPTIONS = {
    "neo4j": "the image's entrypoint writes its settings into /var/lib/neo4j/conf at start",
}
