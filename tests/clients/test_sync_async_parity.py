"""The sync clients cannot drift from the asyncio ones: every public method of `AsyncMemgrid`
has a twin in `Memgrid` (`AsyncSimpleMemgrid` in `SimpleMemgrid`, and the LangGraph
store's `AsyncStoreOps` in `StoreOps`) with the same
parameters, defaults, annotations, docstring and body, once the async keywords are taken
out (`await x` -> `x`, `async for` -> `for`, `AsyncIterator` -> `Iterator`,
`AsyncMemgrid` -> `Memgrid`).

Why a test and not a generator (unasync): the two files differ on purpose in a few places
(the channel and stub they open, how the retry loop sleeps), which a generator would need
rules for and which would make sync_client.py a build product nobody edits by hand. With
the test, both files stay plain Python that tools and readers follow, and any change made
to one side alone fails here, naming the method.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

import pytest
from memgrid_client import (
    AsyncMemgrid,
    AsyncSimpleMemgrid,
    Memgrid,
    SimpleMemgrid,
)
from memgrid_client.integrations.langgraph import AsyncStoreOps, StoreOps

PAIRS = [
    (AsyncMemgrid, Memgrid),
    (AsyncSimpleMemgrid, SimpleMemgrid),
    (AsyncStoreOps, StoreOps),
]
# Only their signatures must match: their bodies open or close an aio or a sync channel.
SIGNATURE_ONLY = {"__init__", "close"}


def _fields(node: ast.AST) -> dict[str, Any]:
    return {field: getattr(node, field) for field in node._fields}


class _Unasync(ast.NodeTransformer):
    """The async function as its sync twin is written."""

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        return ast.copy_location(ast.FunctionDef(**_fields(node)), node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.For:
        self.generic_visit(node)
        return ast.copy_location(ast.For(**_fields(node)), node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.With:
        self.generic_visit(node)
        return ast.copy_location(ast.With(**_fields(node)), node)

    def visit_Await(self, node: ast.Await) -> ast.expr:
        return self.visit(node.value)

    def visit_Name(self, node: ast.Name) -> ast.Name:
        """AsyncIterator -> Iterator, AsyncMemgrid -> Memgrid."""
        if node.id.startswith("Async"):
            return ast.Name(id=node.id.removeprefix("Async"), ctx=node.ctx)
        return node


def _source(function: Any, *, body: bool) -> str:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    definition = _Unasync().visit(tree).body[0]
    if not body:
        definition.body = [ast.Pass()]
    return ast.unparse(definition)


def _public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in vars(cls).items()
        if (not name.startswith("_") or name in SIGNATURE_ONLY)
        and inspect.isfunction(inspect.unwrap(getattr(member, "__func__", member)))
    }


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda cls: cls.__name__)
def test_every_async_method_has_a_sync_twin(async_cls: type, sync_cls: type) -> None:
    async_methods = _public_methods(async_cls)
    sync_methods = _public_methods(sync_cls)
    assert sorted(async_methods) == sorted(sync_methods)
    assert len(async_methods) > len(SIGNATURE_ONLY)


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda cls: cls.__name__)
def test_twins_match_but_for_the_async_keywords(async_cls: type, sync_cls: type) -> None:
    sync_methods = _public_methods(sync_cls)
    for name, async_method in _public_methods(async_cls).items():
        sync_method = sync_methods[name]
        compare_body = name not in SIGNATURE_ONLY
        assert _source(sync_method, body=compare_body) == _source(
            async_method, body=compare_body
        ), f"{sync_cls.__name__}.{name} differs from {async_cls.__name__}.{name}"


def test_the_comparison_sees_a_difference() -> None:
    """A sync twin that retried a call its async twin does not is caught."""

    class Async:
        async def delete(self, memory_id: str) -> None:
            await self._unary(memory_id, retryable=False)

    class Sync:
        def delete(self, memory_id: str) -> None:
            self._unary(memory_id, retryable=True)

    assert _source(Sync.delete, body=True) != _source(Async.delete, body=True)
    assert _source(Sync.delete, body=False) == _source(Async.delete, body=False)
