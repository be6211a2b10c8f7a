"""Opaque page tokens for keyset pagination.

A token is base64url JSON holding the last row's sort key and a fingerprint of the query it
came from, so that a token replayed with another filter (or another tenant) is refused
instead of silently returning a page of something else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from memgrid.common.v1 import memory_pb2
from memgrid_runtime.errors import InvalidArgument

_FIELD = "page_token"
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class PageCursor:
    """Where the previous page ended: the sort key of its last row."""

    created_at_us: int
    id: str


def query_fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        # Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def encode_page_token(cursor: PageCursor, fingerprint: str) -> str:
    document = {"v": _FORMAT_VERSION, "q": fingerprint, "t": cursor.created_at_us, "i": cursor.id}
    raw = json.dumps(document, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_page_token(token: str, fingerprint: str) -> PageCursor | None:
    """The cursor in `token`, None for an empty token (the first page).

    Raises InvalidArgument on `page_token` for garbage or a token from another query.
    """
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidArgument.field(_FIELD, "not a page token issued by this service") from error
    if not isinstance(document, dict) or document.get("v") != _FORMAT_VERSION:
        raise InvalidArgument.field(_FIELD, "not a page token issued by this service")
    if document.get("q") != fingerprint:
        raise InvalidArgument.field(
            _FIELD, "the token belongs to another query: repeat the same filter with it"
        )
    created_at_us, last_id = document.get("t"), document.get("i")
    if not isinstance(created_at_us, int) or not isinstance(last_id, str):
        raise InvalidArgument.field(_FIELD, "not a page token issued by this service")
    return PageCursor(created_at_us=created_at_us, id=last_id)


def memory_query_fingerprint(tenant_id: str, memory_filter: memory_pb2.MemoryFilter) -> str:
    return query_fingerprint(
        "memories", tenant_id, memory_filter.SerializeToString(deterministic=True)
    )


def job_query_fingerprint(queue: str, state: int, tenant_id: str) -> str:
    return query_fingerprint("jobs", queue, str(state), tenant_id)
