"""An HTTP request's path variables, query string and JSON body, turned into the request
message of its RPC by the rule's field bindings (google/api/http.proto), and checked
against the message's descriptor on the way so that every bad field is named by its path
in the request (`memories[0].content`, `filter.user_id`), as the gateway names them.

Values take the proto3 JSON mapping (google.protobuf.json_format does the conversion):
fields by their JSON name or their proto name, 64-bit integers as numbers or strings,
enums by name, Timestamps as RFC 3339 strings. Nothing here knows memgrid's messages;
limits and rules on values stay in the gateway.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from memgrid_runtime.errors import FieldViolation, InvalidArgument

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
_FLOATS = (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE)
_FLOAT_WORDS = ("NaN", "Infinity", "-Infinity")
# Well-known types with a JSON form of their own: json_format converts them, and says
# here what form a caller should have sent.
_WELL_KNOWN_FORMS = {
    "google.protobuf.Timestamp": "an RFC 3339 timestamp such as 2024-05-01T12:00:00Z",
    "google.protobuf.Duration": "a duration in seconds with an 's' suffix, such as 1.5s",
    "google.protobuf.FieldMask": "a comma-separated list of field paths, such as content,tags",
    "google.protobuf.Struct": "a JSON object",
    "google.protobuf.ListValue": "a JSON array",
    "google.protobuf.Value": "any JSON value",
    "google.protobuf.Any": 'a JSON object with an "@type"',
    "google.protobuf.Empty": "an empty JSON object",
}
_WRAPPERS = {
    f"google.protobuf.{name}Value": f"a {kind}"
    for name, kind in (
        ("Double", "number"),
        ("Float", "number"),
        ("Int64", "integer"),
        ("UInt64", "integer"),
        ("Int32", "integer"),
        ("UInt32", "integer"),
        ("Bool", "boolean"),
        ("String", "string"),
        ("Bytes", "base64 string"),
    )
}


def parse_json_body(raw: bytes) -> Any:
    """The body as JSON, strictly: a duplicate key or a bare NaN is an error, not a guess."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArgument.field("", f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)
    except _DuplicateKey as exc:
        raise InvalidArgument.field(str(exc), "given twice in one JSON object") from None
    except ValueError as exc:
        raise InvalidArgument.field("", f"the body is not valid JSON: {exc}") from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(word: str) -> Any:
    raise ValueError(f"{word} is not JSON (proto3 JSON spells it as the string {word!r})")


def build_request(
    descriptor: Descriptor,
    *,
    body_field: str,
    path_values: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    body: Any,
) -> Message:
    """The request message, or InvalidArgument naming every bad field.

    body_field is the rule's body: "*" (the body is the message, less the path's fields),
    a field name (the body is that field), or "" (no body; fields come from the query).
    """
    violations: list[FieldViolation] = []
    request: dict[str, Any] = {}
    if body_field == "*":
        if isinstance(body, dict):
            request = _by_proto_name(descriptor, body, "", violations)
        else:
            violations.append(FieldViolation("", "the body must be a JSON object"))
    elif body_field:
        field = descriptor.fields_by_name[body_field]
        request[body_field] = _checked_field(field, body, body_field, violations)
    elif body is not None:
        violations.append(
            FieldViolation("", "this method takes no body: send its fields in the query string")
        )

    for field_path, value in path_values.items():
        _set_path_value(descriptor, request, field_path, value, violations)
    if body_field == "*":
        violations.extend(
            FieldViolation(name, "this method takes its fields in the JSON body, not the query")
            for name in dict(query)
        )
    else:
        _set_query_values(descriptor, request, query, set(path_values), violations)

    if violations:
        raise InvalidArgument(violations)
    message = message_factory.GetMessageClass(descriptor)()
    try:
        json_format.ParseDict(request, message)
    except json_format.ParseError as exc:
        # What the checks above let through and json_format still refuses (a value too
        # deep to nest, say) is reported as it says.
        raise InvalidArgument.field("", str(exc)) from None
    return message


def _by_proto_name(
    descriptor: Descriptor, value: dict[str, Any], path: str, violations: list[FieldViolation]
) -> dict[str, Any]:
    """The object checked field by field, with the keys of it and of every message in it
    renamed to proto names, so that path and query values merge into it whichever name
    the caller used."""
    result: dict[str, Any] = {}
    for key, item in value.items():
        field = _field_named(descriptor, key)
        field_path = _join(path, field.name if field else key)
        if field is None:
            violations.append(
                FieldViolation(field_path, f"no such field in {descriptor.full_name}")
            )
        elif field.name in result:
            violations.append(FieldViolation(field_path, "given twice (by both its names)"))
        else:
            result[field.name] = _checked_field(field, item, field_path, violations)
    return result


def _field_named(descriptor: Descriptor, key: str) -> FieldDescriptor | None:
    field = descriptor.fields_by_name.get(key)
    if field is not None:
        return field
    return next((f for f in descriptor.fields if f.json_name == key), None)


def _checked_field(
    field: FieldDescriptor, value: Any, path: str, violations: list[FieldViolation]
) -> Any:
    """The field's JSON value (a list for a repeated field, an object for a map), checked;
    each problem is added to violations."""
    if value is None:
        # null is the field's default in proto3 JSON.
        return None
    if _is_map(field):
        if not isinstance(value, dict):
            violations.append(FieldViolation(path, "must be a JSON object (a map)"))
            return value
        value_field = _message_of(field).fields_by_name["value"]
        entries = {}
        for key, item in value.items():
            if item is None:
                violations.append(FieldViolation(f"{path}[{key}]", "a map value cannot be null"))
            entries[key] = _checked_single(value_field, item, f"{path}[{key}]", violations)
        return entries
    if field.is_repeated:
        if not isinstance(value, list):
            violations.append(FieldViolation(path, "must be a JSON array"))
            return value
        return [
            _checked_single(field, item, f"{path}[{index}]", violations)
            for index, item in enumerate(value)
        ]
    return _checked_single(field, value, path, violations)


def _checked_single(
    field: FieldDescriptor, value: Any, path: str, violations: list[FieldViolation]
) -> Any:
    """One value of the field (an element of a repeated one), checked."""
    if value is None:
        return None
    problem = _problem_with(field, value)
    if problem is not None:
        violations.append(FieldViolation(path, problem))
        return value
    if field.type == FieldDescriptor.TYPE_MESSAGE and not _is_well_known(_message_of(field)):
        return _by_proto_name(_message_of(field), value, path, violations)
    return value


def _problem_with(field: FieldDescriptor, value: Any) -> str | None:
    """What is wrong with one (non-repeated) value of the field, or None."""
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        message_type = _message_of(field)
        if not _is_well_known(message_type):
            return None if isinstance(value, dict) else "must be a JSON object"
        return _problem_with_well_known(field, value)
    if kind == FieldDescriptor.TYPE_STRING:
        return None if isinstance(value, str) else "must be a string"
    if kind == FieldDescriptor.TYPE_BYTES:
        return _problem_converting(field, value, "a base64 string")
    if kind == FieldDescriptor.TYPE_BOOL:
        return None if isinstance(value, bool) else "must be true or false"
    if kind == FieldDescriptor.TYPE_ENUM:
        return _problem_with_enum(field, value)
    if kind in _FLOATS:
        return _problem_with_float(value)
    low, high = _INT_RANGES[kind]
    return _problem_with_integer(value, low, high)


def _problem_with_integer(value: Any, low: int, high: int) -> str | None:
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip()) if value == value.strip() else None
        except ValueError:
            number = None
    if number is None:
        return "must be an integer"
    if not low <= number <= high:
        return f"must be an integer from {low} to {high}"
    return None


def _problem_with_float(value: Any) -> str | None:
    if isinstance(value, bool):
        return "must be a number"
    if isinstance(value, int | float):
        return None
    if isinstance(value, str):
        if value in _FLOAT_WORDS:
            return None
        try:
            return None if math.isfinite(float(value)) else "must be a number"
        except ValueError:
            pass
    return "must be a number"


def _problem_with_enum(field: FieldDescriptor, value: Any) -> str | None:
    names = _enum_of(field).values_by_name
    if isinstance(value, str) and value in names:
        return None
    # proto3 enums are open: a number the schema does not name yet is still a value.
    if isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31:
        return None
    return "must be one of " + ", ".join(names)


def _problem_with_well_known(field: FieldDescriptor, value: Any) -> str | None:
    full_name = _message_of(field).full_name
    form = _WRAPPERS.get(full_name) or _WELL_KNOWN_FORMS[full_name]
    return _problem_converting(field, value, form)


def _problem_converting(field: FieldDescriptor, value: Any, form: str) -> str | None:
    """Whether json_format converts this one value of the field, which it alone knows how
    to do for the well-known types (RFC 3339, durations, base64 ...)."""
    holder = message_factory.GetMessageClass(_containing(field))()
    try:
        json_format.ParseDict({field.name: value}, holder)
    except json_format.ParseError:
        return f"must be {form}"
    return None


def _message_of(field: FieldDescriptor) -> Descriptor:
    assert field.message_type is not None, f"{field.full_name} is not a message field"
    return field.message_type


def _enum_of(field: FieldDescriptor) -> EnumDescriptor:
    assert field.enum_type is not None, f"{field.full_name} is not an enum field"
    return field.enum_type


def _containing(field: FieldDescriptor) -> Descriptor:
    assert field.containing_type is not None, f"{field.full_name} is an extension"
    return field.containing_type


def _is_well_known(descriptor: Descriptor) -> bool:
    return descriptor.full_name.startswith("google.protobuf.")


def _is_map(field: FieldDescriptor) -> bool:
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and _message_of(field).GetOptions().map_entry
        and field.is_repeated
    )


def _set_path_value(
    descriptor: Descriptor,
    request: dict[str, Any],
    field_path: str,
    value: str,
    violations: list[FieldViolation],
) -> None:
    """Sets a path variable's field; a body that names the same field must agree."""
    fields = _resolve(descriptor, field_path.split("."))
    target = _container(request, [f.name for f in fields[:-1]])
    leaf = fields[-1]
    existing = target.get(leaf.name)
    if existing is not None and existing != value:
        violations.append(
            FieldViolation(field_path, f"is {value!r} in the path but {existing!r} in the body")
        )
        return
    target[leaf.name] = _checked_single(leaf, value, field_path, violations)


def _set_query_values(
    descriptor: Descriptor,
    request: dict[str, Any],
    query: Sequence[tuple[str, str]],
    bound: set[str],
    violations: list[FieldViolation],
) -> None:
    """Query parameters name leaf fields by their dotted path (`filter.user_id`, or JSON
    names `filter.userId`); a repeated field repeats its parameter; a map entry is
    `filter.metadata[key]=value`."""
    values_by_name: dict[str, list[str]] = {}
    for name, value in query:
        values_by_name.setdefault(name, []).append(value)
    for name, values in values_by_name.items():
        map_key = None
        dotted = name
        if name.endswith("]") and "[" in name:
            dotted, _, rest = name.partition("[")
            map_key = rest[:-1]
        try:
            fields = _resolve(descriptor, dotted.split("."))
        except KeyError:
            violations.append(FieldViolation(name, f"no such field in {descriptor.full_name}"))
            continue
        leaf = fields[-1]
        proto_path = ".".join(f.name for f in fields)
        if proto_path in bound:
            violations.append(FieldViolation(name, "is set by the path, not the query"))
            continue
        target = _container(request, [f.name for f in fields[:-1]])
        problem = _add_query_value(leaf, target, values, map_key)
        if problem is not None:
            violations.append(FieldViolation(proto_path, problem))
            continue
        if map_key is not None:
            value_field = _message_of(leaf).fields_by_name["value"]
            _checked_single(value_field, values[0], f"{proto_path}[{map_key}]", violations)
        else:
            target[leaf.name] = _checked_field(leaf, target[leaf.name], proto_path, violations)


def _add_query_value(
    leaf: FieldDescriptor, target: dict[str, Any], values: list[str], map_key: str | None
) -> str | None:
    """Puts the parameter's values into target[leaf]; a problem when they cannot go there."""
    if _is_map(leaf):
        if map_key is None or len(values) != 1:
            return "a map entry is set as name[key]=value, once per key"
        target.setdefault(leaf.name, {})[map_key] = values[0]
        return None
    if map_key is not None:
        return "is not a map"
    if leaf.type == FieldDescriptor.TYPE_MESSAGE and not _is_well_known(_message_of(leaf)):
        return "is a message: set its fields as parameters, e.g. name.field=value"
    converted: list[Any] = [_from_query_text(leaf, value) for value in values]
    if leaf.is_repeated:
        target[leaf.name] = converted
    elif len(converted) > 1:
        return f"given {len(converted)} times; it takes one value"
    else:
        target[leaf.name] = converted[0]
    return None


def _from_query_text(field: FieldDescriptor, text: str) -> Any:
    """A query parameter's text as the JSON value it stands for: the text itself (proto3
    JSON takes numbers, enums and timestamps as strings), but a boolean for true/false."""
    is_bool = field.type == FieldDescriptor.TYPE_BOOL or (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and _message_of(field).full_name == "google.protobuf.BoolValue"
    )
    if is_bool and text in ("true", "false"):
        return text == "true"
    return text


def _resolve(descriptor: Descriptor, names: list[str]) -> list[FieldDescriptor]:
    """The fields along a dotted path (each step by proto or JSON name); KeyError if none."""
    fields = []
    current: Descriptor | None = descriptor
    for name in names:
        field = _field_named(current, name) if current is not None else None
        if field is None:
            raise KeyError(name)
        fields.append(field)
        is_plain_message = field.type == FieldDescriptor.TYPE_MESSAGE and not _is_map(field)
        current = _message_of(field) if is_plain_message else None
    return fields


def _container(request: dict[str, Any], names: list[str]) -> dict[str, Any]:
    target = request
    for name in names:
        nested = target.get(name)
        if not isinstance(nested, dict):
            nested = target[name] = {}
        target = nested
    return target


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
