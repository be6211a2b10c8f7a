"""Who can reach whom, evaluated over the rendered NetworkPolicies as a cluster would."""

from __future__ import annotations

import pytest

from tests.deploy.contract import ANYONE, BACKEND_CALLERS, GRPC_CALLERS, SERVICES, ServiceContract
from tests.deploy.manifests import Rendered
from tests.deploy.network_policy import Peer, admits, selecting_policies

# Stands for any other pod in the namespace: no memgrid labels at all.
OUTSIDER = Peer("outsider", {})


def _peers(rendered: Rendered) -> list[Peer]:
    return [Peer(w.name, w.pod_labels) for w in rendered.workloads()] + [OUTSIDER]


def _admitted(rendered: Rendered, target_name: str, port: int) -> set[str]:
    policies = rendered.of_kind("NetworkPolicy")
    target = rendered.workload(target_name)
    return {peer.name for peer in _peers(rendered) if admits(policies, peer, target, port)}


@pytest.mark.parametrize("service", [pytest.param(s, id=s.name) for s in SERVICES])
def test_grpc_port_admits_only_the_callers(rendered: Rendered, service: ServiceContract) -> None:
    callers = GRPC_CALLERS[service.name]
    everyone = {peer.name for peer in _peers(rendered)}
    expected = everyone if ANYONE in callers else callers
    assert _admitted(rendered, service.name, service.grpc_port) == expected


@pytest.mark.parametrize("service", [pytest.param(s, id=s.name) for s in SERVICES])
def test_metrics_port_admits_only_prometheus(rendered: Rendered, service: ServiceContract) -> None:
    assert _admitted(rendered, service.name, service.metrics_port) == {"prometheus"}


@pytest.mark.parametrize(("backend", "callers"), sorted(BACKEND_CALLERS.items()))
def test_backends_admit_only_their_service(prod: Rendered, backend: str, callers: set[str]) -> None:
    for port in prod.workload(backend).port_names():
        if port == 7474:
            # Neo4j's HTTP browser port: no rule opens it.
            assert _admitted(prod, backend, port) == set()
        else:
            assert _admitted(prod, backend, port) == callers, port


def test_collector_takes_spans_from_memgrid_pods_only(rendered: Rendered) -> None:
    admitted = _admitted(rendered, "otel-collector", 4317)
    assert {service.name for service in SERVICES} <= admitted
    assert OUTSIDER.name not in admitted


def test_every_pod_is_isolated_by_a_policy(rendered: Rendered) -> None:
    policies = rendered.of_kind("NetworkPolicy")
    for workload in rendered.workloads():
        assert selecting_policies(policies, workload), f"{workload.name} admits everyone"


def test_unknown_ports_stay_closed(rendered: Rendered) -> None:
    # A port no rule names (say a debugger someone starts in the pod) is unreachable.
    for service in SERVICES:
        assert _admitted(rendered, service.name, 5678) == set()
