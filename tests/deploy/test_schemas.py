"""Both overlays validate offline against Kubernetes' strict JSON schemas.

kubernetes-validate ships the schemas of Kubernetes 1.25-1.37 in its wheel, so no network is
needed; --strict rejects every field the API does not define (a misspelt key included).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import OVERLAYS
from tests.deploy.manifests import Rendered

# The oldest and the newest minor version the manifests are meant for.
KUBERNETES_VERSIONS = ("1.29", "1.37")


def _validate(tool: Path, version: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(tool), "--strict", "--quiet", "--kubernetes-version", version, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_overlays_match_the_strict_schemas(
    kubernetes_validate: Path,
    render_overlay: Callable[[str], Rendered],
    tmp_path: Path,
    version: str,
) -> None:
    files = []
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(yaml.safe_dump_all(render_overlay(overlay).manifests))
        files.append(path)
    result = _validate(kubernetes_validate, version, files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_strict_validation_rejects_an_unknown_field(
    kubernetes_validate: Path, tmp_path: Path
) -> None:
    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": "gateway"},
                "spec": {"maxUnavailible": 1, "selector": {"matchLabels": {"a": "b"}}},
            }
        )
    )
    result = _validate(kubernetes_validate, KUBERNETES_VERSIONS[-1], [misspelt])
    assert result.returncode != 0
    assert "maxUnavailible" in result.stdout + result.stderr
