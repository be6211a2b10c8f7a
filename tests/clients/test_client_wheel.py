"""The `memgrid-client` wheel (clients/python) installs alone: built from this tree, put in a
fresh venv on every Python 3.10+ this machine has, it brings none of the suite's own
dependencies, imports, runs the `memgrid` CLI, and talks to the running suite.

The suite's Python installs offline, from the wheels `make setup` left in uv's cache, at
the versions requirements.lock pins; other Pythons go online only for wheels not cached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clients.stack import REPO, ClientStack

OTHER_PYTHONS = ("3.10", "3.12", "3.13")
# What the client declares in clients/python/pyproject.toml, and what grpcio brings along.
CLIENT_DISTRIBUTIONS = {
    "memgrid-client",
    "grpcio",
    "grpcio-status",
    "protobuf",
    "googleapis-common-protos",
    "typing-extensions",
}


def _uv() -> str | None:
    return shutil.which("uv") or (
        str(Path.home() / ".local/bin/uv") if (Path.home() / ".local/bin/uv").exists() else None
    )


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Outside the repository and without PYTHONPATH, so nothing is imported from the tree.
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        args, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="session")
def uv(require_commands: Callable[[list[str], str], None]) -> str:
    path = _uv()
    if path is None:
        require_commands(["uv"], "run `make setup`, which installs uv")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def wheel(uv: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("client-wheel")
    built = _run(
        [uv, "build", "--offline", "--wheel", str(REPO / "clients/python"), "--out-dir", str(out)],
        cwd=out,
    )
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("memgrid_client-*.whl")
    return path


@pytest.fixture(scope="session")
def lock_pins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """requirements.lock's versions, without its hashes, as a constraints file."""
    lock = (REPO / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s\\;]+)", lock, re.MULTILINE)
    path = tmp_path_factory.mktemp("pins") / "constraints.txt"
    path.write_text("".join(f"{name}=={version}\n" for name, version in pins))
    return path


def _server_dependencies() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0] for spec in project["dependencies"]}
    return {_normal(name) for name in names} - CLIENT_DISTRIBUTIONS


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pythons() -> dict[str, str]:
    """The suite's own Python, and each other 3.10+ found on PATH or under pyenv."""
    found = {f"{sys.version_info.major}.{sys.version_info.minor}": sys.executable}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in OTHER_PYTHONS:
        builds = sorted(str(path) for path in pyenv.glob(f"{version}.*/bin/python{version}"))
        candidates = [shutil.which(f"python{version}"), *builds]
        for candidate in candidates:
            if candidate and _run([candidate, "-c", "pass"], cwd=Path.home()).returncode == 0:
                found[version] = candidate
                break
    return found


PYTHONS = _pythons()
SUITE_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _fresh_venv(uv: str, python: str, where: Path) -> Path:
    made = _run([uv, "venv", "--quiet", "--python", python, str(where)], cwd=where.parent)
    assert made.returncode == 0, made.stderr
    return where / "bin"


def _install(uv: str, bin_dir: Path, pins: Path, requirement: str, *, offline: bool) -> None:
    args = [uv, "pip", "install", "--quiet", "--python", str(bin_dir / "python"), "-c", str(pins)]
    installed = _run([*args, "--offline", requirement], cwd=bin_dir)
    if installed.returncode != 0 and not offline:
        # Another Python's wheels (grpcio is per version) may not be in the cache yet.
        installed = _run([*args, requirement], cwd=bin_dir)
    assert installed.returncode == 0, installed.stderr


def _distributions(bin_dir: Path) -> set[str]:
    listed = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "import importlib.metadata as m; print('\\n'.join(d.name for d in m.distributions()))",
        ],
        cwd=bin_dir,
    )
    assert listed.returncode == 0, listed.stderr
    return {_normal(name) for name in listed.stdout.split()} - {"pip"}


def test_the_wheel_holds_the_sdk_and_the_public_stubs_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"memgrid_client", "memgrid", "memgrid_client-0.1.0.dist-info"}
    assert {n.split("/")[1] for n in names if n.startswith("memgrid/") and n.count("/") > 1} == {
        "common",
        "gateway",
    }
    assert "memgrid_client/integrations/langgraph.py" in names
    assert "memgrid/gateway/v1/service_pb2_grpc.py" in names
    metadata = zipfile.ZipFile(wheel).read("memgrid_client-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Python: >=3.10" in metadata
    entry_points = zipfile.ZipFile(wheel).read("memgrid_client-0.1.0.dist-info/entry_points.txt")
    assert b"memgrid = memgrid_client.cli:main" in entry_points


@pytest.mark.parametrize("version", [SUITE_PYTHON, *OTHER_PYTHONS])
def test_installs_alone_and_talks_to_the_suite(
    version: str,
    uv: str,
    wheel: Path,
    lock_pins: Path,
    client_stack: ClientStack,
    tmp_path: Path,
) -> None:
    if version not in PYTHONS:
        pytest.skip(f"no Python {version} on this machine")
    bin_dir = _fresh_venv(uv, PYTHONS[version], tmp_path / "venv")
    _install(uv, bin_dir, lock_pins, str(wheel), offline=version == SUITE_PYTHON)

    installed = _distributions(bin_dir)
    assert installed == CLIENT_DISTRIBUTIONS
    assert not installed & _server_dependencies()

    helped = _run([str(bin_dir / "memgrid"), "--help"], cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "search" in helped.stdout

    env = {"MEMGRID_ADDRESS": client_stack.address, "MEMGRID_API_KEY": client_stack.key_a}
    user = f"wheel-{uuid.uuid4().hex[:8]}"
    added = _run([str(bin_dir / "memgrid"), "add", "--user", user, "Keeps bees"], tmp_path, **env)
    assert added.returncode == 0, added.stderr
    memory_id = json.loads(added.stdout)["id"]

    script = (
        "import sys, memgrid_client\n"
        "assert 'site-packages' in memgrid_client.__file__, memgrid_client.__file__\n"
        "with memgrid_client.SimpleMemgrid.from_env() as memory:\n"
        "    hits = memory.search('what does the user keep', user_id=sys.argv[1])['results']\n"
        "    print(hits[0]['id'], hits[0]['kind'], sys.version_info[:2])\n"
    )
    searched = _run([str(bin_dir / "python"), "-c", script, user], tmp_path, **env)
    assert searched.returncode == 0, searched.stderr
    assert searched.stdout.split()[:2] == [memory_id, "FACT"]


def test_the_langgraph_extra_installs_and_runs(
    uv: str, wheel: Path, lock_pins: Path, client_stack: ClientStack, tmp_path: Path
) -> None:
    bin_dir = _fresh_venv(uv, sys.executable, tmp_path / "venv")
    _install(uv, bin_dir, lock_pins, f"memgrid-client[langgraph] @ {wheel.as_uri()}", offline=True)
    installed = _distributions(bin_dir)
    assert "langgraph" in installed
    # langchain-core, under langgraph, needs httpx as the suite does; nothing else is shared.
    assert installed & _server_dependencies() == {"httpx"}

    script = (
        "import sys\n"
        "from memgrid_client.integrations.langgraph import MemgridStore\n"
        "store = MemgridStore.from_env()\n"
        "store.put((sys.argv[1], 'memories'), 'pet', {'text': 'has a tortoise'})\n"
        "print(store.get((sys.argv[1], 'memories'), 'pet').value['text'])\n"
    )
    env = {"MEMGRID_ADDRESS": client_stack.address, "MEMGRID_API_KEY": client_stack.key_a}
    user = f"wheel-{uuid.uuid4().hex[:8]}"
    ran = _run([str(bin_dir / "python"), "-c", script, user], tmp_path, **env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "has a tortoise"
