"""OpenAIChatProvider against a real OpenAI-compatible server (llama-cpp-python + Gemma 3 270M).

The model is a 270M-parameter base model: decoding constrained by a schema gives valid JSON,
and free text asked for JSON gives junk, which is exactly what the malformed-JSON cases need.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.errors import (
    BudgetExceeded,
    InvalidJSON,
    LLMRequestRejected,
    LLMTimeout,
    LLMUnavailable,
)
from services.thought_engine.llm.json_schema import JsonSchema
from services.thought_engine.llm.openai_chat import OpenAIChatProvider, OpenAIChatSettings
from services.thought_engine.llm.provider import ChatMessage, JsonRequest, OutputMode

CITY = JsonSchema(
    "city",
    {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 40}},
        "required": ["city"],
        "additionalProperties": False,
    },
)
MODEL = "gemma-3-270m"


def city_request(tenant_id: str = "t1", max_tokens: int = 24) -> JsonRequest:
    return JsonRequest(
        tenant_id=tenant_id,
        messages=[ChatMessage("user", "Which city does the user live in? User: I live in Paris.")],
        schema=CITY,
        max_tokens=max_tokens,
    )


ProviderFactory = Callable[..., OpenAIChatProvider]


@pytest.fixture
async def make_provider() -> AsyncIterator[ProviderFactory]:
    providers: list[OpenAIChatProvider] = []

    def make(
        base_url: str, budget: TokenBudget | None = None, **overrides: Any
    ) -> OpenAIChatProvider:
        settings = dataclasses.replace(OpenAIChatSettings(base_url, MODEL), **overrides)
        provider = OpenAIChatProvider(settings, budget or TokenBudget(100_000))
        providers.append(provider)
        return provider

    yield make
    for provider in providers:
        await provider.aclose()


async def test_schema_valid_json_from_the_first_mode_the_server_accepts_and_keeps(
    llm_base_url: str, make_provider: ProviderFactory
) -> None:
    budget = TokenBudget(100_000)
    provider = make_provider(llm_base_url, budget)

    result = await provider.complete_json(city_request())

    # llama-cpp-python refuses OpenAI's json_schema response_format and takes its own
    # json_object + schema dialect, which constrains decoding to the schema.
    assert result.mode is OutputMode.JSON_OBJECT_SCHEMA
    assert provider.mode is OutputMode.JSON_OBJECT_SCHEMA
    assert CITY.violations(result.data) == []
    assert "paris" in result.data["city"].lower()
    assert result.attempts == 1
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert budget.used("t1") == result.usage.total_tokens
    assert budget.remaining("t1") == 100_000 - result.usage.total_tokens

    # The provider stays with the accepted mode: the next answer is schema-constrained from
    # the first attempt, so when max_tokens cuts it off it is the start of a JSON object.
    with pytest.raises(InvalidJSON) as caught:
        await provider.complete_json(city_request(max_tokens=3))
    assert caught.value.finish_reason == "length"
    assert "max_tokens" in caught.value.message
    assert caught.value.raw_text.startswith("{")


async def test_a_server_that_takes_none_of_the_modes_rejects_the_request(
    llm_base_url: str, make_provider: ProviderFactory
) -> None:
    budget = TokenBudget(100_000)
    provider = make_provider(llm_base_url, budget, output_modes=(OutputMode.JSON_SCHEMA,))

    with pytest.raises(LLMRequestRejected) as caught:
        await provider.complete_json(city_request())

    # llama-cpp-python answers 500 to a response_format it does not know; no retry helps.
    assert caught.value.status_code == 500
    assert "response_format" in caught.value.message
    assert budget.used("t1") == 0


async def test_free_text_junk_is_invalid_json_and_still_charged(
    llm_base_url: str, make_provider: ProviderFactory
) -> None:
    budget = TokenBudget(100_000)
    provider = make_provider(llm_base_url, budget, output_modes=(OutputMode.PROMPT,))

    with pytest.raises(InvalidJSON) as caught:
        await provider.complete_json(city_request(max_tokens=12))

    assert caught.value.reason == "LLM_INVALID_JSON"
    assert caught.value.raw_text
    assert budget.used("t1") > 0


async def test_slow_answer_is_a_typed_timeout_after_every_attempt(
    llm_base_url: str, make_provider: ProviderFactory
) -> None:
    provider = make_provider(
        llm_base_url,
        output_modes=(OutputMode.PROMPT,),
        timeout_seconds=0.05,
        max_attempts=2,
        backoff_initial_seconds=0.01,
    )

    with pytest.raises(LLMTimeout) as caught:
        await provider.complete_json(city_request(max_tokens=16))

    assert caught.value.attempts == 2
    assert caught.value.metadata["attempts"] == "2"


async def test_budget_exceeded_is_raised_before_any_call(
    closed_port_url: str, make_provider: ProviderFactory
) -> None:
    budget = TokenBudget(1_000, limits={"small": 30})
    provider = make_provider(closed_port_url, budget, max_attempts=1)

    with pytest.raises(BudgetExceeded) as caught:
        await provider.complete_json(city_request(tenant_id="small"))

    assert caught.value.tenant_id == "small"
    assert caught.value.limit == 30
    assert caught.value.needed > 30
    assert budget.remaining("small") == 30
    # The same call for a tenant with budget does reach the (closed) port, so the first one
    # was stopped before it: the budget check never costs a round trip.
    with pytest.raises(LLMUnavailable):
        await provider.complete_json(city_request(tenant_id="large"))
    assert budget.remaining("large") == 1_000


async def test_unreachable_server_is_retried_with_backoff_then_unavailable(
    closed_port_url: str,
) -> None:
    delays: list[float] = []

    async def recording_sleep(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(seconds)

    provider = OpenAIChatProvider(
        OpenAIChatSettings(
            base_url=closed_port_url, model=MODEL, max_attempts=3, backoff_initial_seconds=0.02
        ),
        TokenBudget(10_000),
        sleep=recording_sleep,
    )
    try:
        with pytest.raises(LLMUnavailable) as caught:
            await provider.complete_json(city_request())
    finally:
        await provider.aclose()

    assert caught.value.attempts == 3
    assert len(delays) == 2
    assert 0.01 <= delays[0] <= 0.02
    assert 0.02 <= delays[1] <= 0.04


async def test_a_passed_deadline_times_out_without_calling(
    closed_port_url: str, make_provider: ProviderFactory
) -> None:
    provider = make_provider(closed_port_url)
    request = JsonRequest(
        tenant_id="t1",
        messages=[ChatMessage("user", "hi")],
        schema=CITY,
        deadline=time.monotonic() - 1,
    )

    with pytest.raises(LLMTimeout) as caught:
        await provider.complete_json(request)

    assert caught.value.attempts == 0
