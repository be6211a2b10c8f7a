"""Reading FalkorDB's compact result sets (store/falkordb_wire.py) on a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.exceptions
from memgrid_runtime.errors import Unavailable

from services.graph.store import falkordb_wire
from services.graph.store.cypher_backend import Row
from services.graph.store.falkordb import FalkorDBBackend
from services.graph.store.falkordb_process import FalkorDBProcess


@pytest.fixture
async def backend(falkordb_process: FalkorDBProcess) -> AsyncIterator[FalkorDBBackend]:
    connected = FalkorDBBackend.connect(str(falkordb_process.socket_path), "results")
    yield connected
    await connected.close()


async def run(backend: FalkorDBBackend, query: str, params: dict[str, Any]) -> list[Row]:
    async def work(runner: Any) -> list[Row]:
        return await runner.run(query, params)

    return await backend.write(work)


async def test_scalars_and_nested_lists_come_back_typed(backend: FalkorDBBackend) -> None:
    rows = await run(
        backend,
        "UNWIND [1, 2] AS n RETURN n, n * 1.5 AS half, n = 1 AS first, null AS nothing,"
        " 'x' + toString(n) AS text, [n, 'y', [0.25, null, false]] AS nested",
        {},
    )
    assert rows == [
        {
            "n": 1,
            "half": 1.5,
            "first": True,
            "nothing": None,
            "text": "x1",
            "nested": [1, "y", [0.25, None, False]],
        },
        {
            "n": 2,
            "half": 3.0,
            "first": False,
            "nothing": None,
            "text": "x2",
            "nested": [2, "y", [0.25, None, False]],
        },
    ]
    assert all(isinstance(row["half"], float) for row in rows)


async def test_parameters_arrive_verbatim(backend: FalkorDBBackend) -> None:
    texts = ['quote " and \\ backslash', "it's", "unicode \u00e9\u4e2d\U0001f600", "", "\\"]
    params = {"texts": texts, "nothing": None, "flag": True, "ratio": 0.1, "count": 7}
    rows = await run(
        backend,
        "RETURN $texts AS texts, $nothing AS nothing, $flag AS flag, $ratio AS ratio,"
        " $count AS count",
        params,
    )
    assert rows == [params]
    table = [{"name": text, "weight": i / 4, "tags": [text, i]} for i, text in enumerate(texts)]
    read_back = await run(
        backend,
        "UNWIND $rows AS row RETURN row.name AS name, row.weight AS weight, row.tags AS tags",
        {"rows": table},
    )
    assert read_back == table


def test_names_that_cannot_be_quoted_are_refused() -> None:
    for name in ("", "back`quote"):
        with pytest.raises(ValueError):
            falkordb_wire.query_command("g", "RETURN 1", {name: 1}, read_only=True, timeout_ms=1)
        with pytest.raises(ValueError):
            falkordb_wire.literal({name: 1})
    with pytest.raises(TypeError):
        falkordb_wire.literal(b"bytes")


async def test_queries_without_results_return_no_rows(backend: FalkorDBBackend) -> None:
    assert await run(backend, "CREATE (:Scratch {v: 1})", {}) == []
    assert await run(backend, "MATCH (s:Scratch) DELETE s", {}) == []
    assert await run(backend, "MATCH (s:Scratch) RETURN s.v AS v", {}) == []


async def test_errors_are_raised(backend: FalkorDBBackend) -> None:
    with pytest.raises(redis.exceptions.ResponseError, match=r"(?i)division by zero"):
        await run(backend, "RETURN 1 / 0 AS x", {})
    with pytest.raises(redis.exceptions.ResponseError):
        await run(backend, "RETURN nonsense(", {})


async def test_graph_values_are_refused(backend: FalkorDBBackend) -> None:
    await run(backend, "CREATE (:Scratch {v: 2})", {})
    with pytest.raises(TypeError, match="type 8"):
        await run(backend, "MATCH (s:Scratch) RETURN s", {})


async def test_overlapped_writes_run_every_set_and_raise_errors_unwrapped(
    backend: FalkorDBBackend,
) -> None:
    async def write(runner: Any) -> None:
        await runner.run_each(
            "UNWIND $rows AS row CREATE (:Counted {n: row})",
            [{"rows": list(range(start, start + 10))} for start in range(0, 50, 10)],
        )

    await backend.write(write)
    assert await run(backend, "MATCH (c:Counted) RETURN count(c) AS n, sum(c.n) AS total", {}) == [
        {"n": 50, "total": sum(range(50))}
    ]

    async def failing(runner: Any) -> None:
        await runner.run_each("RETURN 1 / $d AS x", [{"d": 1}, {"d": 0}, {"d": 2}])

    with pytest.raises(redis.exceptions.ResponseError, match=r"(?i)division by zero"):
        await backend.write(failing)


async def test_overlapped_writes_to_a_down_server_are_unavailable(
    own_falkordb: FalkorDBProcess,
) -> None:
    backend = FalkorDBBackend.connect(str(own_falkordb.socket_path), "down")
    own_falkordb.kill()

    async def write(runner: Any) -> None:
        await runner.run_each("CREATE (:X {n: $n})", [{"n": n} for n in range(4)])

    try:
        with pytest.raises(Unavailable):
            await backend.write(write)
    finally:
        await backend.close()
