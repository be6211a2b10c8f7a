"""Fixtures of the deployment checks: the tools (kustomize, promtool, hadolint,
kubernetes-validate) and each overlay rendered once per session.

The tools come from `scripts/k8s-check --tools-only` (into var/tools/bin). A missing tool
fails its tests when CI=true and skips them elsewhere, saying how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tests.deploy.manifests import Rendered, render
from tests.deploy.tools import INSTALL_HINT, REPO_ROOT, find_tool

OVERLAYS = ("dev", "prod")


def _require_tool(name: str) -> Path:
    path = find_tool(name)
    if path is not None:
        return path
    message = f"{name} is not installed: {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        pytest.fail(f"{message} (CI=true: the deployment checks must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def kustomize() -> Path:
    return _require_tool("kustomize")


@pytest.fixture(scope="session")
def promtool() -> Path:
    return _require_tool("promtool")


@pytest.fixture(scope="session")
def hadolint() -> Path:
    return _require_tool("hadolint")


@pytest.fixture(scope="session")
def kubernetes_validate() -> Path:
    return _require_tool("kubernetes-validate")


@pytest.fixture(scope="session")
def render_overlay(kustomize: Path) -> Callable[[str], Rendered]:
    @cache
    def render_once(overlay: str) -> Rendered:
        return Rendered(overlay, render(kustomize, REPO_ROOT / "k8s" / "overlays" / overlay))

    return render_once


@pytest.fixture(scope="session", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest, render_overlay: Callable[[str], Rendered]) -> Rendered:
    return render_overlay(request.param)


@pytest.fixture(scope="session")
def dev(render_overlay: Callable[[str], Rendered]) -> Rendered:
    return render_overlay("dev")


@pytest.fixture(scope="session")
def prod(render_overlay: Callable[[str], Rendered]) -> Rendered:
    return render_overlay("prod")
