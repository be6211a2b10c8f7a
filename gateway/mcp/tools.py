"""The memgrid tools of the MCP server, each one gateway call through the Python SDK.

A tool's arguments are typed (the MCP client sees their JSON schema and descriptions);
its result is plain JSON (views.py). A failed gateway call is a tool error the model can
read and act on: the gateway's status code and message, and for INVALID_ARGUMENT each bad
field, named as the tool's argument where one maps to it (`user_id`, not
`filter.user_id`), so that the model knows what to change.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal, ParamSpec

import grpc
from google.protobuf import timestamp_pb2
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from memgrid.common.v1 import memory_pb2 as common
from memgrid_client.client import AsyncMemgrid
from memgrid_runtime.errors import InvalidArgument, MemgridError, Unauthenticated
from prometheus_client import Counter
from pydantic import BaseModel, Field

from gateway.mcp import views

TOOL_CALLS = Counter(
    "memgrid_mcp_tool_calls_total",
    "MCP tool calls, by tool and the gateway's status code (OK when it succeeded).",
    ["tool", "code"],
)

INSTRUCTIONS = (
    "Long-term memory for conversations with a user. Store what the user says with "
    "add_messages (or a single fact with add_memory); before answering, call get_context "
    "with the user's message for what is known about them, or search for specific "
    "memories. Every call names the user_id whose memories it reads or writes."
)

# API key -> who the gateway says the caller is; see GatewayClients.
KeyOf = Callable[[Context], str]
P = ParamSpec("P")

UserId = Annotated[str, Field(description="The end user whose memories these are.")]
SessionId = Annotated[str, Field(description="The conversation (session) id.")]
MemoryKind = Literal["fact", "episode", "profile", "procedure", "message", "pattern"]
_KINDS = {
    name: common.MemoryKind.Value(f"MEMORY_KIND_{name.upper()}")
    for name in ("fact", "episode", "profile", "procedure", "message", "pattern")
}
_ROLES = {
    name: common.Role.Value(f"ROLE_{name.upper()}")
    for name in ("user", "assistant", "system", "tool")
}


class Turn(BaseModel):
    """One conversation turn."""

    role: Literal["user", "assistant", "system", "tool"]
    content: str = Field(description="What was said.")
    speaker: str = Field("", description="Who spoke, by name (questions name people).")
    occurred_at: datetime | None = Field(
        None,
        description="When it was said (ISO 8601 with a time zone); default: now. Set it "
        "when importing past conversations.",
    )


class GatewayClients:
    """Opens an SDK client for each tool call, with the API key of whoever made it.

    A client per call, not one per key kept around: the HTTP transport serves callers of
    many tenants, and a new channel to the gateway costs about a millisecond on a local
    network, next to a tool call's seconds of model time.
    """

    def __init__(
        self,
        target: str,
        key_of: KeyOf,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self._target = target
        self._key_of = key_of
        self._credentials = credentials

    @asynccontextmanager
    async def client(self, ctx: Context) -> AsyncIterator[AsyncMemgrid]:
        async with AsyncMemgrid(
            self._target, self._key_of(ctx), credentials=self._credentials
        ) as memgrid:
            yield memgrid


def fixed_key(api_key: str) -> KeyOf:
    """The stdio transport's: one process, one caller, one key from the environment."""
    return lambda ctx: api_key


def key_from_headers(ctx: Context) -> str:
    """The HTTP transport's: the key this request carries, as `Authorization: Bearer K`
    or `x-api-key: K`, exactly one of them (as the gateway requires)."""
    headers = ctx.headers or {}
    bearer = headers.get("authorization", "")
    scheme, _, token = bearer.partition(" ")
    keys = [key for key in (headers.get("x-api-key", ""), token.strip()) if key]
    if bearer and scheme.lower() != "bearer":
        raise Unauthenticated("the Authorization header must be 'Bearer <API key>'")
    if len(keys) != 1:
        raise Unauthenticated(
            "send one API key per request: 'Authorization: Bearer <key>' or 'x-api-key: <key>'"
            + (", not both" if keys else ""),
            reason="API_KEY_AMBIGUOUS" if keys else "API_KEY_MISSING",
        )
    return keys[0]


def tool_error(error: MemgridError, arguments: Mapping[str, str]) -> CallToolResult:
    """A failed call as an MCP tool error, its fields named as the tool's arguments."""
    if isinstance(error, InvalidArgument):
        error = error.renamed(arguments)
    detail: dict[str, Any] = {
        "code": error.code.name,
        "reason": error.reason,
        "message": error.message,
    }
    if isinstance(error, InvalidArgument):
        detail["field_violations"] = [
            {"field": v.field, "description": v.description} for v in error.violations
        ]
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps({"error": detail}))],
        structured_content={"error": detail},
        is_error=True,
    )


def _reporting_errors(
    arguments: Mapping[str, str],
) -> Callable[[Callable[P, Awaitable[Any]]], Callable[P, Awaitable[Any]]]:
    """Turns a gateway error into a tool error and counts every call. `arguments` maps the
    gateway's field paths to the tool's argument names."""

    def wrap(tool: Callable[P, Awaitable[Any]]) -> Callable[P, Awaitable[Any]]:
        name = tool.__name__

        # functools.wraps keeps the tool's signature, from which the SDK builds its schema.
        @functools.wraps(tool)
        async def reporting(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                result = await tool(*args, **kwargs)
            except MemgridError as error:
                TOOL_CALLS.labels(name, error.code.name).inc()
                return tool_error(error, arguments)
            TOOL_CALLS.labels(name, "OK").inc()
            return result

        return reporting

    return wrap


def build_server(gateway: GatewayClients) -> MCPServer:
    server = MCPServer("memgrid", instructions=INSTRUCTIONS)
    # The server is stateless, so a tool reads only its arguments and the request.

    @server.tool(annotations=ToolAnnotations(destructive_hint=False, idempotent_hint=False))
    @_reporting_errors(
        {
            "scope.user_id": "user_id",
            "scope.session_id": "session_id",
            "scope.agent_id": "agent_id",
        },
    )
    async def add_messages(
        user_id: UserId,
        session_id: SessionId,
        messages: Annotated[list[Turn], Field(description="The turns, oldest first.")],
        ctx: Context,
        agent_id: Annotated[str, Field(description="The agent taking part, if any.")] = "",
    ) -> dict[str, Any]:
        """Stores conversation turns in a session. memgrid consolidates them in the
        background into facts, a profile and episode summaries; they are searchable when
        this returns. Returns the stored turns with their ids."""
        scope = common.Scope(user_id=user_id, session_id=session_id, agent_id=agent_id)
        async with gateway.client(ctx) as memgrid:
            reply = await memgrid.add_messages(scope, [_new_message(t) for t in messages])
        return views.added(reply.memories, reply.propagation)

    @server.tool(annotations=ToolAnnotations(destructive_hint=False, idempotent_hint=False))
    @_reporting_errors(
        {
            "memories[0].scope.user_id": "user_id",
            "memories[0].scope.session_id": "session_id",
            "memories[0].scope.agent_id": "agent_id",
            "memories[0].content": "content",
            "memories[0].kind": "kind",
            "memories[0].tags": "tags",
            "memories[0].importance": "importance",
        },
    )
    async def add_memory(
        user_id: UserId,
        content: Annotated[str, Field(description="The memory, as a sentence.")],
        ctx: Context,
        kind: Annotated[
            Literal["fact", "procedure", "episode", "profile"],
            Field(description="fact: something true; procedure: how to do something."),
        ] = "fact",
        tags: Annotated[Sequence[str], Field(description="Labels to filter by later.")] = (),
        importance: Annotated[
            float | None, Field(description="0..1; ranks it higher in search (default 0.5).")
        ] = None,
        session_id: Annotated[str, Field(description="The session it came from, if any.")] = "",
        agent_id: Annotated[str, Field(description="The agent it belongs to, if any.")] = "",
    ) -> dict[str, Any]:
        """Stores one memory directly (not a conversation turn), e.g. a fact the user
        stated or a preference to remember. Returns it with its id."""
        memory = common.NewMemory(
            scope=common.Scope(user_id=user_id, session_id=session_id, agent_id=agent_id),
            kind=_KINDS[kind],
            content=content,
            tags=tags,
            importance=importance,
        )
        async with gateway.client(ctx) as memgrid:
            reply = await memgrid.add_memories([memory])
        result = views.added(reply.memories, reply.propagation)
        return {"memory": result["memories"][0], "searchable_now": result["searchable_now"]}

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    @_reporting_errors(
        {
            "filter.user_id": "user_id",
            "filter.session_id": "session_id",
            "filter.agent_id": "agent_id",
            "filter.kinds": "kinds",
        },
    )
    async def search(
        query: Annotated[str, Field(description="What to look for, in plain words.")],
        user_id: UserId,
        ctx: Context,
        k: Annotated[int, Field(description="How many memories, 1..100.")] = 10,
        kinds: Annotated[
            Sequence[MemoryKind], Field(description="Only these kinds; default: all but pattern.")
        ] = (),
        session_id: Annotated[str, Field(description="Only this session's.")] = "",
        agent_id: Annotated[str, Field(description="Only this agent's.")] = "",
        min_score: Annotated[
            float, Field(description="0..1: leave out weaker matches (0 keeps all).")
        ] = 0.0,
    ) -> dict[str, Any]:
        """Finds the user's memories that match a query (hybrid semantic and keyword
        search), best first, each with a 0..1 score, its date and source message ids."""
        memory_filter = common.MemoryFilter(
            user_id=user_id,
            session_id=session_id,
            agent_id=agent_id,
            kinds=[_KINDS[kind] for kind in kinds],
        )
        async with gateway.client(ctx) as memgrid:
            reply = await memgrid.search(query, memory_filter, k=k, min_score=min_score)
        return views.search(reply)

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    @_reporting_errors({})
    async def get_context(
        query: Annotated[str, Field(description="The user's message to answer.")],
        user_id: UserId,
        ctx: Context,
        session_id: Annotated[
            str, Field(description="The current session: its recent turns are included.")
        ] = "",
        max_tokens: Annotated[
            int, Field(description="Budget of the text in tokens, 1..32000 (0: 2000).")
        ] = 0,
        max_memories: Annotated[
            int, Field(description="Memories to consider, 1..100 (0: 10).")
        ] = 0,
    ) -> dict[str, Any]:
        """Everything worth knowing to answer the user, as one prompt-ready text within a
        token budget: their profile, the session's recent turns and the memories that bear
        on the query (each dated, with its source message ids), plus those parts as data
        and what the budget left out."""
        async with gateway.client(ctx) as memgrid:
            reply = await memgrid.get_context(
                query,
                user_id=user_id,
                session_id=session_id,
                max_tokens=max_tokens,
                max_memories=max_memories,
            )
        return views.context(reply)

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    @_reporting_errors({})
    async def get_profile(user_id: UserId, ctx: Context) -> dict[str, Any]:
        """What memgrid has learnt about the user from their messages (name, where they
        live, preferences...) and facts about the people around them, each with the
        messages it came from. Empty until the background consolidation has run."""
        async with gateway.client(ctx) as memgrid:
            reply = await memgrid.get_profile(user_id)
        return views.profile(reply)

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, idempotent_hint=True))
    @_reporting_errors({"id": "memory_id"})
    async def delete_memory(
        memory_id: Annotated[str, Field(description="The id of the memory to delete.")],
        ctx: Context,
    ) -> dict[str, Any]:
        """Deletes a memory everywhere, with its history; facts and summaries derived only
        from it go too. Returns what was deleted or revised."""
        async with gateway.client(ctx) as memgrid:
            reply = await memgrid.delete_memory(memory_id)
        return views.deleted(reply)

    return server


def _new_message(turn: Turn) -> common.NewMessage:
    message = common.NewMessage(role=_ROLES[turn.role], content=turn.content, speaker=turn.speaker)
    if turn.occurred_at is not None:
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(turn.occurred_at)
        message.occurred_at.CopyFrom(stamp)
    return message
