"""The MCP server (gateway/mcp) through the MCP SDK's own clients, over stdio (a child
process, as an MCP client starts it) and streamable HTTP (the suite's `mcp` process),
against the running suite."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_types import CallToolResult

from tests.e2e.conftest import Stack

REPO = Path(__file__).resolve().parents[2]
TOOLS = {"add_messages", "add_memory", "search", "get_context", "get_profile", "delete_memory"}


def _http_url(stack: Stack) -> str:
    return f"http://{stack.local_suite().address_of('mcp')}/mcp"


@asynccontextmanager
async def _over_http(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    async with (
        create_mcp_http_client(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


@asynccontextmanager
async def _over_stdio(stack: Stack, api_key: str) -> AsyncIterator[Client]:
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "gateway.mcp", "--transport", "stdio"],
        env={"MEMGRID_GATEWAY_TARGET": stack.address, "MEMGRID_API_KEY": api_key},
        cwd=REPO,
    )
    async with Client(server) as client:
        yield client


def _session(stack: Stack, transport: str, api_key: str) -> Any:
    if transport == "stdio":
        return _over_stdio(stack, api_key)
    return _over_http(_http_url(stack), {"Authorization": f"Bearer {api_key}"})


def _ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def _error(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error
    assert result.structured_content is not None, result.content
    return result.structured_content["error"]


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_every_tool_works_and_bad_arguments_are_tool_errors(
    stack: Stack, transport: str
) -> None:
    user = f"mcp-{uuid.uuid4().hex[:8]}"
    async with _session(stack, transport, stack.key_a) as client:
        listed = await client.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        schema = next(t for t in listed.tools if t.name == "get_context").input_schema
        assert set(schema["required"]) == {"query", "user_id"}
        assert all(tool.description for tool in listed.tools)

        added = _ok(
            await client.call_tool(
                "add_memory", {"user_id": user, "content": "Dana keeps bees on her roof."}
            )
        )
        memory_id = added["memory"]["id"]
        assert added["searchable_now"] is True
        found = _ok(await client.call_tool("search", {"query": "bees", "user_id": user}))
        assert [hit["memory"]["id"] for hit in found["hits"]][:1] == [memory_id]

        said = _ok(
            await client.call_tool(
                "add_messages",
                {
                    "user_id": user,
                    "session_id": "garden",
                    "messages": [
                        {
                            "role": "user",
                            "content": "How often should I check the hives?",
                            "occurred_at": "2025-05-01T08:30:00Z",
                        }
                    ],
                },
            )
        )
        turn = said["memories"][0]
        assert (turn["role"], turn["valid_from"]) == ("user", "2025-05-01T08:30:00Z")

        context = _ok(
            await client.call_tool(
                "get_context",
                {"query": "Where are the bees?", "user_id": user, "session_id": "garden"},
            )
        )
        assert "Dana keeps bees on her roof." in context["text"]
        assert '[2025-05-01 08:30] user: "How often should I check the hives?"' in context["text"]
        assert [t["id"] for t in context["recent_turns"]] == [turn["id"]]
        assert context["tokens_used"] <= context["max_tokens"] == 2000

        profile = _ok(await client.call_tool("get_profile", {"user_id": user}))
        assert set(profile) == {"entries", "related_facts"}

        # The gateway's field, named as the tool's argument.
        unnamed = _error(await client.call_tool("search", {"query": "bees", "user_id": ""}))
        assert unnamed["code"] == "INVALID_ARGUMENT"
        assert [v["field"] for v in unnamed["field_violations"]] == ["user_id"]
        over = _error(
            await client.call_tool(
                "get_context", {"query": "bees", "user_id": user, "max_tokens": 40_000}
            )
        )
        assert [v["field"] for v in over["field_violations"]] == ["max_tokens"]
        assert "max_tokens" in over["message"]
        # An argument of the wrong type never reaches the gateway; the SDK says which.
        mistyped = await client.call_tool("search", {"query": "bees", "user_id": user, "k": "a"})
        assert mistyped.is_error and "k" in mistyped.content[0].text  # type: ignore[union-attr]

        gone = _ok(await client.call_tool("delete_memory", {"memory_id": memory_id}))
        assert gone["id"] == memory_id
        missing = _error(await client.call_tool("delete_memory", {"memory_id": memory_id}))
        assert missing["code"] == "NOT_FOUND"
        after = _ok(await client.call_tool("search", {"query": "bees", "user_id": user}))
        assert memory_id not in [hit["memory"]["id"] for hit in after.get("hits", [])]


async def test_two_tenants_share_the_http_server_each_with_its_own_key(stack: Stack) -> None:
    url = _http_url(stack)
    user = f"mcp-{uuid.uuid4().hex[:8]}"
    secret = "The vault code is hidden under the third hive."
    async with _over_http(url, {"Authorization": f"Bearer {stack.key_a}"}) as tenant_a:
        stored = _ok(await tenant_a.call_tool("add_memory", {"user_id": user, "content": secret}))
    async with _over_http(url, {"x-api-key": stack.key_b}) as tenant_b:
        found = _ok(await tenant_b.call_tool("search", {"query": "vault code", "user_id": user}))
        assert found.get("hits", []) == []
        context = _ok(await tenant_b.call_tool("get_context", {"query": "vault", "user_id": user}))
        assert secret not in context["text"]
        refused = _error(
            await tenant_b.call_tool("delete_memory", {"memory_id": stored["memory"]["id"]})
        )
        assert refused["code"] == "NOT_FOUND"
    async with _over_http(url, {"x-api-key": stack.key_a}) as tenant_a:
        found = _ok(await tenant_a.call_tool("search", {"query": "vault code", "user_id": user}))
        assert [hit["memory"]["content"] for hit in found["hits"]] == [secret]

    for headers, reason in (
        ({}, "API_KEY_MISSING"),
        ({"x-api-key": stack.key_a, "Authorization": f"Bearer {stack.key_b}"}, None),
        ({"x-api-key": "no-such-key"}, "API_KEY_INVALID"),
    ):
        async with _over_http(url, headers) as stranger:
            error = _error(await stranger.call_tool("search", {"query": "vault", "user_id": user}))
            assert error["code"] == "UNAUTHENTICATED"
            assert reason is None or error["reason"] == reason
