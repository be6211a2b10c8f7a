"""Hostile requests built from message descriptors, for fuzzing a gRPC API.

RequestFuzzer(seed) makes, for any request message descriptor, wire bytes a client could
send: messages with boundary and random values in every field (ids with control
characters, huge and negative numbers, NaN, unknown enum numbers, timestamps outside
years 1-9999, deep and empty messages, oversized repeated fields), then sometimes spoils
the encoding (a string field that is not UTF-8, truncation, flipped bytes, garbage).
Everything it draws comes from one random.Random, so a seed replays a run exactly.

field_path_resolves checks that a BadRequest field path names a field of the request.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

INT32 = (0, 1, -1, 2, 7, 100, 1000, 1001, 10_000, 2**31 - 1, -(2**31))
INT64 = (*INT32, 2**53, 2**62, 2**63 - 1, -(2**63))
UINT64 = (0, 1, 2**32 - 1, 2**64 - 1)
FLOATS = (0.0, 0.5, 1.0, -1.0, 1.5, 1e30, -1e30, float("nan"), float("inf"), float("-inf"))
# Ids that exist-looking, ids that break every rule, and text in many scripts.
STRINGS = (
    "",
    " ",
    "u1",
    "fz-user",
    "fz-session",
    "Alice",
    "a" * 128,
    "a" * 129,
    "x" * 5000,
    "\x00",
    "a\x00b",
    "line\nbreak",
    "tab\tand\rcr",
    "\x7f\x9f",
    "../../etc/passwd",
    "'; MATCH (n) DETACH DELETE n; //",
    "${jndi:ldap://x}",
    "%s%s%n",
    "Zoë lives in Zürich",
    "東京に住んでいる",
    "🙂" * 64,
    "\u202eRTL",
    "\ufeffbom",
    "a.b",
    "a[0]",
    "content",
    "MEMORY_KIND_FACT",
)
TIMESTAMP_SECONDS = (
    0,
    1,
    -1,
    1_700_000_000,
    253_402_300_799,  # 9999-12-31T23:59:59Z, the last valid second
    253_402_300_800,
    -62_135_596_800,  # 0001-01-01, the first
    -62_135_596_801,
    2**63 - 1,
    -(2**63),
)
NANOS = (0, 1, 999_999_999, 1_000_000_000, -1, 2**31 - 1, -(2**31))
DURATION_SECONDS = (0, 1, -1, 3600, 315_576_000_000, 315_576_000_001, 2**63 - 1, -(2**63))

# A field name (or "#<number>" for an unknown one), then indexes or map keys: [3], ['k'].
_PATH_SEGMENT = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*|#\d+)"
    r"((?:\[(?:\d+|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\])*)"
)


# What a well-behaved client sends: requests made of these mostly pass validation, so
# fuzzing reaches the stores and the paths behind them, not only the validators.
SANE_STRINGS = ("fz-user", "fz-session", "fz-agent", "Alice", "Alice lives in Paris", "Paris")
SANE_INTS = (0, 1, 2, 5, 10)
SANE_FLOATS = (0.0, 0.5, 1.0)


class RequestFuzzer:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        # The share of values drawn from the hostile pools, chosen anew per request.
        self.hostility = 1.0

    def request_bytes(self, descriptor: Descriptor) -> bytes:
        """One request: a message of random field values, sometimes with its encoding
        spoiled afterwards, or plain garbage."""
        roll = self.random.random()
        if roll < 0.04:
            return self.random.randbytes(self.random.choice((1, 3, 16, 200)))
        if roll < 0.06:
            return b""
        self.hostility = self.random.choice((0.0, 0.05, 0.2, 1.0))
        encoded = self.message(descriptor, depth=0).SerializeToString()
        if roll < 0.14:
            return self._with_bad_utf8(descriptor, encoded)
        if roll < 0.20 and encoded:
            return self._damaged(encoded)
        return encoded

    def message(self, descriptor: Descriptor, depth: int) -> Message:
        message = message_factory.GetMessageClass(descriptor)()
        sane = self.random.random() >= self.hostility
        if descriptor.full_name == "google.protobuf.Timestamp" and sane:
            message.seconds = self.random.choice((1_600_000_000, 1_700_000_000, 1_800_000_000))  # type: ignore[attr-defined]
            return message
        if descriptor.full_name == "google.protobuf.Duration" and sane:
            message.seconds = self.random.choice((60, 3600, 86400))  # type: ignore[attr-defined]
            return message
        if descriptor.full_name == "google.protobuf.Timestamp":
            message.seconds = self.random.choice(TIMESTAMP_SECONDS)  # type: ignore[attr-defined]
            message.nanos = self.random.choice(NANOS)  # type: ignore[attr-defined]
            return message
        if descriptor.full_name == "google.protobuf.Duration":
            message.seconds = self.random.choice(DURATION_SECONDS)  # type: ignore[attr-defined]
            message.nanos = self.random.choice(NANOS)  # type: ignore[attr-defined]
            return message
        # Shallow messages set most fields; deep ones fewer, so recursion ends.
        chance = 0.7 if depth == 0 else 0.5 / depth
        for field in descriptor.fields:
            if self.random.random() < chance:
                self._fill(message, field, depth)
        return message

    def _fill(self, message: Message, field: FieldDescriptor, depth: int) -> None:
        target = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            for _ in range(self._count(depth, small=True)):
                key = self._scalar(key_field)
                if value_field.message_type is not None:
                    target[key].CopyFrom(self.message(value_field.message_type, depth + 1))
                else:
                    target[key] = self._scalar(value_field)
            return
        if field.is_repeated:
            for _ in range(self._count(depth, small=field.message_type is not None)):
                if field.message_type is not None:
                    target.add().CopyFrom(self.message(field.message_type, depth + 1))
                else:
                    target.append(self._scalar(field))
            return
        if field.message_type is not None:
            if depth < 6:
                target.CopyFrom(self.message(field.message_type, depth + 1))
            else:
                target.SetInParent()  # present and empty
            return
        setattr(message, field.name, self._scalar(field))

    def _count(self, depth: int, *, small: bool) -> int:
        """How many items a repeated field gets: over every limit (1001) only at the top
        and for scalars, so that one request stays far below the message size limit."""
        if depth > 0 or self.random.random() >= self.hostility:
            return self.random.choice((0, 1, 1, 2, 3))
        if small:
            return self.random.choice((0, 1, 1, 2, 3, 5, 65, 101))
        return self.random.choice((0, 1, 1, 2, 3, 5, 101, 1001))

    def _scalar(self, field: FieldDescriptor) -> object:
        kind = field.type
        pick: Callable[..., object] = self.random.choice
        if self.random.random() >= self.hostility:
            return self._sane_scalar(field)
        if kind == FieldDescriptor.TYPE_STRING:
            return pick(STRINGS)
        if kind == FieldDescriptor.TYPE_BYTES:
            return self.random.randbytes(pick((0, 1, 64)))
        if kind == FieldDescriptor.TYPE_BOOL:
            return pick((True, False))
        if kind in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
            return pick(FLOATS)
        if kind == FieldDescriptor.TYPE_ENUM:
            known = [v.number for v in field.enum_type.values]
            return pick((*known, *known, 99, -1, 2**31 - 1))
        if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
            return pick((0, 1, 2**32 - 1))
        if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
            return pick(UINT64)
        if kind in (
            FieldDescriptor.TYPE_INT64,
            FieldDescriptor.TYPE_SINT64,
            FieldDescriptor.TYPE_SFIXED64,
        ):
            return pick(INT64)
        return pick(INT32)

    def _sane_scalar(self, field: FieldDescriptor) -> object:
        kind = field.type
        if kind == FieldDescriptor.TYPE_STRING:
            return self.random.choice(SANE_STRINGS)
        if kind == FieldDescriptor.TYPE_BYTES:
            return b"fz"
        if kind == FieldDescriptor.TYPE_BOOL:
            return self.random.choice((True, False))
        if kind in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
            return self.random.choice(SANE_FLOATS)
        if kind == FieldDescriptor.TYPE_ENUM:
            named = [v.number for v in field.enum_type.values if v.number != 0]
            return self.random.choice(named or [0])
        return self.random.choice(SANE_INTS)

    def _with_bad_utf8(self, descriptor: Descriptor, encoded: bytes) -> bytes:
        """Adds a string field, at the top or one message down, whose bytes are not UTF-8."""
        bad = self.random.choice((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"ok\x80", b"\xf8\x88"))
        strings = [f for f in descriptor.fields if f.type == FieldDescriptor.TYPE_STRING]
        nested = [
            f
            for f in descriptor.fields
            if f.message_type is not None
            and not f.message_type.GetOptions().map_entry
            and any(g.type == FieldDescriptor.TYPE_STRING for g in f.message_type.fields)
        ]
        if nested and (not strings or self.random.random() < 0.5):
            outer = self.random.choice(nested)
            inner = self.random.choice(
                [g for g in outer.message_type.fields if g.type == FieldDescriptor.TYPE_STRING]
            )
            return encoded + _length_delimited(outer.number, _length_delimited(inner.number, bad))
        if strings:
            return encoded + _length_delimited(self.random.choice(strings).number, bad)
        return encoded + _length_delimited(1, bad)

    def _damaged(self, encoded: bytes) -> bytes:
        data = bytearray(encoded)
        how = self.random.choice(("truncate", "flip", "insert"))
        if how == "truncate":
            return bytes(data[: self.random.randrange(len(data))])
        if how == "flip":
            for _ in range(self.random.randint(1, 4)):
                data[self.random.randrange(len(data))] ^= 1 << self.random.randrange(8)
            return bytes(data)
        at = self.random.randrange(len(data) + 1)
        return (
            bytes(data[:at]) + self.random.randbytes(self.random.randint(1, 8)) + bytes(data[at:])
        )


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def field_path_resolves(descriptor: Descriptor, path: str) -> bool:
    """Whether a violation's path ("memories[2].scope.user_id", "filter.metadata['k']",
    "filter.#99" for an unknown field, "" for the whole request) names a field of the
    request message."""
    if path == "":
        return True
    current: Descriptor | None = descriptor
    position = 0
    while True:
        match = _PATH_SEGMENT.match(path, position)
        if match is None or current is None:
            return False
        name, brackets = match.group(1), match.group(2)
        position = match.end()
        if name.startswith("#"):
            return not brackets and position == len(path)
        field = current.fields_by_name.get(name)
        if field is None or (brackets and not field.is_repeated):
            return False
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            current = value.message_type if brackets else None
        else:
            current = field.message_type
        if position == len(path):
            return True
        if path[position] != ".":
            return False
        position += 1


def pool_descriptor(full_name: str) -> Descriptor:
    return descriptor_pool.Default().FindMessageTypeByName(full_name)
