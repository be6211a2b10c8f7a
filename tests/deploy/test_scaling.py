"""Replicas, autoscalers and disruption budgets; which store each overlay runs on."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from tests.deploy.contract import EMBEDDED_STORES, SERVICE_NAMES, STATELESS_IN_DEV
from tests.deploy.manifests import Rendered, env_value, selector_matches

# The variable holding each embedded store's files in dev.
EMBEDDED_DATA_PATH = {
    "memory-store": "MEMGRID_SQLITE_PATH",
    "search": "MEMGRID_SEARCH_INDEX_PATH",
    "graph": "MEMGRID_FALKORDB_DIR",
}


def test_autoscalers_target_deployments_and_have_behavior(rendered: Rendered) -> None:
    for hpa in rendered.of_kind("HorizontalPodAutoscaler"):
        spec = hpa["spec"]
        target = spec["scaleTargetRef"]
        assert target["kind"] == "Deployment"
        workload = rendered.workload(target["name"])
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        assert set(spec["behavior"]) == {"scaleUp", "scaleDown"}, hpa["metadata"]["name"]
        # Scaling down waits longer than scaling up, so one quiet minute drops no pods.
        assert (
            spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"]
            > spec["behavior"]["scaleUp"]["stabilizationWindowSeconds"]
        )
        # CPU utilization is measured against requests; without them the HPA cannot act.
        assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]
        for container in workload.containers:
            assert "cpu" in container["resources"]["requests"], target["name"]


def test_every_service_has_a_budget_that_never_blocks_a_drain(rendered: Rendered) -> None:
    budgets = rendered.of_kind("PodDisruptionBudget")
    for name in SERVICE_NAMES:
        labels = rendered.workload(name).pod_labels
        matching = [b for b in budgets if selector_matches(b["spec"]["selector"], labels)]
        assert len(matching) == 1, f"{name}: {len(matching)} PodDisruptionBudgets"
        # minAvailable: 1 on a single-replica deployment would forbid every eviction.
        assert matching[0]["spec"] == {
            "maxUnavailable": 1,
            "selector": matching[0]["spec"]["selector"],
        }


def test_prod_scales_every_service_from_2_to_10(prod: Rendered) -> None:
    ranges = {
        hpa["spec"]["scaleTargetRef"]["name"]: (spec["minReplicas"], spec["maxReplicas"])
        for hpa in prod.of_kind("HorizontalPodAutoscaler")
        if (spec := hpa["spec"])
    }
    assert ranges == dict.fromkeys(SERVICE_NAMES, (2, 10))


@pytest.mark.parametrize("name", EMBEDDED_STORES)
def test_dev_runs_each_embedded_store_as_one_pod_on_a_volume(dev: Rendered, name: str) -> None:
    workload = dev.workload(name)
    assert workload.spec["replicas"] == 1
    # Recreate: the old pod releases the volume and the store's lock before the new starts.
    assert workload.spec["strategy"] == {"type": "Recreate"}
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in dev.of_kind("HorizontalPodAutoscaler")}
    assert name not in targets
    container = workload.container(name)
    data_path = env_value(container, EMBEDDED_DATA_PATH[name])
    assert data_path is not None
    claims = {
        volume["name"]: volume["persistentVolumeClaim"]["claimName"]
        for volume in workload.pod_spec["volumes"]
        if "persistentVolumeClaim" in volume
    }
    persistent_mounts = [mount for mount in container["volumeMounts"] if mount["name"] in claims]
    assert any(
        PurePosixPath(data_path).is_relative_to(mount["mountPath"]) for mount in persistent_mounts
    ), f"{name}: {data_path} is not on a PersistentVolumeClaim"
    for claim in claims.values():
        dev.get("PersistentVolumeClaim", claim)


@pytest.mark.parametrize("name", STATELESS_IN_DEV)
def test_dev_scales_stateless_services_from_1_to_3(dev: Rendered, name: str) -> None:
    (hpa,) = [
        h
        for h in dev.of_kind("HorizontalPodAutoscaler")
        if h["spec"]["scaleTargetRef"]["name"] == name
    ]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 3)


def test_dev_uses_the_embedded_backends(dev: Rendered) -> None:
    store = dev.workload("memory-store").containers[0]
    assert env_value(store, "MEMGRID_STORE_BACKEND") == "sqlite"
    search = dev.workload("search").containers[0]
    assert env_value(search, "MEMGRID_SEARCH_INDEX_BACKEND") == "qdrant-edge"
    assert env_value(dev.workload("graph").containers[0], "MEMGRID_GRAPH_BACKEND") == "falkordb"
    assert dev.of_kind("StatefulSet") == []


def test_prod_uses_the_servers(prod: Rendered) -> None:
    store = prod.workload("memory-store").containers[0]
    assert env_value(store, "MEMGRID_STORE_BACKEND") == "postgres"
    assert (env_value(store, "MEMGRID_POSTGRES_DSN") or "").startswith(
        "postgresql://memgrid@postgres:"
    )
    search = prod.workload("search").containers[0]
    assert env_value(search, "MEMGRID_SEARCH_INDEX_BACKEND") == "qdrant-client"
    assert env_value(search, "MEMGRID_SEARCH_QDRANT_URL") == "http://qdrant:6333"
    graph = prod.workload("graph").containers[0]
    assert env_value(graph, "MEMGRID_GRAPH_BACKEND") == "neo4j"
    assert env_value(graph, "MEMGRID_NEO4J_URI") == "bolt://neo4j:7687"
    for name in ("memory-store", "search", "graph"):
        workload = prod.workload(name)
        assert not [v for v in workload.pod_spec["volumes"] if "persistentVolumeClaim" in v]


@pytest.mark.parametrize("name", ["postgres", "qdrant", "neo4j"])
def test_prod_backends_are_stateful_sets_with_claims(prod: Rendered, name: str) -> None:
    workload = prod.workload(name)
    assert workload.kind == "StatefulSet"
    service = prod.get("Service", workload.spec["serviceName"])
    assert service["spec"]["clusterIP"] == "None"
    (claim,) = workload.spec["volumeClaimTemplates"]
    mounts = {m["name"] for c in workload.containers for m in c["volumeMounts"]}
    assert claim["metadata"]["name"] in mounts
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_prod_spreads_internal_calls_over_headless_services(prod: Rendered) -> None:
    gateway = prod.workload("gateway").containers[0]
    assert env_value(gateway, "MEMGRID_MEMORY_STORE_TARGET") == "dns:///memory-store-headless:50052"
    for name in ("memory-store", "search", "graph"):
        headless = prod.get("Service", f"{name}-headless")
        assert headless["spec"]["clusterIP"] == "None"
