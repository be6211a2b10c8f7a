"""REST/JSON over real HTTP: the suite's REST front (gateway/rest) transcodes each request
to the gateway's RPC and back, with the same keys, tenants, validation and errors."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from memgrid.gateway.v1 import service_pb2
from memgrid_suite.launcher import SERVICES, Suite

from gateway.rest.http_rules import routes_of
from tests.e2e.conftest import BOUND_USER, KEY_A_BOUND, Stack

BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass
class Rest:
    url: str
    key_a: str
    key_b: str

    def client(self, key: str | None, *, bearer: bool = False) -> httpx.AsyncClient:
        headers = {}
        if key is not None:
            headers = {"authorization": f"Bearer {key}"} if bearer else {"x-api-key": key}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def rest(stack: Stack) -> Rest:
    suite = stack.local_suite()
    return Rest(f"http://{suite.address_of('rest')}", stack.key_a, stack.key_b)


@pytest.fixture
async def http_a(rest: Rest) -> AsyncIterator[httpx.AsyncClient]:
    async with rest.client(rest.key_a) as client:
        yield client


def _user() -> str:
    return f"rest-{uuid.uuid4().hex[:10]}"


def _violations(reply: httpx.Response) -> list[str]:
    """The fields a google.rpc.Status body's BadRequest names."""
    body = reply.json()
    bad = [d for d in body.get("details", []) if d["@type"] == BAD_REQUEST]
    return [v["field"] for b in bad for v in b["fieldViolations"]]


def _reason(reply: httpx.Response) -> str:
    info = [d for d in reply.json()["details"] if d["@type"] == ERROR_INFO]
    return str(info[0]["reason"])


async def _add(client: httpx.AsyncClient, user: str, content: str) -> dict[str, object]:
    reply = await client.post(
        "/v1/memories", json={"memories": [{"scope": {"userId": user}, "content": content}]}
    )
    assert reply.status_code == 200, reply.text
    memory: dict[str, object] = reply.json()["memories"][0]
    return memory


async def _listed(client: httpx.AsyncClient, user: str) -> list[dict[str, object]]:
    reply = await client.get("/v1/memories", params={"filter.user_id": user})
    assert reply.status_code == 200, reply.text
    memories: list[dict[str, object]] = reply.json()["memories"]
    return memories


async def test_memories_are_added_searched_read_listed_and_deleted_over_rest(
    http_a: httpx.AsyncClient,
) -> None:
    user = _user()
    added = await http_a.post(
        "/v1/memories",
        json={
            "memories": [
                {"scope": {"userId": user}, "content": "I live in Lisbon", "tags": ["home"]},
                {"scope": {"user_id": user}, "content": "I drink green tea every morning"},
            ]
        },
    )
    assert added.status_code == 200, added.text
    body = added.json()
    first, second = body["memories"]
    # proto3 JSON: camelCase names, enums by name, int64 as strings, unset fields shown.
    assert first["scope"]["userId"] == user and first["tags"] == ["home"]
    assert first["kind"] == "MEMORY_KIND_FACT" and first["version"] == "1"
    assert body["replayed"] is False
    # Searchable when the write returns (read-your-writes).
    search = next(p for p in body["propagation"] if p["store"] == "search")
    assert search["state"] == "PROPAGATION_STATE_DONE"

    found = await http_a.post(
        "/v1/memories:search", json={"query": "what do I drink?", "filter": {"userId": user}}
    )
    assert found.status_code == 200, found.text
    hits = found.json()["hits"]
    assert hits[0]["memory"]["id"] == second["id"]
    assert 0 < hits[0]["score"] <= 1

    got = await http_a.get(f"/v1/memories/{first['id']}")
    assert got.status_code == 200
    assert got.json()["memory"]["content"] == "I live in Lisbon"

    assert {m["id"] for m in await _listed(http_a, user)} == {first["id"], second["id"]}
    tagged = await http_a.get(
        "/v1/memories", params={"filter.user_id": user, "filter.tags": "home"}
    )
    assert [m["id"] for m in tagged.json()["memories"]] == [first["id"]]
    history = await http_a.get(f"/v1/memories/{first['id']}/history")
    assert [v["changeType"] for v in history.json()["versions"]] == ["CHANGE_TYPE_CREATED"]

    deleted = await http_a.delete(f"/v1/memories/{first['id']}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["id"] == first["id"]
    gone = await http_a.get(f"/v1/memories/{first['id']}")
    assert gone.status_code == 404
    assert gone.json()["code"] == 5
    assert [m["id"] for m in await _listed(http_a, user)] == [second["id"]]


async def test_an_update_with_a_field_mask_and_a_stale_version_is_a_conflict(
    http_a: httpx.AsyncClient,
) -> None:
    memory = await _add(http_a, _user(), "likes coffee")
    path = f"/v1/memories/{memory['id']}"
    updated = await http_a.patch(
        path,
        json={"update": {"content": "likes tea"}, "updateMask": "content", "expectedVersion": 1},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["memory"]["content"] == "likes tea"
    assert updated.json()["memory"]["version"] == "2"

    stale = await http_a.patch(
        path,
        json={"update": {"content": "likes water"}, "updateMask": "content", "expectedVersion": 1},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == 10  # ABORTED
    assert (await http_a.get(path)).json()["memory"]["content"] == "likes tea"


async def test_bearer_and_x_api_key_both_authenticate_and_a_missing_key_is_401(
    rest: Rest,
) -> None:
    user = _user()
    async with rest.client(rest.key_a, bearer=True) as bearer:
        memory = await _add(bearer, user, "bearer works")
        # A body is JSON whatever it is labelled (curl -d labels it a form).
        as_curl_sends_it = await bearer.post(
            "/v1/memories",
            content=json.dumps({"memories": [{"scope": {"userId": user}, "content": "curl"}]}),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert as_curl_sends_it.status_code == 200, as_curl_sends_it.text
    async with rest.client(None) as anonymous:
        missing = await anonymous.get(f"/v1/memories/{memory['id']}")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.json()["code"] == 16
    assert _reason(missing) == "API_KEY_MISSING"
    async with rest.client("not-a-key") as wrong:
        unknown = await wrong.get(f"/v1/memories/{memory['id']}")
    assert unknown.status_code == 401
    assert _reason(unknown) == "API_KEY_INVALID"


async def test_another_tenants_memory_is_not_found_and_stays(rest: Rest) -> None:
    user = _user()
    async with rest.client(rest.key_a) as tenant_a, rest.client(rest.key_b) as tenant_b:
        memory = await _add(tenant_a, user, "tenant a's secret")
        path = f"/v1/memories/{memory['id']}"
        assert (await tenant_b.get(path)).status_code == 404
        assert (await tenant_b.delete(path)).status_code == 404
        assert await _listed(tenant_b, user) == []
        assert (await tenant_a.get(path)).status_code == 200


async def test_an_end_user_key_naming_another_user_is_forbidden(rest: Rest) -> None:
    async with rest.client(KEY_A_BOUND) as bound:
        own = await _add(bound, BOUND_USER, "my own memory")
        other = await bound.get("/v1/memories", params={"filter.user_id": "someone-else"})
    assert own["scope"]["userId"] == BOUND_USER  # type: ignore[index]
    assert other.status_code == 403
    assert other.json()["code"] == 7


async def test_bad_json_is_400_and_stores_nothing(http_a: httpx.AsyncClient) -> None:
    user = _user()
    reply = await http_a.post(
        "/v1/memories",
        content=b'{"memories": [{"scope": {"userId": "' + user.encode() + b'"}, "content": ',
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 400
    assert reply.json()["code"] == 3
    assert "not valid JSON" in reply.json()["message"]
    assert await _listed(http_a, user) == []


async def test_wrong_types_and_unknown_fields_are_400_naming_each_field(
    http_a: httpx.AsyncClient,
) -> None:
    user = _user()
    reply = await http_a.post(
        "/v1/memories",
        json={
            "memories": [
                {"scope": {"userId": user}, "content": "fine"},
                {"scope": {"userId": user}, "content": 42, "importance": "very"},
                {"scope": {"userId": user}, "content": "x", "colour": "blue"},
            ],
            "dedup": "yes",
        },
    )
    assert reply.status_code == 400
    assert _violations(reply) == [
        "memories[1].content",
        "memories[1].importance",
        "memories[2].colour",
        "dedup",
    ]
    assert await _listed(http_a, user) == []

    query = await http_a.get("/v1/memories", params={"filter.user_id": user, "page_size": "ten"})
    assert query.status_code == 400
    assert _violations(query) == ["page_size"]


async def test_the_gateways_own_validation_reaches_the_caller_intact(
    http_a: httpx.AsyncClient,
) -> None:
    no_user = await http_a.post("/v1/memories:search", json={"query": "anything"})
    assert no_user.status_code == 400
    assert _violations(no_user) == ["filter.user_id"]
    empty = await http_a.post(
        "/v1/memories", json={"memories": [{"scope": {"userId": _user()}, "content": ""}]}
    )
    assert empty.status_code == 400
    assert _violations(empty) == ["memories[0].content"]


async def test_taken_cube_id_is_a_conflict(http_a: httpx.AsyncClient) -> None:
    user, cube = _user(), f"cube-{uuid.uuid4().hex[:8]}"
    body = {"cubeId": cube, "ownerUserId": user, "name": "notes"}
    assert (await http_a.post("/v1/cubes", json=body)).status_code == 200
    again = await http_a.post("/v1/cubes", json=body)
    assert again.status_code == 409
    assert again.json()["code"] == 6
    listed = await http_a.get(f"/v1/users/{user}/cubes")
    assert [c["cubeId"] for c in listed.json()["cubes"]] == [cube]


async def test_chat_without_an_llm_fails_before_streaming(http_a: httpx.AsyncClient) -> None:
    reply = await http_a.post(
        "/v1/chat", json={"scope": {"userId": _user(), "sessionId": "s"}, "message": "hi"}
    )
    assert reply.status_code == 400
    assert reply.json()["code"] == 9  # FAILED_PRECONDITION
    assert reply.headers["content-type"] == "application/json"


async def test_unknown_paths_and_methods(http_a: httpx.AsyncClient) -> None:
    nowhere = await http_a.get("/v1/nowhere")
    assert nowhere.status_code == 404
    assert nowhere.json()["code"] == 5
    wrong_method = await http_a.put("/v1/memories/some-id", json={})
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "DELETE, GET, PATCH"


async def test_deadlines_come_from_grpc_timeout(http_a: httpx.AsyncClient) -> None:
    user = _user()
    expired = await http_a.get(
        "/v1/memories", params={"filter.user_id": user}, headers={"grpc-timeout": "1n"}
    )
    assert expired.status_code == 504
    assert expired.json()["code"] == 4
    roomy = await http_a.get(
        "/v1/memories", params={"filter.user_id": user}, headers={"grpc-timeout": "30S"}
    )
    assert roomy.status_code == 200
    malformed = await http_a.get(
        "/v1/memories", params={"filter.user_id": user}, headers={"grpc-timeout": "soon"}
    )
    assert malformed.status_code == 400
    assert _violations(malformed) == ["grpc-timeout"]


async def test_the_callers_trace_continues_through_rest_and_gateway(
    stack: Stack, http_a: httpx.AsyncClient
) -> None:
    traces = stack.traces
    assert traces is not None
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    reply = await http_a.get(
        "/v1/memories",
        params={"filter.user_id": _user()},
        headers={"traceparent": f"00-{trace_id}-{parent}-01"},
    )
    assert reply.status_code == 200

    def rest_and_gateway(spans: list) -> bool:  # type: ignore[type-arg]
        return {"rest", "gateway"} <= {s.service for s in spans if s.trace_id == trace_id}

    spans = [s for s in await traces.wait_for(rest_and_gateway) if s.trace_id == trace_id]
    rest_span = next(s for s in spans if s.service == "rest" and s.name.startswith("GET "))
    assert rest_span.parent_span_id == parent
    gateway_span = next(
        s
        for s in spans
        if s.name == "/memgrid.gateway.v1.GatewayService/ListMemories" and s.service == "gateway"
    )
    assert gateway_span.parent_span_id in {s.span_id for s in spans if s.service == "rest"}


async def test_the_openapi_document_has_every_annotated_rpc(rest: Rest) -> None:
    async with rest.client(None) as anonymous:
        reply = await anonymous.get("/openapi.json")
    assert reply.status_code == 200
    document = reply.json()
    assert document["swagger"] == "2.0"
    service = service_pb2.DESCRIPTOR.services_by_name["GatewayService"]
    annotated = {
        (_unnamed(route.path.template), route.http_method.lower(), route.method.name)
        for route in routes_of(service)
    }
    documented = {
        (_unnamed(path), method, operation["operationId"].removeprefix("GatewayService_"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert documented == annotated
    # Path variables are documented under their fields' JSON names.
    feedback = document["paths"]["/v1/memories/{memoryId}:feedback"]["post"]
    assert {p["name"] for p in feedback["parameters"] if p["in"] == "path"} == {"memoryId"}
    assert {"ApiKey", "Bearer"} <= set(document["securityDefinitions"])


def _unnamed(template: str) -> str:
    """The template with its variables' names left out (the document uses JSON names)."""
    return re.sub(r"\{[^}]*\}", "{}", template)


# A gateway with a rate limit and no search service, and its own REST front, over the
# stack's memory-store: what RESOURCE_EXHAUSTED and UNAVAILABLE look like over HTTP.
@pytest.fixture(scope="module")
async def limited_rest(stack: Stack) -> AsyncIterator[str]:
    suite = stack.local_suite()
    limited = Suite(
        data_dir=suite.data_dir / "limited",
        log_dir=suite.log_dir,
        ephemeral_ports=True,
        api_keys=suite.api_keys,
        services=tuple(s for s in SERVICES if s.name in ("gateway", "rest")),
        env={
            **suite.env,
            "MEMGRID_INTERNAL_TOKEN": suite.internal_token,
            "MEMGRID_MEMORY_STORE_TARGET": suite.address_of("memory-store"),
            "MEMGRID_RATE_LIMIT_PER_SECOND": "0.2",
            "MEMGRID_RATE_LIMIT_BURST": "2",
        },
    )
    await limited.start()
    try:
        yield f"http://{limited.address_of('rest')}"
    finally:
        await limited.stop()


async def test_a_rate_limit_is_429_with_retry_after(stack: Stack, limited_rest: str) -> None:
    async with httpx.AsyncClient(base_url=limited_rest, headers={"x-api-key": stack.key_b}) as c:
        search_down = await c.post(
            "/v1/memories:search", json={"query": "q", "filter": {"userId": "u"}}
        )
        assert search_down.status_code == 503
        assert search_down.headers["retry-after"] == "1"
        assert _reason(search_down) == "SEARCH_NOT_DEPLOYED"

        replies = [await c.get("/v1/memories", params={"filter.user_id": "u"}) for _ in range(3)]
    limited = [r for r in replies if r.status_code == 429]
    assert limited, [r.status_code for r in replies]
    assert limited[0].json()["code"] == 8
    assert _reason(limited[0]) == "RATE_LIMITED"
    # 0.2 requests/s: the next token is up to 5 s away.
    assert 1 <= int(limited[0].headers["retry-after"]) <= 5


@pytest.fixture(scope="module")
def llm_rest(llm_suite: Suite) -> str:
    """The REST front of the suite whose thought engine answers through the real LLM."""
    return f"http://{llm_suite.address_of('rest')}"


@pytest.mark.timeout(300)
async def test_chat_streams_newline_delimited_json(stack: Stack, llm_rest: str) -> None:
    user = _user()
    async with (
        httpx.AsyncClient(base_url=llm_rest, headers={"x-api-key": stack.key_a}, timeout=200) as c,
        c.stream(
            "POST",
            "/v1/chat",
            json={"scope": {"userId": user, "sessionId": "chat"}, "message": "Hello there!"},
            headers={"grpc-timeout": "180S"},
        ) as reply,
    ):
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("application/x-ndjson")
        events = [json.loads(line) async for line in reply.aiter_lines() if line]
    results = [event["result"] for event in events]
    assert "context" in results[0] and "completed" in results[-1]
    deltas = [r["delta"] for r in results[1:-1]]
    assert results[-1]["completed"]["answer"] == "".join(deltas).strip()
    async with httpx.AsyncClient(base_url=llm_rest, headers={"x-api-key": stack.key_a}) as c:
        stored = await asyncio.wait_for(
            c.get("/v1/memories", params={"filter.user_id": user, "filter.session_id": "chat"}),
            30,
        )
    assert stored.json()["memories"][0]["content"] == "Hello there!"
