"""deploy/docker/Dockerfile: hadolint-clean, one target per service, non-root, and no build
tools in what ships."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deploy.contract import IMAGE_USER, SERVICES, ServiceContract
from tests.deploy.tools import REPO_ROOT

DOCKERFILE = REPO_ROOT / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / "deploy" / "docker" / "Dockerfile.dockerignore"
# Words that mean a compiler, a package installer or the project's build tool is in the image.
BUILD_TOOLS = re.compile(r"\b(uv|pip|gcc|g\+\+|make|build-essential|python3-dev|git)\b")
# Runtime libraries the final stages may install, and why.
RUNTIME_PACKAGES = {"libgomp1": "the embedded FalkorDB module links it"}


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for word, argument in self.instructions if word == keyword]


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, argument = stripped.partition(" ")
            result.append((keyword.upper(), " ".join(argument.split())))
    return result


def _stages() -> dict[str, Stage]:
    arguments: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for keyword, argument in _instructions(DOCKERFILE.read_text()):
        if keyword == "ARG" and current is None:
            name, _, default = argument.partition("=")
            arguments[name] = default
        elif keyword == "FROM":
            parts = argument.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: arguments[m.group(1)], parts[0])
            current = Stage(parts[2] if len(parts) == 3 else base, base)
            stages[current.name] = current
        elif current is not None:
            current.instructions.append((keyword, argument))
    return stages


def _chain(stages: dict[str, Stage], name: str) -> list[Stage]:
    """The stage and its ancestors, the target first."""
    chain = [stages[name]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain


def test_hadolint_finds_nothing(hadolint: Path) -> None:
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_builder_installs_the_locked_dependencies_only() -> None:
    runs = " ".join(_stages()["builder"].all("RUN"))
    # Exactly the hash-pinned runtime lock (no dev tools), and memgrid itself without
    # resolving anything else.
    assert (
        "uv pip sync --python /app/.venv/bin/python --require-hashes requirements/runtime.lock"
        in runs
    )
    assert "uv pip install --python /app/.venv/bin/python --no-deps ." in runs
    assert "requirements.lock" not in runs.replace("requirements/runtime.lock", "")


@pytest.mark.parametrize("service", [pytest.param(s, id=s.name) for s in SERVICES])
def test_each_service_has_a_slim_non_root_target(service: ServiceContract) -> None:
    stages = _stages()
    chain = _chain(stages, service.name)
    assert chain[-1].base.startswith("python:3.11-slim")
    assert [stage.name for stage in chain[1:]] == ["runtime"]
    users = [user for stage in reversed(chain) for user in stage.all("USER")]
    assert users[-1] == f"{IMAGE_USER}:{IMAGE_USER}"
    target = chain[0]
    assert json.loads(target.all("ENTRYPOINT")[-1]) == ["python", "-m", service.module]
    assert target.all("EXPOSE") == [f"{service.grpc_port} {service.metrics_port}"]
    env = " ".join(target.all("ENV")).split()
    for setting in (
        f"{service.env_prefix}HOST=0.0.0.0",
        f"{service.env_prefix}PORT={service.grpc_port}",
        f"{service.env_prefix}METRICS_PORT={service.metrics_port}",
    ):
        assert setting in env, setting
    assert importlib.util.find_spec(service.module) is not None, service.module


@pytest.mark.parametrize("service", [pytest.param(s, id=s.name) for s in SERVICES])
def test_shipped_stages_hold_no_build_tools(service: ServiceContract) -> None:
    for stage in _chain(_stages(), service.name):
        for keyword, argument in stage.instructions:
            if keyword == "RUN":
                installed = re.findall(r"apt-get install [^&]*", argument)
                packages = {word for cmd in installed for word in cmd.split()[2:]}
                assert packages - {"-y", "--no-install-recommends"} <= set(RUNTIME_PACKAGES)
                assert not BUILD_TOOLS.search(argument.replace("apt-get", "")), argument
            if keyword == "COPY":
                assert "--from=uv" not in argument, f"{stage.name} copies uv"


def test_build_context_admits_every_copied_path() -> None:
    admitted = {
        line[1:].rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.startswith("!")
    }
    for stage in _stages().values():
        for argument in stage.all("COPY"):
            if "--from=" in argument:
                continue
            sources = [word for word in argument.split() if not word.startswith("--")][:-1]
            for source in sources:
                assert source.rstrip("/") in admitted, f"{source} is excluded from the context"
                assert (REPO_ROOT / source).exists(), source
