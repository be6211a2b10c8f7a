"""The Go, TypeScript and Java clients: their committed stubs match the protos, and each
example program authenticates, adds a memory and finds it with a search against the real
suite, and fails with a non-zero exit and the status when the key is wrong.

The examples are built by scripts/polyglot-build (cached: an unchanged example is not
rebuilt); a fresh machine downloads each toolchain's packages once, hence the long timeouts.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from memgrid_client import AsyncMemgrid, NotFound

from tests.clients.stack import REPO, ClientStack


@dataclass(frozen=True)
class Example:
    language: str
    toolchain: tuple[str, ...]
    hint: str
    command: tuple[str, ...]


EXAMPLES = [
    Example("go", ("go",), "install Go 1.24+", ("var/polyglot/bin/memgrid-example-go",)),
    Example(
        "typescript",
        ("node", "npm"),
        "install Node.js 20+ and npm",
        ("node", "clients/typescript/dist/example.js"),
    ),
    Example(
        "java",
        ("java", "mvn"),
        "install a JDK 17 and Maven (apt-get install openjdk-17-jdk-headless maven)",
        ("java", "-jar", "clients/java/target/memgrid-example.jar"),
    ),
]
ADDED = re.compile(r"^added memory (\S+) for user (\S+):", re.MULTILINE)


def _run(
    command: list[str] | tuple[str, ...], *, env: dict[str, str] | None = None, timeout: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda example: example.language)
def built_example(
    request: pytest.FixtureRequest, require_commands: Callable[[list[str], str], None]
) -> Example:
    example: Example = request.param
    require_commands(list(example.toolchain), example.hint)
    built = _run(["scripts/polyglot-build", example.language], timeout=900)
    assert built.returncode == 0, f"building the {example.language} example failed:\n{built.stderr}"
    return example


@pytest.mark.timeout(900)
def test_generated_stubs_match_the_protos(
    require_commands: Callable[[list[str], str], None],
) -> None:
    require_commands(["go", "npm", "mvn"], "the stub generators need Go, npm and Maven")
    check = _run(["scripts/polyglot-gen", "--check"], timeout=900)
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-4000:]


@pytest.mark.timeout(900)
async def test_example_adds_a_memory_and_finds_it(
    built_example: Example, client_stack: ClientStack
) -> None:
    ran = _run(
        built_example.command,
        env={"MEMGRID_ADDRESS": client_stack.address, "MEMGRID_API_KEY": client_stack.key_a},
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "ok: search found the memory just added" in ran.stdout
    added = ADDED.search(ran.stdout)
    assert added is not None, ran.stdout
    memory_id, user_id = added.groups()
    assert user_id.startswith(f"example-{built_example.language}-")

    # The memory is really stored in the key's tenant, and only there.
    async with AsyncMemgrid(client_stack.address, client_stack.key_a) as tenant_a:
        memory = await tenant_a.get_memory(memory_id)
    assert memory.scope.user_id == user_id
    assert memory.content == "The example user drinks green tea every morning."
    async with AsyncMemgrid(client_stack.address, client_stack.key_b) as tenant_b:
        with pytest.raises(NotFound):
            await tenant_b.get_memory(memory_id)


@pytest.mark.timeout(900)
async def test_example_fails_with_the_status_on_a_wrong_key(
    built_example: Example, client_stack: ClientStack
) -> None:
    ran = _run(
        built_example.command,
        env={"MEMGRID_ADDRESS": client_stack.address, "MEMGRID_API_KEY": "not-a-key"},
        timeout=120,
    )
    assert ran.returncode == 1
    assert "unauthenticated" in ran.stderr.lower()
    assert "added memory" not in ran.stdout
