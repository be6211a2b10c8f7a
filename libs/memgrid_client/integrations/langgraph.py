"""A LangGraph store (langgraph.store.base.BaseStore) kept in memgrid.

    store = MemgridStore.from_env()
    graph = builder.compile(store=store)
    # in a node:
    store.put(("alice", "memories"), "diet", {"text": "vegetarian"})
    store.search(("alice", "memories"), query="what does she eat")  # SearchItem.score 0..1

How items map onto memgrid:
- A namespace's first label is memgrid's user_id: every read names a user, as memgrid
  requires, and the API key's tenant and the user keep items apart as they keep memories.
- An item is one FACT memory of that user. Its content is the value as JSON, which is what
  search embeds and matches. The namespace's labels and the key are metadata entries
  (langgraph_ns_0, langgraph_ns_1, ..., langgraph_depth, langgraph_key), which the
  gateway's filters match exactly, so get and prefix search run in memgrid.
- put replaces the item's content (the old value stays in memgrid's history); a put of
  None (delete) removes the item from every store.

What LangGraph offers and memgrid does not: `filter` on values is applied here, to the
gateway's 100 best hits of a query (or to the namespace's listing without one); `index`
is ignored, since memgrid indexes the whole value; items have no TTL (supports_ttl is
False); list_namespaces needs a prefix whose first label names the user.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import timezone
from typing import TYPE_CHECKING, Any

import grpc
from langgraph.store.base import (
    BaseStore,
    GetOp,
    InvalidNamespaceError,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    validate_op_namespace,
)
from memgrid.common.v1 import memory_pb2 as common

from memgrid_client.client import AsyncMemgrid
from memgrid_client.connection import DEFAULT_ADDRESS, address_and_key_from_env
from memgrid_client.errors import NotFound
from memgrid_client.retry import RetryPolicy
from memgrid_client.sync_client import Memgrid

if TYPE_CHECKING:
    # typing.Self is new in 3.11; the annotations are strings, so 3.10 never imports it.
    from typing import Self

__all__ = ["MemgridStore"]

# The most hits the gateway returns for one query (its `k` is at most 100).
MAX_SEARCH_HITS = 100
LABEL_KEY = "langgraph_ns_{}"
DEPTH_KEY = "langgraph_depth"
ITEM_KEY = "langgraph_key"


class MemgridStore(BaseStore):
    """LangGraph's store interface over the gateway: `batch` on a sync client, `abatch`
    on an asyncio one, opened in the event loop that first uses it."""

    def __init__(
        self,
        address: str = DEFAULT_ADDRESS,
        api_key: str = "",
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self._ops = StoreOps(
            Memgrid(address, api_key, timeout=timeout, retry=retry, credentials=credentials)
        )
        # grpc.aio binds a channel to the event loop it is opened in: open it in abatch.
        self._open_async_client = functools.partial(
            AsyncMemgrid, address, api_key, timeout=timeout, retry=retry, credentials=credentials
        )
        self._async_ops: AsyncStoreOps | None = None

    @classmethod
    def from_env(
        cls,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> Self:
        """A store on MEMGRID_ADDRESS with MEMGRID_API_KEY (defaults: `make run`'s)."""
        address, api_key = address_and_key_from_env()
        return cls(address, api_key, timeout=timeout, retry=retry, credentials=credentials)

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        return self._ops.run(ops)

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        if self._async_ops is None:
            self._async_ops = AsyncStoreOps(self._open_async_client())
        return await self._async_ops.run(ops)

    def close(self) -> None:
        self._ops.client.close()

    async def aclose(self) -> None:
        if self._async_ops is not None:
            await self._async_ops.client.close()
        self.close()


class AsyncStoreOps:
    """The store's operations on an asyncio client. StoreOps is the same, line for line
    without the awaits (tests/clients/test_sync_async_parity.py holds the two together)."""

    def __init__(self, client: AsyncMemgrid) -> None:
        self.client = client

    async def run(self, ops: Iterable[Op]) -> list[Result]:
        results: list[Result] = []
        for op in ops:
            validate_op_namespace(op)
            if isinstance(op, GetOp):
                results.append(await self.get(op))
            elif isinstance(op, PutOp):
                await self.put(op)
                results.append(None)
            elif isinstance(op, SearchOp):
                results.append(await self.search(op))
            elif isinstance(op, ListNamespacesOp):
                results.append(await self.list_namespaces(op))
            else:
                raise ValueError(f"unknown store operation {type(op).__name__}")
        return results

    async def get(self, op: GetOp) -> Item | None:
        stored = await self.stored(op.namespace, op.key)
        return _item(stored[-1]) if stored else None

    async def put(self, op: PutOp) -> None:
        stored = await self.stored(op.namespace, op.key)
        if op.value is None:
            for memory in stored:
                await self.delete(memory.id)
            return
        content = _content(op.value)
        if not stored:
            await self.client.add_memory(
                content, user_id=_user(op.namespace), metadata=_labels(op.namespace, op.key)
            )
            return
        # Two puts that raced may both have created the item: the latest one stays.
        *duplicates, latest = stored
        if latest.content != content:
            await self.client.update_memory(
                latest.id, common.MemoryUpdate(content=content), ["content"]
            )
        for memory in duplicates:
            await self.delete(memory.id)

    async def search(self, op: SearchOp) -> list[SearchItem]:
        wanted = op.offset + op.limit
        memory_filter = _prefix_filter(op.namespace_prefix)
        scored: list[tuple[common.Memory, float | None]] = []
        if op.query:
            k = MAX_SEARCH_HITS if op.filter else min(wanted, MAX_SEARCH_HITS)
            reply = await self.client.search(op.query, memory_filter, k=k)
            scored = [(hit.memory, hit.score) for hit in reply.hits]
        else:
            async for memory in self.client.iter_memories(memory_filter):
                scored.append((memory, None))
        items = [_search_item(memory, score) for memory, score in scored]
        matching = [item for item in items if _value_matches(item.value, op.filter or {})]
        return matching[op.offset : wanted]

    async def list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        conditions = op.match_conditions or ()
        found: set[tuple[str, ...]] = set()
        async for memory in self.client.iter_memories(_listing_filter(conditions)):
            namespace = _namespace(memory)
            if all(_namespace_matches(condition, namespace) for condition in conditions):
                found.add(namespace[: op.max_depth] if op.max_depth is not None else namespace)
        return sorted(found)[op.offset : op.offset + op.limit]

    async def stored(self, namespace: tuple[str, ...], key: str) -> list[common.Memory]:
        """The memories holding the item, oldest first (more than one only after a race)."""
        page = await self.client.list_memories(_item_filter(namespace, key), page_size=100)
        return list(page.memories)

    async def delete(self, memory_id: str) -> None:
        # NOT_FOUND: another delete of the same item got there first.
        with contextlib.suppress(NotFound):
            await self.client.delete_memory(memory_id)


class StoreOps:
    """The store's operations on a sync client; see AsyncStoreOps."""

    def __init__(self, client: Memgrid) -> None:
        self.client = client

    def run(self, ops: Iterable[Op]) -> list[Result]:
        results: list[Result] = []
        for op in ops:
            validate_op_namespace(op)
            if isinstance(op, GetOp):
                results.append(self.get(op))
            elif isinstance(op, PutOp):
                self.put(op)
                results.append(None)
            elif isinstance(op, SearchOp):
                results.append(self.search(op))
            elif isinstance(op, ListNamespacesOp):
                results.append(self.list_namespaces(op))
            else:
                raise ValueError(f"unknown store operation {type(op).__name__}")
        return results

    def get(self, op: GetOp) -> Item | None:
        stored = self.stored(op.namespace, op.key)
        return _item(stored[-1]) if stored else None

    def put(self, op: PutOp) -> None:
        stored = self.stored(op.namespace, op.key)
        if op.value is None:
            for memory in stored:
                self.delete(memory.id)
            return
        content = _content(op.value)
        if not stored:
            self.client.add_memory(
                content, user_id=_user(op.namespace), metadata=_labels(op.namespace, op.key)
            )
            return
        # Two puts that raced may both have created the item: the latest one stays.
        *duplicates, latest = stored
        if latest.content != content:
            self.client.update_memory(latest.id, common.MemoryUpdate(content=content), ["content"])
        for memory in duplicates:
            self.delete(memory.id)

    def search(self, op: SearchOp) -> list[SearchItem]:
        wanted = op.offset + op.limit
        memory_filter = _prefix_filter(op.namespace_prefix)
        scored: list[tuple[common.Memory, float | None]] = []
        if op.query:
            k = MAX_SEARCH_HITS if op.filter else min(wanted, MAX_SEARCH_HITS)
            reply = self.client.search(op.query, memory_filter, k=k)
            scored = [(hit.memory, hit.score) for hit in reply.hits]
        else:
            for memory in self.client.iter_memories(memory_filter):
                scored.append((memory, None))
        items = [_search_item(memory, score) for memory, score in scored]
        matching = [item for item in items if _value_matches(item.value, op.filter or {})]
        return matching[op.offset : wanted]

    def list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        conditions = op.match_conditions or ()
        found: set[tuple[str, ...]] = set()
        for memory in self.client.iter_memories(_listing_filter(conditions)):
            namespace = _namespace(memory)
            if all(_namespace_matches(condition, namespace) for condition in conditions):
                found.add(namespace[: op.max_depth] if op.max_depth is not None else namespace)
        return sorted(found)[op.offset : op.offset + op.limit]

    def stored(self, namespace: tuple[str, ...], key: str) -> list[common.Memory]:
        """The memories holding the item, oldest first (more than one only after a race)."""
        page = self.client.list_memories(_item_filter(namespace, key), page_size=100)
        return list(page.memories)

    def delete(self, memory_id: str) -> None:
        # NOT_FOUND: another delete of the same item got there first.
        with contextlib.suppress(NotFound):
            self.client.delete_memory(memory_id)


def _user(namespace: Sequence[str]) -> str:
    if not namespace or namespace[0] == "*":
        raise InvalidNamespaceError(
            f"MemgridStore keeps each user's items apart: the namespace's first label must "
            f"be the user_id, got {tuple(namespace)}"
        )
    return namespace[0]


def _labels(namespace: tuple[str, ...], key: str) -> dict[str, str]:
    labels = {LABEL_KEY.format(depth): label for depth, label in enumerate(namespace)}
    return {**labels, DEPTH_KEY: str(len(namespace)), ITEM_KEY: key}


def _item_filter(namespace: tuple[str, ...], key: str) -> common.MemoryFilter:
    return common.MemoryFilter(
        user_id=_user(namespace), kinds=[common.MEMORY_KIND_FACT], metadata=_labels(namespace, key)
    )


def _prefix_filter(prefix: Sequence[str]) -> common.MemoryFilter:
    """The user's items in the namespace prefix, wildcard labels ("*") matching any."""
    labels = {LABEL_KEY.format(d): label for d, label in enumerate(prefix) if label != "*"}
    return common.MemoryFilter(
        user_id=_user(prefix), kinds=[common.MEMORY_KIND_FACT], metadata=labels
    )


def _listing_filter(conditions: Sequence[MatchCondition]) -> common.MemoryFilter:
    prefixes = [c.path for c in conditions if c.match_type == "prefix" and c.path]
    if not prefixes:
        raise InvalidNamespaceError(
            "MemgridStore lists one user's namespaces: give a prefix whose first label is "
            "the user_id"
        )
    return _prefix_filter(prefixes[0])


def _namespace(memory: common.Memory) -> tuple[str, ...]:
    depth = int(memory.metadata[DEPTH_KEY])
    return tuple(memory.metadata[LABEL_KEY.format(d)] for d in range(depth))


def _item(memory: common.Memory) -> Item:
    created_at = memory.created_at.ToDatetime(tzinfo=timezone.utc)
    updated_at = (
        memory.updated_at.ToDatetime(tzinfo=timezone.utc)
        if memory.HasField("updated_at")
        else created_at
    )
    return Item(
        namespace=_namespace(memory),
        key=memory.metadata[ITEM_KEY],
        value=json.loads(memory.content),
        created_at=created_at,
        updated_at=updated_at,
    )


def _search_item(memory: common.Memory, score: float | None) -> SearchItem:
    item = _item(memory)
    return SearchItem(item.namespace, item.key, item.value, item.created_at, item.updated_at, score)


def _content(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), ensure_ascii=False, separators=(",", ":"))


def _namespace_matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = condition.path
    if not path:
        return True
    if len(namespace) < len(path):
        return False
    ends = namespace[: len(path)] if condition.match_type == "prefix" else namespace[-len(path) :]
    return all(want in ("*", label) for want, label in zip(path, ends, strict=True))


# LangGraph's filter operators, as its own stores apply them.
_OPERATORS = {
    "$eq": lambda value, operand: value == operand,
    "$ne": lambda value, operand: value != operand,
    "$gt": lambda value, operand: value is not None and value > operand,
    "$gte": lambda value, operand: value is not None and value >= operand,
    "$lt": lambda value, operand: value is not None and value < operand,
    "$lte": lambda value, operand: value is not None and value <= operand,
}


def _value_matches(value: Any, wanted: Mapping[str, Any]) -> bool:
    """Whether the item's value passes a LangGraph filter: each key's value equal, or a
    dict of operators ({"$gt": 3}) all true, or a nested dict matching the nested value."""
    for key, expected in wanted.items():
        actual = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(expected, Mapping) and any(op.startswith("$") for op in expected):
            unknown = [op for op in expected if op not in _OPERATORS]
            if unknown:
                raise ValueError(f"unsupported filter operator {unknown[0]!r} on {key!r}")
            if not all(_OPERATORS[op](actual, operand) for op, operand in expected.items()):
                return False
        elif isinstance(expected, Mapping):
            if not _value_matches(actual, expected):
                return False
        elif actual != expected:
            return False
    return True
