"""The REST routes of a gRPC service, read from the google.api.http rules of its descriptor.

A rule's path template (`/v1/memories/{id}`, `/v1/cubes/{cube_id}:share`) compiles to a
regular expression over the request's raw, still percent-encoded path, so that an escaped
`/` inside a variable (`%2F`) never splits a segment; a variable's value is decoded after
the match. The grammar is the one google/api/http.proto defines:

    Template = "/" Segments [ Verb ] ;
    Segments = Segment { "/" Segment } ;
    Segment  = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;
    Verb     = ":" LITERAL ;
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import (
    Descriptor,
    FieldDescriptor,
    MethodDescriptor,
    ServiceDescriptor,
)

_HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_SEGMENT = "[^/]+"
# "**" matches the rest of the path, segments and slashes alike (at least one character,
# as grpc-gateway does).
_ANY_SEGMENTS = ".+"


class TemplateError(ValueError):
    """A path template that does not follow the grammar; raised at start-up."""


@dataclass(frozen=True)
class PathTemplate:
    template: str
    pattern: re.Pattern[str]
    # Field paths of the variables, in the order of the pattern's groups.
    variables: tuple[str, ...]
    # Literal characters: with two templates matching one path, the more literal wins.
    literal_weight: int

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        if not template.startswith("/"):
            raise TemplateError(f"path template {template!r} must start with '/'")
        variables: list[str] = []
        body, verb = _split_verb(template[1:])
        regex = "/" + _segments_regex(body, template, variables, inside_variable=False)
        if verb is not None:
            regex += ":" + re.escape(verb)
        literal_weight = len(re.sub(r"\{[^}]*\}|\*", "", template))
        return cls(template, re.compile(f"^{regex}$"), tuple(variables), literal_weight)

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The decoded value of each variable when raw_path (percent-encoded) matches."""
        found = self.pattern.match(raw_path)
        if found is None:
            return None
        return {
            field_path: unquote(value)
            for field_path, value in zip(self.variables, found.groups(), strict=True)
        }


def _split_verb(body: str) -> tuple[str, str | None]:
    """Splits a trailing ":verb" off the last segment (a colon inside braces is not one)."""
    depth = 0
    for index in range(len(body) - 1, -1, -1):
        char = body[index]
        if char == "}":
            depth += 1
        elif char == "{":
            depth -= 1
        elif char == "/" and depth == 0:
            return body, None
        elif char == ":" and depth == 0:
            return body[:index], body[index + 1 :]
    return body, None


def _segments_regex(
    segments: str, template: str, variables: list[str], *, inside_variable: bool
) -> str:
    parts = []
    for segment in _split_segments(segments, template):
        if segment == "*":
            parts.append(_SEGMENT)
        elif segment == "**":
            parts.append(_ANY_SEGMENTS)
        elif segment.startswith("{"):
            if inside_variable:
                raise TemplateError(f"nested variable in path template {template!r}")
            field_path, _, pattern = segment[1:-1].partition("=")
            if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", field_path):
                raise TemplateError(f"bad variable {segment!r} in path template {template!r}")
            variables.append(field_path)
            inner = _segments_regex(pattern or "*", template, variables, inside_variable=True)
            parts.append(f"({inner})")
        elif "{" in segment or "}" in segment or "*" in segment:
            raise TemplateError(f"bad segment {segment!r} in path template {template!r}")
        else:
            parts.append(re.escape(segment))
    return "/".join(parts)


def _split_segments(segments: str, template: str) -> Iterator[str]:
    """Splits on the slashes outside braces (`{name=a/*}` is one segment)."""
    start = depth = 0
    for index, char in enumerate(segments):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "/" and depth == 0:
            yield _non_empty(segments[start:index], template)
            start = index + 1
    if depth:
        raise TemplateError(f"unbalanced braces in path template {template!r}")
    yield _non_empty(segments[start:], template)


def _non_empty(segment: str, template: str) -> str:
    if not segment:
        raise TemplateError(f"empty segment in path template {template!r}")
    return segment


@dataclass(frozen=True)
class Route:
    """One HTTP binding of one RPC."""

    http_method: str
    path: PathTemplate
    method: MethodDescriptor
    # "" (every field not in the path comes from the query string), "*" (every field not
    # in the path comes from the JSON body), or the one request field the body holds.
    body: str
    # "" for the whole response message, else the one response field to return.
    response_body: str

    @property
    def full_method(self) -> str:
        """The gRPC method path, /package.Service/Method."""
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def server_streaming(self) -> bool:
        return bool(self.method.server_streaming)


def routes_of(service: ServiceDescriptor) -> list[Route]:
    """Every binding of every method of the service that has a google.api.http rule."""
    routes = []
    for method in service.methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule = options.Extensions[annotations_pb2.http]
        for binding in [rule, *rule.additional_bindings]:
            routes.append(_route(method, binding))
    return routes


def _route(method: MethodDescriptor, rule: http_pb2.HttpRule) -> Route:
    kind = rule.WhichOneof("pattern")
    if kind == "custom":
        http_method, template = rule.custom.kind.upper(), rule.custom.path
    elif kind in _HTTP_METHODS:
        http_method, template = kind.upper(), getattr(rule, kind)
    else:
        raise TemplateError(f"{method.full_name}: google.api.http rule without a path")
    if method.client_streaming:
        raise TemplateError(f"{method.full_name}: client streaming has no HTTP mapping here")
    path = PathTemplate.parse(template)
    for field_path in path.variables:
        _check_path_field(method, field_path, template)
    if rule.body not in ("", "*") and rule.body not in method.input_type.fields_by_name:
        raise TemplateError(f"{method.full_name}: no request field {rule.body!r} for the body")
    return Route(http_method, path, method, rule.body, rule.response_body)


def _check_path_field(method: MethodDescriptor, field_path: str, template: str) -> None:
    """A path variable must name a singular, non-message field of the request."""
    message: Descriptor | None = method.input_type
    names = field_path.split(".")
    for index, name in enumerate(names):
        field = message.fields_by_name.get(name) if message is not None else None
        if field is None:
            raise TemplateError(f"{method.full_name}: {template!r} names no field {field_path!r}")
        last = index == len(names) - 1
        if field.is_repeated or (last and field.type == FieldDescriptor.TYPE_MESSAGE):
            raise TemplateError(
                f"{method.full_name}: {field_path!r} in {template!r} is not a single value"
            )
        message = field.message_type


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_values: dict[str, str]


class RouteTable:
    """Finds the route of a request: by path first, so that a path that exists under
    another method is told apart (405) from one that does not (404)."""

    def __init__(self, routes: list[Route]) -> None:
        # Most literal first: /v1/memories:search before a /v1/{name} catch-all.
        self._routes = sorted(routes, key=lambda route: -route.path.literal_weight)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def find(self, http_method: str, raw_path: str) -> RouteMatch | list[str]:
        """The matching route, or the HTTP methods the path allows (empty: no such path)."""
        allowed: list[str] = []
        for route in self._routes:
            values = route.path.match(raw_path)
            if values is None:
                continue
            if route.http_method == http_method:
                return RouteMatch(route, values)
            allowed.append(route.http_method)
        return sorted(set(allowed))
