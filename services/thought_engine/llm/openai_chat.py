"""LLMProvider over the OpenAI-compatible chat API (POST {base_url}/chat/completions).

Works with OpenAI, vLLM, Ollama, llama.cpp's and llama-cpp-python's servers. Servers differ
in how they take a JSON schema, so the provider tries the configured output modes in order
and stays with the first one the server accepts: a server that rejects a mode answers with
an error naming `response_format` (llama-cpp-python even answers 500 for it), which moves
the provider to the next mode without costing an attempt. Whatever the mode, the answer is
parsed and validated against the schema here.

Failures are typed (llm.errors): transport errors, timeouts, 429 and 5xx are retried with
capped exponential backoff and jitter up to `max_attempts`; other 4xx are not; neither is
an invalid answer, since temperature-0 decoding would repeat it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.errors import (
    InvalidJSON,
    LLMRequestRejected,
    LLMTimeout,
    LLMUnavailable,
)
from services.thought_engine.llm.json_schema import JsonSchema
from services.thought_engine.llm.json_text import NoJSONObject, first_json_object
from services.thought_engine.llm.provider import (
    ChatMessage,
    JsonRequest,
    JsonResult,
    OutputMode,
    TokenUsage,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

_ALL_MODES = (OutputMode.JSON_SCHEMA, OutputMode.JSON_OBJECT_SCHEMA, OutputMode.PROMPT)
# Generous on purpose: the estimate only reserves budget, and settling charges the real usage.
_CHARS_PER_TOKEN = 3
_TOKENS_PER_MESSAGE = 4


@dataclass(frozen=True)
class OpenAIChatSettings:
    base_url: str
    """Up to and including the API version, e.g. http://127.0.0.1:8080/v1."""
    model: str
    api_key: str | None = None
    timeout_seconds: float = 30.0
    max_attempts: int = 3
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 8.0
    output_modes: tuple[OutputMode, ...] = _ALL_MODES

    def __post_init__(self) -> None:
        if not self.base_url or not self.model:
            raise ValueError("base_url and model are required")
        if self.timeout_seconds <= 0 or self.max_attempts < 1 or not self.output_modes:
            raise ValueError("timeout_seconds > 0, max_attempts >= 1 and an output mode needed")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OpenAIChatSettings | None:
        """None when MEMGRID_LLM_BASE_URL is unset (no LLM: the deterministic path runs)."""
        base_url = env.get("MEMGRID_LLM_BASE_URL", "")
        if not base_url:
            return None
        mode = env.get("MEMGRID_LLM_OUTPUT_MODE", "auto")
        try:
            modes = _ALL_MODES if mode == "auto" else (OutputMode(mode),)
            return cls(
                base_url=base_url,
                model=env.get("MEMGRID_LLM_MODEL", ""),
                api_key=env.get("MEMGRID_LLM_API_KEY") or None,
                timeout_seconds=_parsed(env, "MEMGRID_LLM_TIMEOUT_SECONDS", "30", float),
                max_attempts=_parsed(env, "MEMGRID_LLM_MAX_ATTEMPTS", "3", int),
                output_modes=modes,
            )
        except ValueError as error:
            raise ValueError(f"bad MEMGRID_LLM_* settings: {error}") from error


def _parsed(env: Mapping[str, str], name: str, default: str, parse: Callable[[str], T]) -> T:
    raw = env.get(name, default)
    try:
        return parse(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


@dataclass(frozen=True)
class _Answer:
    text: str
    finish_reason: str
    usage: TokenUsage
    model: str


class _ModeRejected(Exception):
    """The server does not take this output mode's response_format."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class OpenAIChatProvider:
    def __init__(
        self,
        settings: OpenAIChatSettings,
        budget: TokenBudget,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._budget = budget
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._client = httpx.AsyncClient(base_url=settings.base_url, headers=headers)
        self._sleep = sleep
        self._mode_index = 0

    @property
    def mode(self) -> OutputMode:
        """The output mode the next call starts with (the first one the server accepted)."""
        return self._settings.output_modes[self._mode_index]

    async def aclose(self) -> None:
        await self._client.aclose()

    async def complete_json(self, request: JsonRequest) -> JsonResult:
        # The longest prompt any mode sends (the schema spelled out) bounds the reservation.
        longest = _with_json_instruction(request.messages, request.schema, OutputMode.PROMPT)
        reservation = self._budget.reserve(
            request.tenant_id, estimate_prompt_tokens(longest) + request.max_tokens
        )
        used = 0
        try:
            answer, mode, attempts = await self._answer(request)
            used = answer.usage.total_tokens
            data = _parse(answer, request.schema)
            return JsonResult(data, answer.usage, mode, attempts, answer.model)
        finally:
            reservation.settle(used)

    async def _answer(self, request: JsonRequest) -> tuple[_Answer, OutputMode, int]:
        while True:
            index = self._mode_index
            mode = self._settings.output_modes[index]
            try:
                answer, attempts = await self._with_retries(request, mode)
                return answer, mode, attempts
            except _ModeRejected as rejected:
                if index + 1 >= len(self._settings.output_modes):
                    raise LLMRequestRejected(
                        f"LLM server takes none of the output modes: {rejected.detail}",
                        status_code=rejected.status_code,
                    ) from rejected
                # Concurrent calls may all see the rejection; the mode moves on only once.
                if self._mode_index == index:
                    self._mode_index = index + 1
                    log.info("LLM server rejected %s output; using %s", mode.value, self.mode.value)

    async def _with_retries(
        self,
        request: JsonRequest,
        mode: OutputMode,
    ) -> tuple[_Answer, int]:
        body = _request_body(self._settings.model, request, mode)
        max_attempts = self._settings.max_attempts
        attempts, timed_out, problem = 0, False, ""
        for attempt in range(1, max_attempts + 1):
            timeout = self._attempt_timeout(request.deadline)
            if timeout is None:
                timed_out, problem = True, "the caller's deadline passed"
                break
            attempts = attempt
            try:
                return await self._post(body, timeout), attempt
            except httpx.TimeoutException:
                timed_out, problem = True, f"no answer within {timeout:.2f}s"
            except httpx.TransportError as error:
                timed_out, problem = False, f"{type(error).__name__}: {error}"
            except _Retryable as error:
                timed_out, problem = False, str(error)
            log.warning("LLM attempt %d/%d failed: %s", attempt, max_attempts, problem)
            if attempt < max_attempts:
                await self._back_off(attempt, request.deadline)
        if timed_out:
            raise LLMTimeout(
                f"LLM timed out after {attempts} attempt(s): {problem}", attempts=attempts
            )
        raise LLMUnavailable(
            f"LLM unavailable after {attempts} attempt(s): {problem}", attempts=attempts
        )

    def _attempt_timeout(self, deadline: float | None) -> float | None:
        if deadline is None:
            return self._settings.timeout_seconds
        remaining = deadline - time.monotonic()
        return min(self._settings.timeout_seconds, remaining) if remaining > 0 else None

    async def _back_off(self, attempt: int, deadline: float | None) -> None:
        ceiling = min(
            self._settings.backoff_max_seconds,
            self._settings.backoff_initial_seconds * 2 ** (attempt - 1),
        )
        # Half fixed, half jitter: retries of many workers spread out but never collapse to 0.
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        if deadline is not None:
            delay = min(delay, max(0.0, deadline - time.monotonic()))
        await self._sleep(delay)

    async def _post(self, body: dict[str, Any], timeout: float) -> _Answer:
        response = await self._client.post("chat/completions", json=body, timeout=timeout)
        status = response.status_code
        if status < 400:
            return _read_answer(response, self._settings.model)
        # A server that does not know a response_format says so with 400, 422 or even 500
        # (llama-cpp-python); only the next mode can help, not a retry.
        if "response_format" in body and "response_format" in response.text:
            raise _ModeRejected(status, _error_text(response))
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}: {_error_text(response)}")
        raise LLMRequestRejected(
            f"LLM server refused the request: HTTP {status}: {_error_text(response)}",
            status_code=status,
        )


class _Retryable(Exception):
    """An HTTP answer (429, 5xx) that a later attempt may not get."""


def _with_json_instruction(
    messages: Sequence[ChatMessage], schema: JsonSchema, mode: OutputMode
) -> list[ChatMessage]:
    # Only the prompt mode needs the schema spelled out; the others enforce it server-side,
    # where a long prompt would only cost time. The instruction joins the last user turn
    # rather than a system message: some chat templates (Gemma's among them) drop those.
    instruction = "\n\nAnswer with only a JSON object."
    if mode is OutputMode.PROMPT:
        instruction = (
            "\n\nAnswer with only a JSON object, no prose, matching this JSON Schema:\n"
            + json.dumps(schema.schema, separators=(",", ":"))
        )
    result = list(messages)
    for index in range(len(result) - 1, -1, -1):
        if result[index].role == "user":
            result[index] = ChatMessage("user", result[index].content + instruction)
            return result
    return [*result, ChatMessage("user", instruction.strip())]


def _request_body(model: str, request: JsonRequest, mode: OutputMode) -> dict[str, Any]:
    messages = _with_json_instruction(request.messages, request.schema, mode)
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    schema = dict(request.schema.schema)
    if mode is OutputMode.JSON_SCHEMA:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": request.schema.name, "schema": schema, "strict": True},
        }
    elif mode is OutputMode.JSON_OBJECT_SCHEMA:
        body["response_format"] = {"type": "json_object", "schema": schema}
    return body


def _read_answer(response: httpx.Response, default_model: str) -> _Answer:
    try:
        payload = response.json()
        choice = payload["choices"][0]
        text = choice["message"].get("content") or ""
        finish_reason = choice.get("finish_reason") or ""
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise InvalidJSON(
            f"the LLM server's reply is not a chat completion: {error!r}",
            raw_text=response.text[:2000],
            finish_reason="",
        ) from error
    usage = payload.get("usage") or {}
    return _Answer(
        text=text,
        finish_reason=finish_reason,
        usage=TokenUsage(
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
        ),
        model=str(payload.get("model") or default_model),
    )


def _parse(answer: _Answer, schema: JsonSchema) -> dict[str, Any]:
    truncated = answer.finish_reason == "length"
    try:
        data = first_json_object(answer.text)
    except NoJSONObject as error:
        why = "cut off by max_tokens before the JSON closed" if truncated else str(error)
        raise InvalidJSON(
            f"LLM answer is not JSON: {why}",
            raw_text=answer.text,
            finish_reason=answer.finish_reason,
        ) from error
    violations = schema.violations(data)
    if violations:
        raise InvalidJSON(
            f"LLM answer does not match schema {schema.name!r}: {'; '.join(violations[:5])}",
            raw_text=answer.text,
            finish_reason=answer.finish_reason,
        )
    return data


def estimate_prompt_tokens(messages: Sequence[ChatMessage]) -> int:
    """A generous token count for a prompt, for budget reservations."""
    return sum(len(m.content) // _CHARS_PER_TOKEN + _TOKENS_PER_MESSAGE for m in messages)


def _error_text(response: httpx.Response) -> str:
    return response.text[:500].replace("\n", " ")
