"""The suite with TLS on every listener: services reach each other over TLS with the
internal token, and a client reaches the gateway only over TLS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client.client import MemgridClient
from memgrid_runtime import errors
from memgrid_suite.launcher import SERVICES, Suite

from tests.support.tls import self_signed

KEY = "e2e-tls-key"


@pytest.fixture(scope="module")
async def tls_suite(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Suite, Path]]:
    base: Path = tmp_path_factory.mktemp("tls-suite")
    certificate = self_signed(base, "memgrid-suite")
    suite = Suite(
        data_dir=base / "data",
        log_dir=base / "logs",
        ephemeral_ports=True,
        api_keys=f"{KEY}=tls-tenant",
        services=tuple(s for s in SERVICES if s.name in ("memory-store", "search", "gateway")),
        env={
            "MEMGRID_TLS_CERT_FILE": str(certificate.cert_file),
            "MEMGRID_TLS_KEY_FILE": str(certificate.key_file),
            "MEMGRID_TLS_CA_FILE": str(certificate.cert_file),
            "MEMGRID_DERIVED_STORES": "search",
        },
    )
    await suite.start()
    try:
        yield suite, certificate.cert_file
    finally:
        await suite.stop()


async def test_a_write_and_a_search_cross_every_tls_listener(tls_suite) -> None:
    suite, ca_file = tls_suite
    credentials = grpc.ssl_channel_credentials(root_certificates=ca_file.read_bytes())
    async with MemgridClient(suite.gateway_address, KEY, credentials=credentials) as client:
        written = await client.add_memory("The TLS suite stores this", user_id="tls-user")
        # Indexed on write through gateway -> search over TLS, hydrated from memory-store.
        found = await client.search("TLS suite", common.MemoryFilter(user_id="tls-user"))
        assert [hit.memory.id for hit in found.hits] == [written.id]
    async with MemgridClient(suite.gateway_address, KEY) as plaintext:
        with pytest.raises(errors.MemgridError) as caught:
            await plaintext.get_memory(written.id, timeout=3)
        assert caught.value.code is grpc.StatusCode.UNAVAILABLE
