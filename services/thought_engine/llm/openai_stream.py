"""Free-text answers streamed from an OpenAI-compatible chat server (Chat's answers).

The request is `chat/completions` with "stream": true; the server answers with server-sent
events whose `choices[0].delta.content` pieces are yielded as they arrive. The same
per-tenant TokenBudget as the JSON provider applies: the worst case is reserved before the
call and settled to the server's reported usage (or an estimate, when the server reports
none in stream mode). Connection failures, 429 and 5xx are retried until the first piece
arrives; after that a failure ends the stream with the typed error, since the caller has
already shown part of the answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.errors import (
    InvalidJSON,
    LLMError,
    LLMRequestRejected,
    LLMTimeout,
    LLMUnavailable,
)
from services.thought_engine.llm.openai_chat import OpenAIChatSettings, estimate_prompt_tokens
from services.thought_engine.llm.provider import ChatMessage, TokenUsage

log = logging.getLogger(__name__)

_CHARS_PER_TOKEN = 3


@dataclass(frozen=True)
class TextRequest:
    tenant_id: str
    messages: Sequence[ChatMessage]
    max_tokens: int = 256
    temperature: float = 0.7
    deadline: float | None = None
    """time.monotonic() by which the whole answer must have arrived."""


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class TextDone:
    usage: TokenUsage
    """As the server reported it, or estimated when it reports none in stream mode."""
    model: str
    finish_reason: str


class OpenAIChatStreamer:
    def __init__(self, settings: OpenAIChatSettings, budget: TokenBudget) -> None:
        self._settings = settings
        self._budget = budget
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._client = httpx.AsyncClient(base_url=settings.base_url, headers=headers)

    @property
    def model(self) -> str:
        return self._settings.model

    async def aclose(self) -> None:
        await self._client.aclose()

    async def stream(self, request: TextRequest) -> AsyncIterator[TextDelta | TextDone]:
        """Yields the answer's pieces, then one TextDone; raises one of `llm.errors`."""
        prompt_tokens = estimate_prompt_tokens(request.messages)
        reservation = self._budget.reserve(request.tenant_id, prompt_tokens + request.max_tokens)
        answer: list[str] = []
        used = 0
        try:
            async for event in self._events(request):
                if isinstance(event, TextDelta):
                    answer.append(event.text)
                    yield event
                    continue
                if event.usage.total_tokens == 0:
                    estimate = len("".join(answer)) // _CHARS_PER_TOKEN + 1
                    event = TextDone(
                        TokenUsage(prompt_tokens, estimate), event.model, event.finish_reason
                    )
                used = event.usage.total_tokens
                yield event
        finally:
            if not used and answer:
                used = prompt_tokens + len("".join(answer)) // _CHARS_PER_TOKEN + 1
            reservation.settle(used)

    async def _events(self, request: TextRequest) -> AsyncIterator[TextDelta | TextDone]:
        body = {
            "model": self._settings.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }
        started = False
        for attempt in range(1, self._settings.max_attempts + 1):
            timeout = _remaining(request.deadline, self._settings.timeout_seconds)
            try:
                async with self._client.stream(
                    "POST", "chat/completions", json=body, timeout=timeout
                ) as response:
                    await _raise_for_status(response, attempt)
                    async for event in _server_events(response, self._settings.model):
                        started = True
                        if request.deadline is not None and time.monotonic() > request.deadline:
                            raise LLMTimeout("the answer ran past the deadline", attempts=attempt)
                        yield event
                    return
            except httpx.TimeoutException:
                raise LLMTimeout(
                    f"no answer from the LLM within {timeout:.1f}s", attempts=attempt
                ) from None
            except (LLMUnavailable, httpx.TransportError) as error:
                failure = error if isinstance(error, LLMError) else _unavailable(error, attempt)
                # Once part of the answer went out, a retry would repeat it.
                if started or attempt >= self._settings.max_attempts:
                    raise failure from None
                log.warning("LLM stream attempt %d failed: %s", attempt, failure.message)
                await asyncio.sleep(min(self._settings.backoff_initial_seconds * attempt, 2.0))


async def _raise_for_status(response: httpx.Response, attempt: int) -> None:
    if response.status_code < 400:
        return
    detail = (await response.aread()).decode(errors="replace")[:500].replace("\n", " ")
    if response.status_code == 429 or response.status_code >= 500:
        raise LLMUnavailable(f"HTTP {response.status_code}: {detail}", attempts=attempt)
    raise LLMRequestRejected(
        f"LLM server refused the request: HTTP {response.status_code}: {detail}",
        status_code=response.status_code,
    )


async def _server_events(
    response: httpx.Response, default_model: str
) -> AsyncIterator[TextDelta | TextDone]:
    usage = TokenUsage(0, 0)
    model = default_model
    finish_reason = ""
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue
        data = line.removeprefix("data:").strip()
        if data == "[DONE]":
            break
        chunk = _chunk(data)
        model = str(chunk.get("model") or model)
        if isinstance(chunk.get("usage"), dict):
            usage = TokenUsage(
                int(chunk["usage"].get("prompt_tokens", 0)),
                int(chunk["usage"].get("completion_tokens", 0)),
            )
        for choice in chunk.get("choices") or []:
            finish_reason = choice.get("finish_reason") or finish_reason
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                yield TextDelta(piece)
    # Zero usage means "not reported"; the streamer estimates it then.
    yield TextDone(usage, model, finish_reason)


def _chunk(data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError as error:
        raise InvalidJSON(
            f"the LLM server's stream has an unreadable event: {error}",
            raw_text=data[:2000],
            finish_reason="",
        ) from None
    if not isinstance(chunk, dict):
        raise InvalidJSON("a stream event is not an object", raw_text=data[:2000], finish_reason="")
    return chunk


def _unavailable(error: httpx.TransportError, attempt: int) -> LLMUnavailable:
    return LLMUnavailable(f"LLM unreachable: {type(error).__name__}: {error}", attempts=attempt)


def _remaining(deadline: float | None, timeout_seconds: float) -> float:
    if deadline is None:
        return timeout_seconds
    return max(0.0, min(timeout_seconds, deadline - time.monotonic()))
