"""The whole suite as separate processes on real sockets, or a deployed stack.

By default the fixtures start every service with `memgrid_suite.Suite` on free ports, with
two tenants' keys and an OTLP receiver collecting their spans. With --memgrid-address the
same tests run against a deployed gateway (tests that need to kill processes or read
spans are skipped there, since they need the local processes).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from memgrid_client.client import MemgridClient
from memgrid_suite.launcher import SERVICES, Suite

from tests.support.otlp import OtlpTraceReceiver

LLM_HINT = (
    'start the local LLM server with `export MEMGRID_TEST_LLM_URL="$(scripts/llm-test-server '
    'start)"`'
)
KEY_A = "e2e-key-tenant-a"
KEY_B = "e2e-key-tenant-b"
# An end-user key: tenant-a, acting for user BOUND_USER only.
KEY_A_BOUND = "e2e-key-tenant-a-bound-user"
BOUND_USER = "bound-user"


@dataclass
class Stack:
    address: str
    key_a: str
    key_b: str
    suite: Suite | None
    traces: OtlpTraceReceiver | None

    def client(self, key: str) -> MemgridClient:
        return MemgridClient(self.address, key)

    def local_suite(self) -> Suite:
        if self.suite is None:
            pytest.skip("needs the locally started suite (not --memgrid-address)")
        return self.suite


@pytest.fixture(scope="session")
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    address = request.config.getoption("--memgrid-address")
    if address:
        keys = (request.config.getoption("--memgrid-api-keys") or "").split(",")
        if len(keys) != 2:
            raise pytest.UsageError("--memgrid-address needs --memgrid-api-keys KEY_A,KEY_B")
        yield Stack(address, keys[0], keys[1], None, None)
        return
    receiver = OtlpTraceReceiver()
    await receiver.start()
    base: Path = tmp_path_factory.mktemp("suite")
    suite = Suite(
        data_dir=base / "data",
        log_dir=base / "logs",
        ephemeral_ports=True,
        api_keys=f"{KEY_A}=tenant-a,{KEY_B}=tenant-b,{KEY_A_BOUND}=tenant-a/{BOUND_USER}",
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "MEMGRID_STORE_BACKEND": os.environ.get("MEMGRID_E2E_STORE_BACKEND", "sqlite"),
        },
    )
    await suite.start()
    try:
        yield Stack(suite.gateway_address, KEY_A, KEY_B, suite, receiver)
    finally:
        await suite.stop()
        await receiver.stop()


@pytest.fixture
async def client_a(stack: Stack) -> AsyncIterator[MemgridClient]:
    async with stack.client(stack.key_a) as client:
        yield client


@pytest.fixture
async def client_b(stack: Stack) -> AsyncIterator[MemgridClient]:
    async with stack.client(stack.key_b) as client:
        yield client


@pytest.fixture(scope="module")
async def llm_gateway(llm_suite: Suite) -> str:
    return llm_suite.gateway_address


@pytest.fixture(scope="module")
async def llm_suite(stack: Stack) -> AsyncIterator[Suite]:
    """A gateway (and its REST front) whose thought engine answers through the real local
    LLM. The suite's own engine stays deterministic (its extractions are what the other
    tests assert), so this one only serves Chat, over the suite's memory-store and search."""
    url = os.environ.get("MEMGRID_TEST_LLM_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"MEMGRID_TEST_LLM_URL is not set; CI must {LLM_HINT}")
        pytest.skip(f"MEMGRID_TEST_LLM_URL is not set; {LLM_HINT}")
    suite = stack.local_suite()
    chat_suite = Suite(
        data_dir=suite.data_dir / "chat",
        log_dir=suite.log_dir,
        ephemeral_ports=True,
        api_keys=suite.api_keys,
        services=tuple(s for s in SERVICES if s.name in ("thought-engine", "gateway", "rest")),
        env={
            **suite.env,
            # The services of both suites call each other with one token.
            "MEMGRID_INTERNAL_TOKEN": suite.internal_token,
            "MEMGRID_MEMORY_STORE_TARGET": suite.address_of("memory-store"),
            "MEMGRID_SEARCH_TARGET": suite.address_of("search"),
            "MEMGRID_THOUGHT_WORKERS_ENABLED": "false",
            "MEMGRID_LLM_BASE_URL": url,
            "MEMGRID_LLM_MODEL": "gemma-3-270m",
            "MEMGRID_LLM_TIMEOUT_SECONDS": "110",
            "MEMGRID_THOUGHT_CHAT_MAX_TOKENS": "24",
        },
    )
    await chat_suite.start()
    try:
        yield chat_suite
    finally:
        await chat_suite.stop()
