"""Chat: answers the user from their memories through the LLM, and remembers the exchange.

The memories come from the search service and memory-store directly (not through the
gateway): hybrid retrieval over the user's memories, their profile, and the session's
short-term window. The stream opens with that context, carries the answer as it is
generated, and closes with the ids of the two messages stored in the session, whose
consolidation then runs like any other turns'. Without search the answer is built on the
profile and the session alone, and the context says so.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from memgrid.common.v1 import memory_pb2
from memgrid.thought.v1 import request_response_pb2 as tpb
from memgrid_runtime import deadlines
from memgrid_runtime.errors import DeadlineExceeded, FailedPrecondition, Unavailable

from services.thought_engine import records
from services.thought_engine.chat_prompt import chat_prompt
from services.thought_engine.llm.openai_stream import TextDelta, TextDone, TextRequest
from services.thought_engine.llm.provider import ChatMessage
from services.thought_engine.memory_store_client import MemoryStoreClient
from services.thought_engine.profile import ProfileReader
from services.thought_engine.search_client import SearchRetriever
from services.thought_engine.views import profile_entry

# Marks the two messages of one Chat call, so that a retry finds them.
CHAT_KEY = "thought.chat_key"


class TextStreamer(Protocol):
    @property
    def model(self) -> str: ...

    def stream(self, request: TextRequest) -> AsyncIterator[TextDelta | TextDone]: ...


@dataclass(frozen=True)
class ChatSettings:
    default_k: int = 8
    recent_turns: int = 6
    max_tokens: int = 256
    temperature: float = 0.7


class ChatService:
    def __init__(
        self,
        store: MemoryStoreClient,
        profiles: ProfileReader,
        search: SearchRetriever | None,
        streamer: TextStreamer | None,
        settings: ChatSettings,
    ) -> None:
        self._store = store
        self._profiles = profiles
        self._search = search
        self._streamer = streamer
        self._settings = settings

    async def chat(self, request: tpb.ChatRequest) -> AsyncIterator[tpb.ChatResponse]:
        if self._streamer is None:
            raise FailedPrecondition(
                "Chat needs an LLM: set MEMGRID_LLM_BASE_URL and MEMGRID_LLM_MODEL",
                reason="LLM_NOT_CONFIGURED",
            )
        tenant_id, scope = request.tenant_id, request.scope
        memories, degraded = await self._retrieve(
            tenant_id, scope.user_id, request.message, request.k or self._settings.default_k
        )
        profile = await self._profiles.read(tenant_id, scope.user_id)
        recent = await self._recent(tenant_id, scope)
        yield tpb.ChatResponse(
            context=tpb.ChatContext(
                memories=memories,
                profile=[profile_entry(f) for f in (*profile.own, *profile.related)],
                degraded=degraded,
            )
        )
        earlier = await self._earlier_exchange(tenant_id, scope, request.idempotency_key)
        if earlier:
            # A retry of a call that completed: its answer stands, the model is not asked
            # again (it would answer differently).
            async for response in _replayed(earlier):
                yield response
            return
        prompt = chat_prompt(
            request.message,
            (*profile.own, *profile.related),
            memories,
            [records.turn_of(m) for m in recent],
        )
        left = deadlines.remaining()
        text_request = TextRequest(
            tenant_id=tenant_id,
            messages=[ChatMessage("user", prompt)],
            max_tokens=self._settings.max_tokens,
            temperature=self._settings.temperature,
            deadline=None if left is None else time.monotonic() + left,
        )
        pieces: list[str] = []
        done: TextDone | None = None
        async for event in self._streamer.stream(text_request):
            if isinstance(event, TextDelta):
                pieces.append(event.text)
                yield tpb.ChatResponse(delta=event.text)
            else:
                done = event
        answer = "".join(pieces).strip()
        stored = await self._remember(tenant_id, scope, request, answer)
        yield tpb.ChatResponse(
            completed=tpb.ChatCompleted(
                answer=answer,
                user_message_id=stored[0].id,
                assistant_message_id=stored[1].id if len(stored) > 1 else "",
                model=done.model if done else self._streamer.model,
                prompt_tokens=done.usage.prompt_tokens if done else 0,
                completion_tokens=done.usage.completion_tokens if done else 0,
            )
        )

    async def _earlier_exchange(
        self, tenant_id: str, scope: memory_pb2.Scope, idempotency_key: str
    ) -> list[memory_pb2.Memory]:
        if not idempotency_key:
            return []
        found = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=scope.user_id,
                session_id=scope.session_id,
                kinds=[memory_pb2.MEMORY_KIND_MESSAGE],
                metadata={CHAT_KEY: idempotency_key},
            ),
        )
        return sorted(found, key=lambda m: m.session_seq)

    async def _retrieve(
        self, tenant_id: str, user_id: str, query: str, k: int
    ) -> tuple[list[memory_pb2.Memory], list[str]]:
        if self._search is None:
            return [], ["search"]
        try:
            ids = await self._search.search(tenant_id, user_id, query, k)
        except (Unavailable, DeadlineExceeded):
            return [], ["search"]
        return await self._store.batch_get(tenant_id, ids) if ids else [], []

    async def _recent(self, tenant_id: str, scope: memory_pb2.Scope) -> list[memory_pb2.Memory]:
        window = await self._store.list_all(
            tenant_id,
            memory_pb2.MemoryFilter(
                user_id=scope.user_id,
                session_id=scope.session_id,
                kinds=[memory_pb2.MEMORY_KIND_MESSAGE],
                tiers=[memory_pb2.MEMORY_TIER_SHORT],
            ),
        )
        window.sort(key=lambda m: m.session_seq)
        return window[-self._settings.recent_turns :] if self._settings.recent_turns else []

    async def _remember(
        self, tenant_id: str, scope: memory_pb2.Scope, request: tpb.ChatRequest, answer: str
    ) -> list[memory_pb2.Memory]:
        metadata = {CHAT_KEY: request.idempotency_key} if request.idempotency_key else {}
        messages = [
            memory_pb2.NewMessage(
                role=memory_pb2.ROLE_USER, content=request.message, metadata=metadata
            )
        ]
        # A model that said nothing leaves nothing to store: a message needs content.
        if answer:
            messages.append(
                memory_pb2.NewMessage(
                    role=memory_pb2.ROLE_ASSISTANT, content=answer, metadata=metadata
                )
            )
        key = f"chat:{request.idempotency_key}" if request.idempotency_key else ""
        return await self._store.append_messages(tenant_id, scope, messages, idempotency_key=key)


async def _replayed(exchange: list[memory_pb2.Memory]) -> AsyncIterator[tpb.ChatResponse]:
    user = exchange[0]
    answers = [m for m in exchange[1:] if m.role == memory_pb2.ROLE_ASSISTANT]
    answer = answers[0].content if answers else ""
    if answer:
        yield tpb.ChatResponse(delta=answer)
    yield tpb.ChatResponse(
        completed=tpb.ChatCompleted(
            answer=answer,
            user_message_id=user.id,
            assistant_message_id=answers[0].id if answers else "",
        )
    )
