"""Requests that do not parse: which message they were meant to be, and where they break.

protobuf's parser says only "String field had bad UTF-8" or "Wire format was corrupt";
a client fixing its request needs the field, so undecodable_field walks the wire format
with the message's descriptor to the first string that is not UTF-8 or the first field
that is cut short, and names it by its path in the request (`memories[2].content`).
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor

_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5
_MAX_DEPTH = 100  # protobuf's own recursion limit


@dataclass(frozen=True)
class WireProblem:
    """Where a request stops parsing: a field path ("" for the request itself) and why."""

    field: str
    description: str


class _Corrupt(Exception):
    pass


def undecodable_field(descriptor: Descriptor, data: bytes) -> WireProblem:
    """The first place data does not parse as the message descriptor describes."""
    try:
        problem = _walk(descriptor, memoryview(data), "", 0)
    except _Corrupt as exc:
        return WireProblem(str(exc), "corrupt wire format")
    return problem or WireProblem("", "corrupt wire format")


def _walk(descriptor: Descriptor, data: memoryview, path: str, depth: int) -> WireProblem | None:
    if depth > _MAX_DEPTH:
        return WireProblem(path, f"nested deeper than {_MAX_DEPTH} messages")
    counts: dict[int, int] = {}
    position = 0
    while position < len(data):
        key, position = _varint(data, position, path)
        number, wire_type = key >> 3, key & 7
        field = descriptor.fields_by_number.get(number)
        field_path = path
        if field is not None:
            field_path = f"{path}.{field.name}" if path else field.name
            if field.is_repeated and not _is_map(field):
                index = counts.get(number, 0)
                counts[number] = index + 1
                field_path = f"{field_path}[{index}]"
        if number == 0:
            raise _Corrupt(path)
        if wire_type == _VARINT:
            _, position = _varint(data, position, field_path)
        elif wire_type == _FIXED64:
            position = _skip(data, position, 8, field_path)
        elif wire_type == _FIXED32:
            position = _skip(data, position, 4, field_path)
        elif wire_type == _LENGTH_DELIMITED:
            length, position = _varint(data, position, field_path)
            chunk = data[position : position + length]
            position = _skip(data, position, length, field_path)
            if field is None:
                continue
            if field.type == FieldDescriptor.TYPE_STRING:
                try:
                    bytes(chunk).decode("utf-8")
                except UnicodeDecodeError:
                    return WireProblem(field_path, "not valid UTF-8")
            elif field.message_type is not None and _is_map(field):
                # A map entry's key and value fields are not the caller's: name the map.
                try:
                    problem = _walk(field.message_type, chunk, field_path, depth + 1)
                except _Corrupt:
                    raise _Corrupt(field_path) from None
                if problem is not None:
                    return WireProblem(field_path, problem.description)
            elif field.message_type is not None:
                problem = _walk(field.message_type, chunk, field_path, depth + 1)
                if problem is not None:
                    return problem
        else:  # groups (3, 4) are not proto3; 6 and 7 are not wire types
            raise _Corrupt(field_path)
    return None


def _is_map(field: FieldDescriptor) -> bool:
    message = field.message_type
    return message is not None and message.GetOptions().map_entry


def _varint(data: memoryview, position: int, path: str) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise _Corrupt(path)
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def _skip(data: memoryview, position: int, length: int, path: str) -> int:
    if position + length > len(data):
        raise _Corrupt(path)
    return position + length
