"""The streaming text provider's failures, typed so that Chat reports the right status.

Streaming from the real server is exercised by the Chat servicer test; these cases need no
model: nothing listening, a server that never answers, and a spent budget.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.errors import BudgetExceeded, LLMTimeout, LLMUnavailable
from services.thought_engine.llm.openai_chat import OpenAIChatSettings
from services.thought_engine.llm.openai_stream import OpenAIChatStreamer, TextRequest
from services.thought_engine.llm.provider import ChatMessage

REQUEST = TextRequest("t1", [ChatMessage("user", "Where do I live?")], max_tokens=16)


def streamer(
    base_url: str, budget: TokenBudget | None = None, **overrides: Any
) -> OpenAIChatStreamer:
    settings = dataclasses.replace(
        OpenAIChatSettings(base_url, "gemma-3-270m", backoff_initial_seconds=0.01), **overrides
    )
    return OpenAIChatStreamer(settings, budget or TokenBudget(10_000))


async def test_a_server_nobody_runs_is_unavailable_after_the_attempts(closed_port_url: str) -> None:
    client = streamer(closed_port_url, max_attempts=2)

    with pytest.raises(LLMUnavailable, match="LLM unreachable: ConnectError") as caught:
        _ = [event async for event in client.stream(REQUEST)]

    assert caught.value.attempts == 2
    await client.aclose()


async def test_a_server_that_never_answers_times_out(silent_llm_url: str) -> None:
    budget = TokenBudget(10_000)
    client = streamer(silent_llm_url, budget, timeout_seconds=0.3)

    with pytest.raises(LLMTimeout):
        _ = [event async for event in client.stream(REQUEST)]

    # Nothing came back, so nothing is charged and the reservation is released.
    assert (budget.used("t1"), budget.remaining("t1")) == (0, 10_000)
    await client.aclose()


async def test_a_spent_budget_refuses_before_sending_anything(closed_port_url: str) -> None:
    client = streamer(closed_port_url, TokenBudget(10))

    with pytest.raises(BudgetExceeded):
        _ = [event async for event in client.stream(REQUEST)]

    await client.aclose()
