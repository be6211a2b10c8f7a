"""The REST front's transcoding unit: path templates, the route table read from the gateway's
real descriptors, and requests built from path, query and body (gateway/rest)."""

from __future__ import annotations

from typing import Any

import pytest
from memgrid.gateway.v1 import request_response_pb2 as gw
from memgrid.gateway.v1 import service_pb2
from memgrid_runtime.errors import InvalidArgument

from gateway.rest.http_rules import PathTemplate, RouteMatch, RouteTable, TemplateError, routes_of
from gateway.rest.transcode import build_request, parse_json_body

SERVICE = service_pb2.DESCRIPTOR.services_by_name["GatewayService"]


@pytest.mark.parametrize(
    ("template", "path", "values"),
    [
        ("/v1/memories/{memory_id}", "/v1/memories/m-1", {"memory_id": "m-1"}),
        # An escaped slash stays inside its segment and is decoded after the match.
        ("/v1/memories/{memory_id}", "/v1/memories/a%2Fb", {"memory_id": "a/b"}),
        ("/v1/memories/{memory_id}", "/v1/memories/a/b", None),
        ("/v1/memories/{memory_id}", "/v1/memories/", None),
        ("/v1/memories/{memory_id}", "/v1/memories", None),
        # The verb is split off the last segment, even when the variable holds a colon.
        ("/v1/memories/{memory_id}:feedback", "/v1/memories/x:y:feedback", {"memory_id": "x:y"}),
        ("/v1/memories/{memory_id}:feedback", "/v1/memories/x", None),
        ("/v1/memories:search", "/v1/memories:search", {}),
        ("/v1/memories:search", "/v1/memories:searchx", None),
        ("/v1/{scope.user_id}/memories", "/v1/alice/memories", {"scope.user_id": "alice"}),
        ("/v1/{name=cubes/*}", "/v1/cubes/c1", {"name": "cubes/c1"}),
        ("/v1/{name=cubes/*}", "/v1/users/c1", None),
        ("/v1/{path=**}", "/v1/a/b/c", {"path": "a/b/c"}),
        ("/v1/*/x/{id}", "/v1/any/x/7", {"id": "7"}),
        # Regex characters in literals are literals.
        ("/v1/a.b/{id}", "/v1/aXb/7", None),
    ],
)
def test_path_templates_match_raw_paths(
    template: str, path: str, values: dict[str, str] | None
) -> None:
    assert PathTemplate.parse(template).match(path) == values


@pytest.mark.parametrize(
    "template",
    ["v1/memories", "/v1//memories", "/v1/{id", "/v1/{a={b}}", "/v1/{1bad}", "/v1/me*mories"],
)
def test_malformed_templates_are_refused(template: str) -> None:
    with pytest.raises(TemplateError):
        PathTemplate.parse(template)


def test_every_public_unary_rpc_and_chat_has_a_route() -> None:
    routed = {route.method.name for route in routes_of(SERVICE)}
    assert routed == {method.name for method in SERVICE.methods}


@pytest.mark.parametrize(
    ("method", "path", "rpc", "values"),
    [
        ("POST", "/v1/memories", "AddMemories", {}),
        ("GET", "/v1/memories", "ListMemories", {}),
        ("GET", "/v1/memories/m-1", "GetMemory", {"id": "m-1"}),
        ("PATCH", "/v1/memories/m-1", "UpdateMemory", {"id": "m-1"}),
        ("DELETE", "/v1/memories/m-1", "DeleteMemory", {"id": "m-1"}),
        ("GET", "/v1/memories/m-1/history", "GetMemoryHistory", {"id": "m-1"}),
        ("POST", "/v1/memories:search", "Search", {}),
        ("POST", "/v1/memories/m-1:feedback", "RecordFeedback", {"memory_id": "m-1"}),
        ("POST", "/v1/users/alice:erase", "EraseUser", {"user_id": "alice"}),
        ("GET", "/v1/users/alice/profile", "GetProfile", {"user_id": "alice"}),
        ("POST", "/v1/chat", "Chat", {}),
    ],
)
def test_the_route_table_finds_each_rpc(
    method: str, path: str, rpc: str, values: dict[str, str]
) -> None:
    found = RouteTable(routes_of(SERVICE)).find(method, path)
    assert isinstance(found, RouteMatch)
    assert (found.route.method.name, found.path_values) == (rpc, values)
    assert found.route.full_method == f"/memgrid.gateway.v1.GatewayService/{rpc}"


def test_a_known_path_under_another_method_lists_the_allowed_ones() -> None:
    table = RouteTable(routes_of(SERVICE))
    assert table.find("PUT", "/v1/memories/m-1") == ["DELETE", "GET", "PATCH"]
    assert table.find("GET", "/v1/nothing-here") == []


def _violations(error: pytest.ExceptionInfo[InvalidArgument]) -> list[tuple[str, str]]:
    return [(v.field, v.description) for v in error.value.violations]


def _search(body: Any) -> gw.SearchRequest:
    message = build_request(
        gw.SearchRequest.DESCRIPTOR, body_field="*", path_values={}, query=[], body=body
    )
    assert isinstance(message, gw.SearchRequest)
    return message


def test_a_body_takes_json_and_proto_names_and_proto3_json_values() -> None:
    request = _search(
        {
            "query": "tea",
            "filter": {"userId": "alice", "include_superseded": True, "metadata": {"k": "v"}},
            "k": "5",
            "mode": "RETRIEVAL_MODE_DENSE",
            "validAt": "2024-05-01T12:00:00Z",
            "weights": {"recency": 0},
        }
    )
    assert request.filter.user_id == "alice"
    assert request.filter.include_superseded
    assert dict(request.filter.metadata) == {"k": "v"}
    assert request.k == 5
    assert request.mode == gw.RETRIEVAL_MODE_DENSE
    assert request.valid_at.ToJsonString() == "2024-05-01T12:00:00Z"
    assert request.weights.HasField("recency")


def test_every_bad_field_of_a_body_is_named_by_its_path() -> None:
    with pytest.raises(InvalidArgument) as error:
        _search(
            {
                "query": 7,
                "filter": {"userId": "alice", "bogus": 1, "tags": "not-a-list"},
                "k": 1.5,
                "mode": "RETRIEVAL_MODE_NEAREST",
                "validAt": "yesterday",
                "minScore": True,
            }
        )
    fields = dict(_violations(error))
    assert set(fields) == {
        "query",
        "filter.bogus",
        "filter.tags",
        "k",
        "mode",
        "valid_at",
        "min_score",
    }
    assert fields["query"] == "must be a string"
    assert fields["filter.bogus"] == "no such field in memgrid.common.v1.MemoryFilter"
    assert "RETRIEVAL_MODE_HYBRID" in fields["mode"]
    assert "RFC 3339" in fields["valid_at"]


def test_repeated_elements_are_named_by_index() -> None:
    with pytest.raises(InvalidArgument) as error:
        build_request(
            gw.AddMemoriesRequest.DESCRIPTOR,
            body_field="*",
            path_values={},
            query=[],
            body={"memories": [{"content": "fine"}, {"content": 5}, "not an object"]},
        )
    assert _violations(error) == [
        ("memories[1].content", "must be a string"),
        ("memories[2]", "must be a JSON object"),
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [(2**31, "must be an integer from"), ("12abc", "must be an integer"), (True, "integer")],
)
def test_integers_are_checked_against_their_type(value: object, problem: str) -> None:
    with pytest.raises(InvalidArgument) as error:
        _search({"k": value})
    [(field, description)] = _violations(error)
    assert field == "k" and problem in description


def test_the_query_string_fills_leaf_fields_by_dotted_path() -> None:
    request = build_request(
        gw.ListMemoriesRequest.DESCRIPTOR,
        body_field="",
        path_values={},
        query=[
            ("filter.user_id", "alice"),
            ("filter.tags", "a"),
            ("filter.tags", "b"),
            ("pageSize", "3"),
            ("filter.includeSuperseded", "true"),
            ("filter.kinds", "MEMORY_KIND_FACT"),
            ("filter.metadata[topic]", "tea"),
            ("filter.createdAfter", "2024-01-01T00:00:00Z"),
        ],
        body=None,
    )
    assert isinstance(request, gw.ListMemoriesRequest)
    assert request.filter.user_id == "alice"
    assert list(request.filter.tags) == ["a", "b"]
    assert request.page_size == 3
    assert request.filter.include_superseded
    assert len(request.filter.kinds) == 1
    assert dict(request.filter.metadata) == {"topic": "tea"}
    assert request.filter.created_after.seconds > 0


def test_bad_query_parameters_are_named() -> None:
    with pytest.raises(InvalidArgument) as error:
        build_request(
            gw.ListMemoriesRequest.DESCRIPTOR,
            body_field="",
            path_values={},
            query=[
                ("filter", "x"),
                ("page_size", "1"),
                ("page_size", "2"),
                ("nope", "1"),
                ("filter.include_superseded", "yes"),
            ],
            body=None,
        )
    assert [field for field, _ in _violations(error)] == [
        "filter",
        "page_size",
        "nope",
        "filter.include_superseded",
    ]


def test_path_values_fill_their_fields_and_must_agree_with_the_body() -> None:
    request = build_request(
        gw.UpdateMemoryRequest.DESCRIPTOR,
        body_field="*",
        path_values={"id": "m-1"},
        query=[],
        body={"update": {"content": "new"}, "updateMask": "content", "expectedVersion": "3"},
    )
    assert isinstance(request, gw.UpdateMemoryRequest)
    assert (request.id, request.update.content, request.expected_version) == ("m-1", "new", 3)
    assert list(request.update_mask.paths) == ["content"]

    with pytest.raises(InvalidArgument) as error:
        build_request(
            gw.UpdateMemoryRequest.DESCRIPTOR,
            body_field="*",
            path_values={"id": "m-1"},
            query=[("expected_version", "3")],
            body={"id": "m-2"},
        )
    assert [field for field, _ in _violations(error)] == ["id", "expected_version"]


def test_a_method_without_a_body_refuses_one() -> None:
    with pytest.raises(InvalidArgument) as error:
        build_request(
            gw.GetMemoryRequest.DESCRIPTOR,
            body_field="",
            path_values={"id": "m-1"},
            query=[],
            body={"id": "m-1"},
        )
    assert "no body" in _violations(error)[0][1]


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        (b'{"query": "a", "query": "b"}', "query", "given twice"),
        (b'{"k": NaN}', "", "not valid JSON"),
        (b'{"k": ', "", "not valid JSON"),
        (b"\xff", "", "not UTF-8"),
    ],
)
def test_a_body_that_is_not_strict_json_is_refused(raw: bytes, field: str, problem: str) -> None:
    with pytest.raises(InvalidArgument) as error:
        parse_json_body(raw)
    [(named, description)] = _violations(error)
    assert named == field and problem in description
