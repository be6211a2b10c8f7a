"""The rendered Deployments and StatefulSets: probes, ports, sizing, hardening, wiring."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from tests.deploy.contract import (
    IMAGE_USER,
    OPERATOR_SECRETS,
    SERVICES,
    WRITABLE_ROOT_EXCEPTIONS,
    ServiceContract,
)
from tests.deploy.manifests import Manifest, Rendered, Workload, env_of, env_value

_QUANTITY = re.compile(r"^(?P<number>[0-9.]+)(?P<suffix>m|Ki|Mi|Gi|Ti|k|M|G)?$")
_SUFFIX_FACTOR = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
}

# Env variables naming a file or directory the service writes.
DATA_PATH_VARIABLES = (
    "MEMGRID_SQLITE_PATH",
    "MEMGRID_SEARCH_INDEX_PATH",
    "MEMGRID_SEARCH_MODEL_CACHE",
    "MEMGRID_FALKORDB_DIR",
)
# Env variables naming another component's address.
_ADDRESS_VARIABLE = re.compile(r"(_TARGET|_URL|_URI|_DSN)$|^OTEL_EXPORTER_OTLP_ENDPOINT$")
_ADDRESS = re.compile(
    r"^(?:dns:///|[a-z][a-z0-9+.-]*://)?(?:[^@/]+@)?(?P<host>[a-z0-9.-]+):(?P<port>[0-9]+)(?:/.*)?$"
)


def quantity(text: str | int) -> float:
    match = _QUANTITY.match(str(text))
    assert match, f"not a Kubernetes quantity: {text!r}"
    return float(match["number"]) * _SUFFIX_FACTOR[match["suffix"]]


def _service_params() -> list[object]:
    return [pytest.param(service, id=service.name) for service in SERVICES]


def _deployment_of(rendered: Rendered, service: ServiceContract) -> Workload:
    workload = rendered.workload(service.name)
    assert workload.kind == "Deployment"
    return workload


@pytest.mark.parametrize("service", _service_params())
def test_each_service_runs_its_own_image(rendered: Rendered, service: ServiceContract) -> None:
    container = _deployment_of(rendered, service).container(service.name)
    assert container["image"].startswith(service.image + ":")


@pytest.mark.parametrize("service", _service_params())
def test_probes_are_native_grpc_on_the_service_port(
    rendered: Rendered, service: ServiceContract
) -> None:
    container = _deployment_of(rendered, service).container(service.name)
    for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe_name]["grpc"]["port"] == service.grpc_port, probe_name
    # Readiness follows the service's own health status, which the server flips to
    # NOT_SERVING first on shutdown; liveness asks only whether the server answers at all.
    assert container["readinessProbe"]["grpc"]["service"] == service.health_service
    assert container["livenessProbe"]["grpc"].get("service", "") == ""


@pytest.mark.parametrize("service", _service_params())
def test_env_listens_on_the_declared_ports(rendered: Rendered, service: ServiceContract) -> None:
    container = _deployment_of(rendered, service).container(service.name)
    assert env_value(container, service.env_prefix + "HOST") == "0.0.0.0"
    assert env_value(container, service.env_prefix + "PORT") == str(service.grpc_port)
    assert env_value(container, service.env_prefix + "METRICS_PORT") == str(service.metrics_port)
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"grpc": service.grpc_port, "metrics": service.metrics_port}


@pytest.mark.parametrize("service", _service_params())
def test_service_exposes_a_port_named_grpc(rendered: Rendered, service: ServiceContract) -> None:
    ports = {port["name"]: port for port in rendered.get("Service", service.name)["spec"]["ports"]}
    assert ports["grpc"]["port"] == service.grpc_port
    assert ports["grpc"]["targetPort"] == "grpc"


def test_every_service_reaches_pods_on_declared_ports(rendered: Rendered) -> None:
    for service in rendered.of_kind("Service"):
        name = service["metadata"]["name"]
        selected = list(rendered.selected_workloads(service["spec"]["selector"]))
        assert selected, f"Service {name} selects no pods"
        for workload in selected:
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                assert workload.container_port(target) is not None, (
                    f"Service {name} port {port['name']} -> {target}: not a port of {workload.name}"
                )


def test_internal_addresses_name_existing_services(rendered: Rendered) -> None:
    service_ports = {
        service["metadata"]["name"]: {port["port"] for port in service["spec"]["ports"]}
        for service in rendered.of_kind("Service")
    }
    checked = 0
    for workload in rendered.workloads():
        for container in workload.containers:
            for name, entry in env_of(container).items():
                if not _ADDRESS_VARIABLE.search(name) or "value" not in entry:
                    continue
                match = _ADDRESS.match(entry["value"])
                assert match, f"{workload.name} {name}={entry['value']!r} has no host:port"
                host, port = match["host"], int(match["port"])
                assert host in service_ports, f"{workload.name} {name}: no Service {host!r}"
                assert port in service_ports[host], f"{workload.name} {name}: {host} has no {port}"
                checked += 1
    assert checked >= 10, "expected the services' targets and OTLP endpoints to be checked"


def test_every_container_has_requests_and_limits(rendered: Rendered) -> None:
    for workload in rendered.workloads():
        for container in workload.containers:
            resources = container.get("resources", {})
            for resource in ("cpu", "memory"):
                request = resources.get("requests", {}).get(resource)
                limit = resources.get("limits", {}).get(resource)
                where = f"{workload.name}/{container['name']} {resource}"
                assert request is not None and limit is not None, f"{where}: request and limit"
                assert quantity(request) <= quantity(limit), f"{where}: request above limit"


def test_resource_figures_say_where_they_come_from(repo_root: Path) -> None:
    for service in SERVICES:
        lines = (repo_root / "k8s" / "base" / service.name / "deployment.yaml").read_text()
        comment = re.search(r"((?:^ *#.*\n)+) *resources:", lines, flags=re.MULTILINE)
        assert comment, f"{service.name}: no comment above resources"
        assert "make bench" in comment.group(1), f"{service.name}: name the measurement"


def _effective(container_security: Manifest, pod_security: Manifest, key: str) -> object:
    """A container's security setting wins over the pod's, as in Kubernetes."""
    return container_security.get(key, pod_security.get(key))


def test_every_pod_is_hardened(rendered: Rendered) -> None:
    for workload in rendered.workloads():
        pod = workload.pod_spec
        pod_security = pod.get("securityContext", {})
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            assert not pod.get(flag), f"{workload.name}: {flag}"
        assert not [v for v in pod.get("volumes", []) if "hostPath" in v], workload.name
        for container in workload.containers:
            where = f"{workload.name}/{container['name']}"
            security = container.get("securityContext", {})
            assert _effective(security, pod_security, "runAsNonRoot") is True, (
                f"{where}: runAsNonRoot"
            )
            assert _effective(security, pod_security, "runAsUser") not in (None, 0), (
                f"{where}: a non-root uid"
            )
            seccomp = _effective(security, pod_security, "seccompProfile")
            assert isinstance(seccomp, dict) and seccomp["type"] == "RuntimeDefault", where
            assert security.get("allowPrivilegeEscalation") is False, where
            assert not security.get("privileged"), where
            assert security.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not security.get("capabilities", {}).get("add"), where
            read_only = security.get("readOnlyRootFilesystem") is True
            assert read_only != (workload.name in WRITABLE_ROOT_EXCEPTIONS), (
                f"{where}: readOnlyRootFilesystem (exceptions: {WRITABLE_ROOT_EXCEPTIONS})"
            )


@pytest.mark.parametrize("service", _service_params())
def test_services_run_as_the_image_user(rendered: Rendered, service: ServiceContract) -> None:
    security = _deployment_of(rendered, service).pod_spec["securityContext"]
    assert security["runAsUser"] == IMAGE_USER
    assert security["runAsGroup"] == IMAGE_USER
    # Volumes (PVCs, Secrets) become group-accessible to that user.
    assert security["fsGroup"] == IMAGE_USER


@pytest.mark.parametrize("service", _service_params())
def test_written_paths_lie_on_writable_volumes(
    rendered: Rendered, service: ServiceContract
) -> None:
    container = _deployment_of(rendered, service).container(service.name)
    writable = [
        PurePosixPath(mount["mountPath"])
        for mount in container.get("volumeMounts", [])
        if not mount.get("readOnly")
    ]
    written = [PurePosixPath("/tmp")] + [
        PurePosixPath(value)
        for name in DATA_PATH_VARIABLES
        if (value := env_value(container, name)) is not None
    ]
    for path in written:
        assert any(path.is_relative_to(mount) for mount in writable), (
            f"{service.name}: {path} is on the read-only root filesystem"
        )


def test_service_accounts_exist_and_hold_no_token(rendered: Rendered) -> None:
    accounts = {a["metadata"]["name"]: a for a in rendered.of_kind("ServiceAccount")}
    for workload in rendered.workloads():
        account = workload.pod_spec["serviceAccountName"]
        assert account in accounts, f"{workload.name}: no ServiceAccount {account}"
        # Only Prometheus talks to the Kubernetes API (pod discovery).
        needs_token = workload.name == "prometheus"
        assert workload.pod_spec["automountServiceAccountToken"] is needs_token, workload.name
        assert accounts[account].get("automountServiceAccountToken", True) is needs_token


def _references(workload: Workload) -> set[tuple[str, str]]:
    """(kind, name) of every ConfigMap and Secret the pods read."""
    references: set[tuple[str, str]] = set()
    for volume in workload.pod_spec.get("volumes", []):
        if "configMap" in volume:
            references.add(("ConfigMap", volume["configMap"]["name"]))
        if "secret" in volume:
            references.add(("Secret", volume["secret"]["secretName"]))
    for container in workload.containers:
        for entry in container.get("env", []):
            source = entry.get("valueFrom", {})
            if "secretKeyRef" in source:
                references.add(("Secret", source["secretKeyRef"]["name"]))
            if "configMapKeyRef" in source:
                references.add(("ConfigMap", source["configMapKeyRef"]["name"]))
    return references


def test_referenced_configmaps_and_secrets_exist(rendered: Rendered) -> None:
    references = set().union(*(_references(workload) for workload in rendered.workloads()))
    missing = {(kind, name) for kind, name in references if rendered.find(kind, name) is None}
    # Only the secrets an operator creates may be missing from the render.
    assert missing <= {("Secret", name) for name in OPERATOR_SECRETS}


def test_prod_carries_no_credentials(prod: Rendered) -> None:
    assert prod.of_kind("Secret") == []


def test_pods_with_metrics_are_scraped(rendered: Rendered) -> None:
    for workload in rendered.workloads():
        exposes_metrics = "metrics" in workload.port_names().values()
        scraped = workload.pod_annotations.get("prometheus.io/scrape") == "true"
        assert exposes_metrics == scraped, f"{workload.name}: metrics port and annotation"
    for service in SERVICES:
        assert "metrics" in rendered.workload(service.name).port_names().values()


def test_everything_lives_in_a_restricted_namespace(rendered: Rendered) -> None:
    (namespace,) = rendered.of_kind("Namespace")
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    cluster_scoped = {"Namespace"}
    for manifest in rendered.manifests:
        if manifest["kind"] not in cluster_scoped:
            where = f"{manifest['kind']} {manifest['metadata']['name']}"
            assert manifest["metadata"].get("namespace") == namespace["metadata"]["name"], where
