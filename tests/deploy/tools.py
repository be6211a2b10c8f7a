"""Where the deployment checks find their command-line tools.

scripts/k8s-check installs kustomize, promtool, hadolint and kubernetes-validate into
var/tools/bin; MEMGRID_TOOLS_BIN points elsewhere, and a tool on PATH is used as a last resort.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN_VARIABLE = "MEMGRID_TOOLS_BIN"
DEFAULT_TOOLS_BIN = REPO_ROOT / "var" / "tools" / "bin"
INSTALL_HINT = "run `scripts/k8s-check --tools-only` to install it into var/tools/bin"


def tools_bin() -> Path:
    return Path(os.environ.get(TOOLS_BIN_VARIABLE) or DEFAULT_TOOLS_BIN)


def find_tool(name: str) -> Path | None:
    """The tool's executable, or None when it is not installed anywhere we look."""
    candidate = tools_bin() / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    on_path = shutil.which(name)
    return Path(on_path) if on_path else None
