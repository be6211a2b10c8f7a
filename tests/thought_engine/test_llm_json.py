"""The schema validator and the JSON finder that every LLM answer goes through."""

from __future__ import annotations

import pytest

from services.thought_engine.llm.json_schema import JsonSchema, SchemaError
from services.thought_engine.llm.json_text import NoJSONObject, first_json_object

FACTS = JsonSchema(
    "facts",
    {
        "type": "object",
        "properties": {
            "facts": {
                "type": "array",
                "maxItems": 2,
                "items": {
                    "type": "object",
                    "properties": {
                        "attribute": {"type": "string", "enum": ["lives_in", "works_at"]},
                        "value": {"type": "string", "minLength": 1, "maxLength": 10},
                        "confidence": {"type": "number"},
                        "count": {"type": "integer"},
                    },
                    "required": ["attribute", "value"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["facts"],
    },
)


def test_a_conforming_value_has_no_violations() -> None:
    value = {"facts": [{"attribute": "lives_in", "value": "Paris", "confidence": 1, "count": 2.0}]}

    assert FACTS.violations(value) == []


def test_every_violation_is_named_by_its_path() -> None:
    value = {
        "facts": [
            {"attribute": "born_in", "value": ""},
            {"value": "a very long value", "extra": 1, "count": True},
            {"attribute": "works_at", "value": 3},
        ]
    }

    assert FACTS.violations(value) == [
        "$.facts: more than 2 items",
        "$.facts[0].attribute: 'born_in' is not one of ['lives_in', 'works_at']",
        "$.facts[0].value: shorter than 1 characters",
        "$.facts[1].attribute: required",
        "$.facts[1].value: longer than 10 characters",
        "$.facts[1].extra: not allowed",
        "$.facts[1].count: expected integer, got boolean",
        "$.facts[2].value: expected string, got integer",
    ]
    assert FACTS.violations([]) == ["$: expected object, got array"]


def test_keywords_the_validator_does_not_check_are_refused_up_front() -> None:
    with pytest.raises(
        SchemaError, match=r"\$\.name: unsupported JSON Schema keywords \['pattern'\]"
    ):
        JsonSchema("x", {"type": "object", "properties": {"name": {"pattern": "^a"}}})
    with pytest.raises(SchemaError, match="unknown type"):
        JsonSchema("x", {"type": "date"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure! Here it is: {"a": {"b": "}"}} Hope that helps.', {"a": {"b": "}"}}),
        ('```json\n{"a": 2}\n```', {"a": 2}),
        ('{broken {"a": 3}', {"a": 3}),
        ('{"a": "two\nlines"}', {"a": "two\nlines"}),
    ],
)
def test_first_json_object_in_free_text(text: str, expected: dict[str, object]) -> None:
    assert first_json_object(text) == expected


@pytest.mark.parametrize("text", ["", "no json here", '{"a": 1', "[1, 2]"])
def test_no_complete_object(text: str) -> None:
    with pytest.raises(NoJSONObject):
        first_json_object(text)
