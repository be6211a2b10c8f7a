"""The LLM path of extraction and summaries, and its degradation to the deterministic path.

The LLM cases run against the real local server (see conftest.llm_base_url); those that
degrade before any call (budget, unreachable server) need no server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from services.thought_engine.embedding import HashedBagOfWords
from services.thought_engine.fact_patterns import extract_facts
from services.thought_engine.facts import ATTRIBUTES
from services.thought_engine.llm.budget import TokenBudget
from services.thought_engine.llm.openai_chat import OpenAIChatProvider, OpenAIChatSettings
from services.thought_engine.llm.provider import OutputMode
from services.thought_engine.llm_pipeline import CognitionPath, CognitionPipeline, PipelineParams
from services.thought_engine.summarize import SummaryParams, summarize_episode
from services.thought_engine.text import normalise
from tests.thought_engine.conversations import conversation

EMBED = HashedBagOfWords()
# Short answers keep the suite fast: llama-cpp-python checks a schema's grammar against
# Gemma's whole 262k-token vocabulary for every token, and a request the client gave up on
# (the timeout cases) still runs to max_tokens, holding the server's one slot.
PARAMS = PipelineParams(
    max_facts=1,
    facts_max_tokens=64,
    summary=SummaryParams(max_chars=80),
    summary_max_tokens=48,
)
TURNS = conversation(
    [
        ("user", "I live in Paris."),
        ("assistant", "Paris is lovely."),
        ("user", "My sister works at Google."),
    ]
)
DETERMINISTIC_FACTS = tuple(extract_facts(TURNS))

PipelineFactory = Callable[..., CognitionPipeline]


@pytest.fixture
async def make_pipeline() -> AsyncIterator[PipelineFactory]:
    providers: list[OpenAIChatProvider] = []

    def make(
        base_url: str, budget: int = 100_000, params: PipelineParams = PARAMS, **overrides: Any
    ) -> CognitionPipeline:
        settings = dataclasses.replace(OpenAIChatSettings(base_url, "gemma-3-270m"), **overrides)
        provider = OpenAIChatProvider(settings, TokenBudget(budget))
        providers.append(provider)
        return CognitionPipeline(EMBED, provider, params)

    yield make
    for provider in providers:
        await provider.aclose()


async def test_facts_through_the_llm_cite_real_messages_and_say_what_they_cite(
    llm_base_url: str, make_pipeline: PipelineFactory
) -> None:
    pipeline = make_pipeline(llm_base_url, timeout_seconds=110.0, max_attempts=1)

    outcome = await pipeline.extract_facts("t1", TURNS)

    assert outcome.path is CognitionPath.LLM
    assert outcome.reason.startswith("llm gemma-3-270m (json_object_schema, 1 attempt(s), ")
    user_turns = {t.message_id: t for t in TURNS if t.role == "user"}
    for fact in outcome.value:
        (message_id,) = fact.source_message_ids
        assert message_id in user_turns
        assert normalise(fact.value) in normalise(user_turns[message_id].content)
        assert fact.attribute in ATTRIBUTES
        assert fact.observed_at == user_turns[message_id].occurred_at
        assert fact.confidence == 0.6


async def test_an_episode_summary_through_the_llm_keeps_full_provenance(
    llm_base_url: str, make_pipeline: PipelineFactory
) -> None:
    pipeline = make_pipeline(
        llm_base_url, output_modes=(OutputMode.JSON_OBJECT_SCHEMA,), timeout_seconds=110.0
    )

    outcome = await pipeline.summarize("t1", TURNS)

    assert outcome.path is CognitionPath.LLM
    summary = outcome.value
    assert 1 <= len(summary.text) <= 80
    assert 1 <= len(summary.key_sentences) <= PARAMS.summary.max_sentences
    by_id = {t.message_id: t for t in TURNS}
    for key in summary.key_sentences:
        assert key.text == by_id[key.message_id].content
    assert summary.source_message_ids == ("m1", "m2", "m3")
    assert (summary.started_at, summary.ended_at) == (TURNS[0].occurred_at, TURNS[-1].occurred_at)


async def test_invalid_json_degrades_to_the_patterns(
    llm_base_url: str, make_pipeline: PipelineFactory
) -> None:
    # A JSON answer cut off by max_tokens is invalid JSON like any other.
    pipeline = make_pipeline(
        llm_base_url,
        output_modes=(OutputMode.JSON_OBJECT_SCHEMA,),
        params=dataclasses.replace(PARAMS, facts_max_tokens=4),
    )

    outcome = await pipeline.extract_facts("t1", TURNS)

    assert outcome.path is CognitionPath.DETERMINISTIC
    assert outcome.reason.startswith("LLM_INVALID_JSON: LLM answer is not JSON: cut off by ")
    assert outcome.reason.endswith("; deterministic path ran instead")
    assert outcome.value == DETERMINISTIC_FACTS
    assert [(f.attribute, f.value) for f in outcome.value] == [
        ("lives_in", "Paris"),
        ("works_at", "Google"),
    ]


async def test_a_timeout_degrades_the_summary_to_the_extractive_one(
    llm_base_url: str, make_pipeline: PipelineFactory
) -> None:
    pipeline = make_pipeline(
        llm_base_url, output_modes=(OutputMode.PROMPT,), timeout_seconds=0.05, max_attempts=1
    )

    outcome = await pipeline.summarize("t1", TURNS)

    assert outcome.path is CognitionPath.DETERMINISTIC
    assert outcome.reason.startswith("LLM_TIMEOUT: ")
    assert outcome.value == summarize_episode(TURNS, EMBED, PARAMS.summary)


async def test_a_spent_budget_degrades_without_calling(
    closed_port_url: str, make_pipeline: PipelineFactory
) -> None:
    pipeline = make_pipeline(closed_port_url, budget=10)

    facts = await pipeline.extract_facts("t1", TURNS)
    summary = await pipeline.summarize("t1", TURNS)

    assert facts.path is summary.path is CognitionPath.DETERMINISTIC
    assert facts.reason.startswith("LLM_BUDGET_EXCEEDED: tenant 't1' needs up to ")
    assert summary.reason.startswith("LLM_BUDGET_EXCEEDED: ")
    assert facts.value == DETERMINISTIC_FACTS


async def test_an_unreachable_llm_degrades(
    closed_port_url: str, make_pipeline: PipelineFactory
) -> None:
    pipeline = make_pipeline(closed_port_url, max_attempts=2, backoff_initial_seconds=0.01)

    outcome = await pipeline.extract_facts("t1", TURNS)

    assert outcome.path is CognitionPath.DETERMINISTIC
    assert outcome.reason.startswith("LLM_UNAVAILABLE: LLM unavailable after 2 attempt(s)")


async def test_without_an_llm_every_step_is_deterministic() -> None:
    pipeline = CognitionPipeline(EMBED)

    facts = await pipeline.extract_facts("t1", TURNS)
    summary = await pipeline.summarize("t1", TURNS)

    assert (facts.path, facts.reason) == (CognitionPath.DETERMINISTIC, "no LLM configured")
    assert facts.value == DETERMINISTIC_FACTS
    assert summary.value == summarize_episode(TURNS, EMBED)


async def test_no_user_turns_means_no_llm_call(
    closed_port_url: str, make_pipeline: PipelineFactory
) -> None:
    pipeline = make_pipeline(closed_port_url)

    outcome = await pipeline.extract_facts("t1", [t for t in TURNS if t.role == "assistant"])

    assert (outcome.value, outcome.reason) == ((), "no user turns to read")
