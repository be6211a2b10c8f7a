"""Checks on the values the graph stores, with the request field path of every violation.

The store runs them on every call (so both backends and every caller get the same
answers); field paths use the proto's field names, e.g. `relations[3].source`.
"""

from __future__ import annotations

from collections.abc import Sequence

from memgrid_runtime.errors import FieldViolation, InvalidArgument

from services.graph.limits import (
    MAX_ALIASES_PER_ENTITY,
    MAX_MEMORY_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_PROVENANCE_CHARS,
    MAX_SOURCE_MEMORIES_PER_RELATION,
    MAX_TYPE_CHARS,
    MAX_TYPES_IN_FILTER,
    MAX_UPSERT_ITEMS,
)
from services.graph.model import GraphScope, UpsertBatch
from services.graph.names import entity_key, has_control_characters


class Violations:
    """Collects every problem of a request so that one error names them all."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def raise_if_any(self) -> None:
        if self._items:
            raise InvalidArgument(self._items)

    def name(self, value: str, field: str) -> None:
        if not entity_key(value):
            self.add(field, "must contain a non-space character")
        elif len(value) > MAX_NAME_CHARS:
            self.add(field, f"must be at most {MAX_NAME_CHARS} characters")
        elif has_control_characters(value):
            self.add(field, "must not contain control characters")

    def relation_type(self, value: str, field: str, *, required: bool) -> None:
        if not value:
            if required:
                self.add(field, "is required")
        elif len(value) > MAX_TYPE_CHARS:
            self.add(field, f"must be at most {MAX_TYPE_CHARS} characters")
        elif has_control_characters(value):
            self.add(field, "must not contain control characters")

    def memory_id(self, value: str, field: str) -> None:
        if not value:
            self.add(field, "is required")
        elif len(value) > MAX_MEMORY_ID_CHARS:
            self.add(field, f"must be at most {MAX_MEMORY_ID_CHARS} characters")
        elif has_control_characters(value):
            # FalkorDB's query parameters end at a NUL: it would fail the query, not match.
            self.add(field, "must not contain control characters")

    def confidence(self, value: float, field: str) -> None:
        if not 0.0 <= value <= 1.0:
            self.add(field, f"must be between 0 and 1, got {value}")

    def count(self, items: Sequence[object], field: str, *, minimum: int, maximum: int) -> bool:
        if not minimum <= len(items) <= maximum:
            self.add(field, f"must have {minimum}..{maximum} items, got {len(items)}")
            return False
        return True


def check_tenant(tenant: str) -> None:
    if not tenant:
        raise InvalidArgument.field("tenant_id", "is required")


def check_scope(scope: GraphScope) -> None:
    """Both halves of a scope: the tenant, and the user whose graph it is."""
    violations = Violations()
    if not scope.tenant:
        violations.add("tenant_id", "is required")
    if not scope.user.strip():
        violations.add("user_id", "is required: whose graph to read or write")
    elif len(scope.user) > MAX_NAME_CHARS or has_control_characters(scope.user):
        violations.add("user_id", f"at most {MAX_NAME_CHARS} characters, no control characters")
    violations.raise_if_any()


def check_name(value: str, field: str) -> None:
    violations = Violations()
    violations.name(value, field)
    violations.raise_if_any()


def check_type_filter(types: frozenset[str], field: str) -> None:
    violations = Violations()
    if violations.count(list(types), field, minimum=0, maximum=MAX_TYPES_IN_FILTER):
        for value in sorted(types):
            violations.relation_type(value, field, required=True)
    violations.raise_if_any()


def validate_upsert(batch: UpsertBatch) -> None:
    violations = Violations()
    for field, items in (
        ("entities", batch.entities),
        ("relations", batch.relations),
        ("mentions", batch.mentions),
    ):
        violations.count(items, field, minimum=0, maximum=MAX_UPSERT_ITEMS)
    violations.raise_if_any()

    for i, entity in enumerate(batch.entities):
        path = f"entities[{i}]"
        violations.name(entity.name, f"{path}.name")
        violations.relation_type(entity.type, f"{path}.type", required=False)
        aliases_field = f"{path}.aliases"
        if violations.count(
            entity.aliases, aliases_field, minimum=0, maximum=MAX_ALIASES_PER_ENTITY
        ):
            for j, alias in enumerate(entity.aliases):
                violations.name(alias, f"{path}.aliases[{j}]")
    for i, relation in enumerate(batch.relations):
        path = f"relations[{i}]"
        violations.name(relation.source, f"{path}.source")
        violations.name(relation.target, f"{path}.target")
        violations.relation_type(relation.type, f"{path}.type", required=True)
        violations.confidence(relation.confidence, f"{path}.confidence")
        ids_field = f"{path}.source_memory_ids"
        ids = relation.source_memory_ids
        if violations.count(ids, ids_field, minimum=1, maximum=MAX_SOURCE_MEMORIES_PER_RELATION):
            for j, memory_id in enumerate(relation.source_memory_ids):
                violations.memory_id(memory_id, f"{ids_field}[{j}]")
        if (
            relation.valid_from is not None
            and relation.valid_to is not None
            and relation.valid_to <= relation.valid_from
        ):
            violations.add(f"{path}.valid_to", "must be after valid_from")
    for i, mention in enumerate(batch.mentions):
        path = f"mentions[{i}]"
        violations.memory_id(mention.memory_id, f"{path}.memory_id")
        violations.name(mention.entity, f"{path}.entity")
        if len(mention.provenance) > MAX_PROVENANCE_CHARS:
            violations.add(
                f"{path}.provenance", f"must be at most {MAX_PROVENANCE_CHARS} characters"
            )
        violations.confidence(mention.confidence, f"{path}.confidence")
    violations.raise_if_any()
