"""Decides, as a cluster would, whether NetworkPolicies let one pod reach another's port.

Covers the subset memgrid's policies use: ingress rules whose peers are podSelectors in the
same namespace. A policy using namespaceSelector or ipBlock makes the evaluator fail rather
than guess, so a new kind of rule gets a model (and tests) before it is trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.deploy.manifests import Manifest, Workload, selector_matches


@dataclass(frozen=True)
class Peer:
    """A pod that opens a connection: its labels (same namespace as the target)."""

    name: str
    labels: Mapping[str, str]


def _policy_types(policy: Manifest) -> list[str]:
    spec = policy["spec"]
    if "policyTypes" in spec:
        return list(spec["policyTypes"])
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def _peer_matches(peer_rule: Mapping[str, Any], source: Peer) -> bool:
    unsupported = {"namespaceSelector", "ipBlock"} & set(peer_rule)
    if unsupported:
        raise AssertionError(f"the evaluator does not model {sorted(unsupported)} peers")
    return selector_matches(peer_rule["podSelector"], source.labels)


def _port_matches(port_rule: Mapping[str, Any], target: Workload, port: int) -> bool:
    if port_rule.get("protocol", "TCP") != "TCP":
        return False
    if "port" not in port_rule:
        return True
    first = target.container_port(port_rule["port"])
    if first is None:
        # A named port the pod does not declare admits nothing on this pod.
        return False
    last = int(port_rule.get("endPort", first))
    return first <= port <= last


def _rule_admits(rule: Mapping[str, Any], source: Peer, target: Workload, port: int) -> bool:
    peers = rule.get("from") or []
    if peers and not any(_peer_matches(peer, source) for peer in peers):
        return False
    ports = rule.get("ports") or []
    return not ports or any(_port_matches(port_rule, target, port) for port_rule in ports)


def selecting_policies(policies: list[Manifest], target: Workload) -> list[Manifest]:
    """The ingress policies that isolate the target's pods."""
    return [
        policy
        for policy in policies
        if "Ingress" in _policy_types(policy)
        and selector_matches(policy["spec"]["podSelector"], target.pod_labels)
    ]


def admits(policies: list[Manifest], source: Peer, target: Workload, port: int) -> bool:
    """Whether source may open a TCP connection to target's pods on port."""
    isolating = selecting_policies(policies, target)
    if not isolating:
        return True
    return any(
        _rule_admits(rule, source, target, port)
        for policy in isolating
        for rule in policy["spec"].get("ingress") or []
    )
