"""The gateway's messages as plain Python data, and enum names back into enum values.

`to_plain` turns any message into dicts, lists, str, int, float and bool, with enums as
their short names ("FACT" for MEMORY_KIND_FACT, None for *_UNSPECIFIED), timestamps as
timezone-aware datetimes, durations as timedeltas, and unset messages and unset optional
fields as None. It walks the message's descriptor, so a field added to the protos appears
in the simple client's results without a change here.
"""

from __future__ import annotations

from datetime import timezone
from typing import TYPE_CHECKING, Any, TypeVar

from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from memgrid_client.errors import InvalidArgument

if TYPE_CHECKING:
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

EnumValueT = TypeVar("EnumValueT", bound=int)


def to_plain(message: Message) -> dict[str, Any]:
    return {field.name: _field(message, field) for field in message.DESCRIPTOR.fields}


def enum_value(enum: _EnumTypeWrapper[EnumValueT], name: str, *, field: str) -> EnumValueT:
    """The value of `name` in enum (common.MemoryKind), short ("fact") or full
    ("MEMORY_KIND_FACT"), any case; an unknown name, or the *_UNSPECIFIED one, is
    InvalidArgument naming `field` and the names it could be."""
    prefix = _prefix(enum.DESCRIPTOR)
    names = enum.keys()[1:]
    wanted = name.upper()
    for full_name in names:
        if wanted in (full_name, full_name.removeprefix(prefix)):
            return enum.Value(full_name)
    choices = ", ".join(full_name.removeprefix(prefix) for full_name in names)
    raise InvalidArgument.field(field, f"unknown {enum.DESCRIPTOR.name} {name!r}: one of {choices}")


# protobuf's stubs type a descriptor's parts as optional unions of the pure-Python and the
# upb classes; the checks on `field.type` below are what make them safe to use.
def _field(message: Message, field: Any) -> Any:
    value = getattr(message, field.name)
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        return {key: _single(item, value_field) for key, item in value.items()}
    if field.is_repeated:
        return [_single(item, field) for item in value]
    if field.has_presence and not message.HasField(field.name):
        return None
    return _single(value, field)


def _single(value: Any, field: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        if value == 0:
            return None
        name: str = field.enum_type.values_by_number[value].name
        return name.removeprefix(_prefix(field.enum_type))
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return value
    if isinstance(value, timestamp_pb2.Timestamp):
        return value.ToDatetime(tzinfo=timezone.utc)
    if isinstance(value, duration_pb2.Duration):
        return value.ToTimedelta()
    return to_plain(value)


def _is_map(field: Any) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _prefix(enum: Any) -> str:
    """MEMORY_KIND_ for MemoryKind: what its zero value, MEMORY_KIND_UNSPECIFIED, starts with."""
    return enum.values[0].name.removesuffix("UNSPECIFIED")
