"""The subset of JSON Schema that LLM output schemas use, and a validator for it.

Servers that honour `response_format` constrain decoding to the schema, but many do not (or
honour only part of it), so every answer is validated here before anyone trusts it. The
subset is the one OpenAI's structured outputs accept: type, properties, required,
additionalProperties, items, enum, min/maxItems, min/maxLength. A schema using any other
keyword is refused when the `JsonSchema` is built, so nothing is silently left unchecked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_SUPPORTED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "description",
        "title",
    }
)

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class SchemaError(ValueError):
    """The schema itself uses something this validator does not check."""


@dataclass(frozen=True)
class JsonSchema:
    """A named schema, checked for supported keywords when built."""

    name: str
    schema: Mapping[str, Any]

    def __post_init__(self) -> None:
        _check_supported(self.schema, "$")

    def violations(self, value: object) -> list[str]:
        """Every way `value` breaks the schema, as `path: problem`; empty when it conforms."""
        found: list[str] = []
        _validate(value, self.schema, "$", found)
        return found


def _check_supported(schema: Mapping[str, Any], path: str) -> None:
    unsupported = set(schema) - _SUPPORTED_KEYWORDS
    if unsupported:
        raise SchemaError(f"{path}: unsupported JSON Schema keywords {sorted(unsupported)}")
    declared = schema.get("type")
    types = declared if isinstance(declared, list) else [declared] if declared else []
    for name in types:
        if name not in _PYTHON_TYPES:
            raise SchemaError(f"{path}: unknown type {name!r}")
    for key, child in schema.get("properties", {}).items():
        _check_supported(child, f"{path}.{key}")
    if isinstance(schema.get("items"), Mapping):
        _check_supported(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), Mapping):
        _check_supported(schema["additionalProperties"], f"{path}.*")


def _validate(value: object, schema: Mapping[str, Any], path: str, found: list[str]) -> None:
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} is not one of {schema['enum']}")
        return
    declared = schema.get("type")
    if declared is not None:
        types = declared if isinstance(declared, list) else [declared]
        if not any(_is_type(value, name) for name in types):
            found.append(f"{path}: expected {' or '.join(types)}, got {_json_type(value)}")
            return
    if isinstance(value, dict):
        _validate_object(value, schema, path, found)
    elif isinstance(value, list):
        _validate_array(value, schema, path, found)
    elif isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            found.append(f"{path}: longer than {schema['maxLength']} characters")


def _validate_object(
    value: dict[str, object], schema: Mapping[str, Any], path: str, found: list[str]
) -> None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in value:
            found.append(f"{path}.{key}: required")
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _validate(item, properties[key], f"{path}.{key}", found)
        elif extra is False:
            found.append(f"{path}.{key}: not allowed")
        elif isinstance(extra, Mapping):
            _validate(item, extra, f"{path}.{key}", found)


def _validate_array(
    value: list[object], schema: Mapping[str, Any], path: str, found: list[str]
) -> None:
    if len(value) < schema.get("minItems", 0):
        found.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        found.append(f"{path}: more than {schema['maxItems']} items")
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            _validate(item, items, f"{path}[{index}]", found)


def _is_type(value: object, name: str) -> bool:
    # bool is an int in Python but not a number in JSON.
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _PYTHON_TYPES[name])


def _json_type(value: object) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__
