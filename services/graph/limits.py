"""Bounds on what one graph request may ask for.

They keep every RPC's work proportional to its request: a traversal touches at most
MAX_HOPS levels and MAX_ROWS_PER_HOP relations per level whatever the graph's shape.
"""

from __future__ import annotations

from memgrid_runtime.errors import InvalidArgument

# Most multi-hop questions ("what did the person my sister works with recommend?") need two
# or three hops; beyond four, a hub entity reaches most of a tenant's graph.
MAX_HOPS = 4
MAX_NAME_CHARS = 256
MAX_TYPE_CHARS = 128
MAX_PROVENANCE_CHARS = 256
MAX_MEMORY_ID_CHARS = 128
MAX_ALIASES_PER_ENTITY = 64
MAX_SOURCE_MEMORIES_PER_RELATION = 1000
MAX_UPSERT_ITEMS = 10_000
MAX_QUERY_ENTITIES = 100
MAX_MERGE_SOURCES = 100
MAX_REMOVE_MEMORY_IDS = 10_000
MAX_TYPES_IN_FILTER = 100
MAX_RESULT_LIMIT = 1000
DEFAULT_FIND_LIMIT = 50
DEFAULT_TRAVERSAL_LIMIT = 100
DEFAULT_RELATED_LIMIT = 50
# Relations read per traversal level; a level that hits it marks the result truncated.
MAX_ROWS_PER_HOP = 20_000
# Mentions read when ranking related memories.
MAX_MENTION_ROWS = 50_000


def check_hops(value: int, field: str, *, minimum: int) -> int:
    """The hop count, or InvalidArgument naming the field when it is out of bounds."""
    if not minimum <= value <= MAX_HOPS:
        raise InvalidArgument.field(field, f"must be {minimum}..{MAX_HOPS} (MAX_HOPS), got {value}")
    return value


def check_limit(value: int, field: str) -> int:
    if not 1 <= value <= MAX_RESULT_LIMIT:
        raise InvalidArgument.field(field, f"must be 1..{MAX_RESULT_LIMIT}, got {value}")
    return value
