"""Rendered Kubernetes manifests and the questions the tests ask of them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]

WORKLOAD_KINDS = ("Deployment", "StatefulSet")


def render(kustomize: Path, directory: Path) -> list[Manifest]:
    """`kustomize build` of a directory, parsed; fails with kustomize's own message."""
    result = subprocess.run(
        [str(kustomize), "build", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kustomize build {directory} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@dataclass(frozen=True)
class Workload:
    """A Deployment or StatefulSet and the pods it makes."""

    manifest: Manifest

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def name(self) -> str:
        return str(self.manifest["metadata"]["name"])

    @property
    def namespace(self) -> str | None:
        return self.manifest["metadata"].get("namespace")

    @property
    def spec(self) -> Manifest:
        spec: Manifest = self.manifest["spec"]
        return spec

    @property
    def pod_spec(self) -> Manifest:
        pod_spec: Manifest = self.spec["template"]["spec"]
        return pod_spec

    @property
    def pod_labels(self) -> dict[str, str]:
        return dict(self.spec["template"]["metadata"].get("labels", {}))

    @property
    def pod_annotations(self) -> dict[str, str]:
        return dict(self.spec["template"]["metadata"].get("annotations", {}))

    @property
    def containers(self) -> list[Manifest]:
        return list(self.pod_spec["containers"])

    def container(self, name: str) -> Manifest:
        for container in self.containers:
            if container["name"] == name:
                return container
        raise AssertionError(f"{self.kind} {self.name} has no container {name!r}")

    def container_port(self, port: int | str) -> int | None:
        """The numeric port a Service targetPort or NetworkPolicy port means for these pods."""
        for container in self.containers:
            for declared in container.get("ports", []):
                if port in (declared.get("name"), declared["containerPort"]):
                    return int(declared["containerPort"])
        return None

    def port_names(self) -> dict[int, str]:
        return {
            int(declared["containerPort"]): str(declared.get("name", declared["containerPort"]))
            for container in self.containers
            for declared in container.get("ports", [])
        }


class Rendered:
    """One overlay's output, indexed by kind and name."""

    def __init__(self, overlay: str, manifests: list[Manifest]) -> None:
        self.overlay = overlay
        self.manifests = manifests

    def of_kind(self, kind: str) -> list[Manifest]:
        return [m for m in self.manifests if m["kind"] == kind]

    def get(self, kind: str, name: str) -> Manifest:
        found = self.find(kind, name)
        if found is None:
            raise AssertionError(f"{self.overlay}: no {kind} named {name!r}")
        return found

    def find(self, kind: str, name: str) -> Manifest | None:
        for manifest in self.of_kind(kind):
            if manifest["metadata"]["name"] == name:
                return manifest
        return None

    def names(self, kind: str) -> set[str]:
        return {m["metadata"]["name"] for m in self.of_kind(kind)}

    def workloads(self) -> list[Workload]:
        return [Workload(m) for m in self.manifests if m["kind"] in WORKLOAD_KINDS]

    def workload(self, name: str) -> Workload:
        for workload in self.workloads():
            if workload.name == name:
                return workload
        raise AssertionError(f"{self.overlay}: no Deployment or StatefulSet named {name!r}")

    def selected_workloads(self, selector: Mapping[str, Any]) -> Iterator[Workload]:
        for workload in self.workloads():
            if selector_matches(selector, workload.pod_labels):
                yield workload


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Kubernetes LabelSelector semantics: matchLabels and matchExpressions, ANDed.

    A bare mapping without those keys is a Service's selector (equality on every pair).
    """
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return all(labels.get(key) == value for key, value in selector.items())
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = set(expression.get("values") or [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in {"In", "NotIn", "Exists", "DoesNotExist"}:
            raise AssertionError(f"unknown selector operator {operator!r}")
    return True


def env_of(container: Manifest) -> dict[str, Manifest]:
    """The container's env entries by name (a later duplicate would win in Kubernetes)."""
    return {entry["name"]: entry for entry in container.get("env", [])}


def env_value(container: Manifest, name: str) -> str | None:
    entry = env_of(container).get(name)
    return None if entry is None else entry.get("value")
