"""The gateway's replies as the plain JSON the MCP tools return.

A model reads these, so they keep what an answer needs (content, kind, dates, provenance,
ids to act on) and leave out bookkeeping (hashes, heat, versions), empty fields included:
every token of a tool result is context the model pays for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from google.protobuf import timestamp_pb2
from memgrid.common.v1 import memory_pb2 as common
from memgrid.gateway.v1 import request_response_pb2 as gw

JSON = dict[str, Any]


def memory(m: common.Memory) -> JSON:
    return _compact(
        {
            "id": m.id,
            "kind": enum_name(common.MemoryKind.Name(m.kind), "MEMORY_KIND_"),
            "content": m.content,
            "user_id": m.scope.user_id,
            "agent_id": m.scope.agent_id,
            "session_id": m.scope.session_id,
            "cube_id": m.scope.cube_id,
            "role": enum_name(common.Role.Name(m.role), "ROLE_") if m.role else "",
            "speaker": m.speaker,
            "session_seq": m.session_seq,
            "created_at": timestamp(m.created_at),
            "valid_from": timestamp(m.valid_from) if m.HasField("valid_from") else None,
            "valid_to": timestamp(m.valid_to) if m.HasField("valid_to") else None,
            "source_message_ids": list(m.source_message_ids),
            "tags": list(m.tags),
            "metadata": dict(m.metadata),
            "importance": round(m.importance, 3),
        }
    )


def added(memories: Sequence[common.Memory], propagation: Sequence[common.Propagation]) -> JSON:
    searchable = any(
        p.store == "search" and p.state == common.PROPAGATION_STATE_DONE for p in propagation
    )
    return {"memories": [memory(m) for m in memories], "searchable_now": searchable}


def search(reply: gw.SearchResponse) -> JSON:
    return _compact(
        {
            "hits": [hit(h) for h in reply.hits],
            "degraded": list(reply.degraded),
        }
    )


def hit(h: gw.SearchHit) -> JSON:
    return {"score": round(h.score, 3), "memory": memory(h.memory)}


def context(reply: gw.GetContextResponse) -> JSON:
    return _compact(
        {
            "text": reply.text,
            "tokens_used": reply.tokens_used,
            "max_tokens": reply.max_tokens,
            "omitted": {
                "profile_entries": reply.omitted.profile_entries,
                "recent_turns": reply.omitted.recent_turns,
                "memories": reply.omitted.memories,
            },
            "profile": [profile_entry(e) for e in reply.profile],
            "recent_turns": [memory(m) for m in reply.recent_turns],
            "memories": [hit(h) for h in reply.memories],
            "degraded": list(reply.degraded),
        },
        keep={"text", "tokens_used", "omitted"},
    )


def profile(reply: gw.GetProfileResponse) -> JSON:
    return {
        "entries": [profile_entry(e) for e in reply.entries],
        "related_facts": [profile_entry(e) for e in reply.related_facts],
    }


def profile_entry(e: gw.ProfileEntry) -> JSON:
    return _compact(
        {
            "subject": e.subject,
            "key": e.key,
            "value": e.value,
            "memory_id": e.memory_id,
            "valid_from": timestamp(e.valid_from) if e.HasField("valid_from") else None,
            "confidence": round(e.confidence, 3),
            "source_message_ids": list(e.source_message_ids),
        }
    )


def deleted(reply: gw.DeleteMemoryResponse) -> JSON:
    return {
        "id": reply.id,
        "versions_deleted": reply.versions_deleted,
        "derived": {
            "deleted_ids": list(reply.derived.deleted_ids),
            "revised_ids": list(reply.derived.revised_ids),
            "restored_ids": list(reply.derived.restored_ids),
        },
        "removed_everywhere_now": _done(reply.propagation),
    }


def enum_name(name: str, prefix: str) -> str:
    """MEMORY_KIND_FACT -> "fact"."""
    return name.removeprefix(prefix).lower()


def timestamp(stamp: timestamp_pb2.Timestamp) -> str:
    return stamp.ToDatetime(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _done(propagation: Sequence[common.Propagation]) -> bool:
    """Whether every derived store (search, graph) already reflects the write."""
    return all(p.state == common.PROPAGATION_STATE_DONE for p in propagation)


def _compact(values: JSON, keep: set[str] | None = None) -> JSON:
    """Without the fields that say nothing (empty, zero, unset), except those in keep."""
    return {
        key: value
        for key, value in values.items()
        if key in (keep or set()) or value not in ("", 0, None, [], {})
    }
