"""Prometheus scrape config and alert rules, the Grafana dashboard, the OTel Collector config,
and their wiring into the manifests."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from memgrid_runtime import metrics as runtime_metrics
from prometheus_client.metrics import MetricWrapperBase

from tests.deploy.contract import SERVICE_NAMES
from tests.deploy.manifests import Rendered, env_value
from tests.deploy.tools import REPO_ROOT

PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "memgrid-dashboard.json"
COLLECTOR_CONFIG = REPO_ROOT / "deploy" / "otel-collector" / "config.yaml"

# Metrics the dashboard and alerts use beyond the runtime's RPC metrics. The services are to
# export exactly these: memory-store the outbox gauge (state: pending|leased|done|dead, one
# series per queue), search the query-embedding cache and embedder counters.
SERVICE_METRICS = {
    "memgrid_outbox_jobs",
    "memgrid_embedding_cache_requests_total",
    "memgrid_embedder_sentences_total",
}
# Prometheus's own per-target series.
SCRAPE_METRICS = {"up"}
_SAMPLE_SUFFIXES = {
    "histogram": ("_bucket", "_count", "_sum"),
    "counter": ("_total",),
    "gauge": ("",),
}
_METRIC_NAME = re.compile(r"\b(memgrid_[a-z0-9_]+|up)\b(?!\s*\()")


def _runtime_series() -> set[str]:
    names = set()
    for collector in vars(runtime_metrics).values():
        if isinstance(collector, MetricWrapperBase):
            family = next(iter(collector.describe()))
            names |= {family.name + suffix for suffix in _SAMPLE_SUFFIXES[family.type]}
    return names


KNOWN_SERIES = _runtime_series() | SERVICE_METRICS | SCRAPE_METRICS


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=120, check=False
    )


def _alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yaml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _dashboard_panels() -> list[dict[str, Any]]:
    panels: list[dict[str, Any]] = json.loads(DASHBOARD.read_text())["panels"]
    return panels


def _dashboard_queries() -> list[str]:
    return [t["expr"] for p in _dashboard_panels() for t in p.get("targets", [])]


def test_runtime_metrics_are_known() -> None:
    assert {
        "memgrid_rpc_server_duration_seconds_bucket",
        "memgrid_rpc_server_in_flight",
        "memgrid_rpc_server_errors_total",
    } <= KNOWN_SERIES


def test_prometheus_config_is_valid(promtool: Path, tmp_path: Path) -> None:
    # Debian's promtool (the one CI installs: building Prometheus from source takes longer
    # than the rest of CI) is built without Kubernetes discovery, so the discovery block is
    # swapped for a static target and promtool checks everything else: globals, rule files
    # and every relabelling rule. The discovery block itself is checked structurally below.
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yaml").read_text())
    for job in config["scrape_configs"]:
        if job.pop("kubernetes_sd_configs", None) is not None:
            job["static_configs"] = [{"targets": ["pod.invalid:9151"]}]
    (tmp_path / "alerts.yaml").write_text((PROMETHEUS_DIR / "alerts.yaml").read_text())
    checked = tmp_path / "prometheus.yaml"
    checked.write_text(yaml.safe_dump(config))
    result = _run(promtool, "check", "config", checked)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_alert_rules_pass_their_unit_tests(promtool: Path) -> None:
    result = _run(promtool, "test", "rules", PROMETHEUS_DIR / "alerts.test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_unit_tested_firing() -> None:
    cases = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yaml").read_text())["tests"]
    fired = {
        check["alertname"]
        for case in cases
        for check in case["alert_rule_test"]
        if check["exp_alerts"]
    }
    assert fired == {rule["alert"] for rule in _alert_rules()}


def test_alerts_say_how_bad_and_what_happened() -> None:
    for rule in _alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert rule.get("for"), f"{rule['alert']} would fire on a single bad scrape"


def test_alerts_and_dashboard_use_only_exported_metrics() -> None:
    for expr in [rule["expr"] for rule in _alert_rules()] + _dashboard_queries():
        unknown = set(_METRIC_NAME.findall(expr)) - KNOWN_SERIES
        assert not unknown, f"{unknown} in {expr}"


def test_dashboard_queries_parse_as_promql(promtool: Path, tmp_path: Path) -> None:
    # Grafana's variables replaced by what they expand to; promtool then parses each query.
    substitutions = {"$__rate_interval": "5m", "$service": ".*", "$method": ".*"}
    rules = []
    for index, query in enumerate(_dashboard_queries()):
        for variable, value in substitutions.items():
            query = query.replace(variable, value)
        assert "$" not in query, query
        rules.append({"record": f"dashboard:query_{index}", "expr": query})
    path = tmp_path / "dashboard-queries.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = _run(promtool, "check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("view", "pattern"),
    [
        ("p50 per RPC", r"histogram_quantile\(0\.5, sum by \(service, method, le\)"),
        ("p95 per RPC", r"histogram_quantile\(0\.95, sum by \(service, method, le\)"),
        ("p99 per RPC", r"histogram_quantile\(0\.99, sum by \(service, method, le\)"),
        ("errors by code", r"sum by \(service, code\) \(rate\(memgrid_rpc_server_errors_total"),
        ("in-flight", r"memgrid_rpc_server_in_flight"),
        ("outbox backlog", r"memgrid_outbox_jobs\{state=~\"pending\|leased\"\}"),
        ("dead jobs", r"memgrid_outbox_jobs\{state=\"dead\"\}"),
        ("cache hit ratio", r"memgrid_embedding_cache_requests_total\{result=\"hit\"\}"),
        ("embedder throughput", r"rate\(memgrid_embedder_sentences_total"),
    ],
)
def test_dashboard_shows(view: str, pattern: str) -> None:
    assert any(re.search(pattern, query) for query in _dashboard_queries()), view


def test_dashboard_layout_is_well_formed() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    panels = _dashboard_panels()
    assert len({panel["id"] for panel in panels}) == len(panels)
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]
    variables = {variable["name"] for variable in dashboard["templating"]["list"]}
    used = set(re.findall(r"\$(\w+)", " ".join(_dashboard_queries()))) - {"__rate_interval"}
    assert used <= variables


def test_scrape_config_finds_the_pods_the_manifests_annotate(rendered: Rendered) -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yaml").read_text())
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "memgrid"]
    keeps = {
        tuple(rule["source_labels"]): rule["regex"]
        for rule in job["relabel_configs"]
        if rule.get("action") == "keep"
    }
    assert keeps[("__meta_kubernetes_pod_annotation_prometheus_io_scrape",)] == "true"
    assert keeps[("__meta_kubernetes_pod_container_port_name",)] == "metrics"
    # The alerts group by an "app" target label holding app.kubernetes.io/name.
    app_rule = next(rule for rule in job["relabel_configs"] if rule.get("target_label") == "app")
    assert app_rule["source_labels"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    for name in SERVICE_NAMES:
        assert rendered.workload(name).pod_labels["app.kubernetes.io/name"] == name


def test_prometheus_pod_loads_config_and_rules(rendered: Rendered) -> None:
    prometheus = rendered.workload("prometheus")
    container = prometheus.container("prometheus")
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    (config_volume,) = [v for v in prometheus.pod_spec["volumes"] if "configMap" in v]
    config_map = rendered.get("ConfigMap", config_volume["configMap"]["name"])
    # Both files side by side, so rule_files: [alerts.yaml] resolves next to the config.
    for file_name in ("prometheus.yaml", "alerts.yaml"):
        assert config_map["data"][file_name] == (PROMETHEUS_DIR / file_name).read_text()
    config_path = f"{mounts[config_volume['name']]}/prometheus.yaml"
    assert f"--config.file={config_path}" in container["args"]


def test_collector_pipeline_uses_only_defined_components() -> None:
    config = yaml.safe_load(COLLECTOR_CONFIG.read_text())
    service = config["service"]
    assert set(service["extensions"]) <= set(config["extensions"])
    for pipeline in service["pipelines"].values():
        for section in ("receivers", "processors", "exporters"):
            assert set(pipeline[section]) <= set(config[section]), section
        # memory_limiter first, so it refuses data before anything else buffers it.
        assert pipeline["processors"][0] == "memory_limiter"


def test_services_send_spans_to_the_collector(rendered: Rendered) -> None:
    collector = rendered.workload("otel-collector")
    config_volume = next(v for v in collector.pod_spec["volumes"] if "configMap" in v)
    config_map = rendered.get("ConfigMap", config_volume["configMap"]["name"])
    assert config_map["data"]["config.yaml"] == COLLECTOR_CONFIG.read_text()
    endpoint = yaml.safe_load(COLLECTOR_CONFIG.read_text())["receivers"]["otlp"]["protocols"]
    grpc_port = int(endpoint["grpc"]["endpoint"].rsplit(":", 1)[1])
    assert collector.container_port("otlp-grpc") == grpc_port
    for name in SERVICE_NAMES:
        container = rendered.workload(name).container(name)
        assert env_value(container, "OTEL_EXPORTER_OTLP_ENDPOINT") == (
            f"http://otel-collector:{grpc_port}"
        )
        assert env_value(container, "OTEL_SERVICE_NAME") == name
