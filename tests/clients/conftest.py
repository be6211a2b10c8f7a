"""Fixtures of the client tests: the whole suite as real processes on free ports, two
tenants' keys, and the rule for tools the tests drive (Go, Node, Maven, ghz, locust...):
when CI=true a missing tool FAILS the test; locally the test skips, saying what to run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from memgrid_suite.launcher import Suite

from tests.clients.stack import KEY_A, KEY_B, REPO, ClientStack


@pytest.fixture(scope="session")
async def client_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ClientStack]:
    base = tmp_path_factory.mktemp("clients-suite")
    suite = Suite(
        data_dir=base / "data",
        log_dir=base / "logs",
        ephemeral_ports=True,
        api_keys=f"{KEY_A}=clients-a,{KEY_B}=clients-b",
        # The search index is one process's lock-protected directory; its default is shared
        # by every suite started from this working tree.
        env={"MEMGRID_SEARCH_INDEX_PATH": str(base / "search-index")},
    )
    await suite.start()
    try:
        yield ClientStack(suite, KEY_A, KEY_B)
    finally:
        await suite.stop()


def _tool_missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: tools are mandatory)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def require_commands() -> Callable[[list[str], str], None]:
    """require_commands(["go"], "install Go 1.24+") fails (CI) or skips (locally) unless
    every command is on PATH."""

    def require(commands: list[str], hint: str) -> None:
        missing = [command for command in commands if shutil.which(command) is None]
        if missing:
            _tool_missing(f"{', '.join(missing)} not found: {hint}")

    return require


@pytest.fixture(scope="session")
def require_files() -> Callable[[list[Path], str], None]:
    """require_files([path], "run scripts/perf-tools") fails (CI) or skips (locally) unless
    every file exists."""

    def require(paths: list[Path], hint: str) -> None:
        missing = [str(path.relative_to(REPO)) for path in paths if not path.exists()]
        if missing:
            _tool_missing(f"{', '.join(missing)} missing: {hint}")

    return require
