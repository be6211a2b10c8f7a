"""The prompt Chat sends the model: what is known about the user, then the question.

Everything goes into one user turn: some chat templates (Gemma's among them) drop system
messages, and a small model follows one block of context better than a long history.
Memory contents are quoted with json.dumps so that a stored text cannot pose as an
instruction line of the prompt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from memgrid.common.v1 import memory_pb2

from services.thought_engine.conversation import Turn
from services.thought_engine.reconcile import StoredFact

_KIND_NAMES = {
    memory_pb2.MEMORY_KIND_MESSAGE: "message",
    memory_pb2.MEMORY_KIND_EPISODE: "episode",
    memory_pb2.MEMORY_KIND_FACT: "fact",
    memory_pb2.MEMORY_KIND_PROFILE: "profile",
    memory_pb2.MEMORY_KIND_PATTERN: "pattern",
    memory_pb2.MEMORY_KIND_PROCEDURE: "procedure",
}


def chat_prompt(
    message: str,
    profile: Sequence[StoredFact],
    memories: Sequence[memory_pb2.Memory],
    recent: Sequence[Turn],
) -> str:
    lines = ["You are an assistant that remembers this user. Use what you know when it helps."]
    if profile:
        lines.append("What you know about the user:")
        lines.extend(f"- {fact.fact.statement}" for fact in profile)
    if memories:
        lines.append("Memories that may be relevant:")
        lines.extend(
            f"- ({_KIND_NAMES.get(m.kind, 'memory')}) {json.dumps(m.content)}" for m in memories
        )
    if recent:
        lines.append("The conversation so far:")
        lines.extend(f"{turn.role}: {json.dumps(turn.content)}" for turn in recent)
    lines.append(f"The user says: {json.dumps(message)}")
    lines.append("Answer the user briefly.")
    return "\n".join(lines)
