"""The one interface the thought engine uses to ask a language model for structured output."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from services.thought_engine.llm.json_schema import JsonSchema


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class JsonRequest:
    """Ask for one JSON object matching `schema`, charged to `tenant_id`'s budget."""

    tenant_id: str
    messages: Sequence[ChatMessage]
    schema: JsonSchema
    max_tokens: int = 512
    temperature: float = 0.0
    # time.monotonic() by which the caller needs the answer (e.g. its job lease's expiry):
    # it caps every attempt's timeout and the backoff between attempts.
    deadline: float | None = None


class OutputMode(enum.Enum):
    """How the server was made to answer in JSON."""

    # OpenAI's response_format {"type": "json_schema"}: OpenAI, vLLM, llama.cpp's server.
    JSON_SCHEMA = "json_schema"
    # {"type": "json_object", "schema": ...}: llama-cpp-python's server dialect.
    JSON_OBJECT_SCHEMA = "json_object_schema"
    # The schema is only in the prompt; the answer is parsed out of free text.
    PROMPT = "prompt"


@dataclass(frozen=True)
class TokenUsage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class JsonResult:
    """A schema-valid answer and how it was obtained."""

    data: dict[str, Any]
    usage: TokenUsage
    mode: OutputMode
    attempts: int
    model: str


class LLMProvider(Protocol):
    async def complete_json(self, request: JsonRequest) -> JsonResult:
        """Returns schema-valid JSON or raises one of `llm.errors`: BudgetExceeded (nothing
        was sent), LLMTimeout, LLMUnavailable, LLMRequestRejected, InvalidJSON."""
        ...
