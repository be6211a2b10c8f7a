"""Fact extraction and episode summaries through the LLM, degrading to the deterministic path.

Each step asks the LLMProvider for JSON under a schema built from the input itself: message
ids are an enum of the ids actually given, attributes the fact catalogue, subjects the user
or a known relative, so a schema-valid answer can only cite real messages. The answer is then
checked against the text (a fact's value must occur in the message it cites), and what fails
is dropped and counted. When there is no LLM, or it times out, is unavailable, answers with
invalid JSON or the tenant's budget is spent, the deterministic modules run instead. Every
outcome says which path ran and why, for the job's note.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from services.thought_engine.conversation import Turn
from services.thought_engine.embedding import Embed
from services.thought_engine.fact_patterns import extract_facts
from services.thought_engine.facts import ATTRIBUTES, RELATIVE_ROLES, USER, Fact
from services.thought_engine.keyphrases import keywords
from services.thought_engine.llm.errors import LLMError
from services.thought_engine.llm.json_schema import JsonSchema
from services.thought_engine.llm.provider import ChatMessage, JsonRequest, JsonResult, LLMProvider
from services.thought_engine.summarize import (
    EpisodeSummary,
    KeySentence,
    SummaryParams,
    summarize_episode,
)
from services.thought_engine.text import normalise

_SUBJECTS = [USER, *(f"{USER}'s {role}" for role in RELATIVE_ROLES)]
LLM_FACT_CONFIDENCE = 0.6
"""Below the explicit cue patterns: a reading by a model is weaker evidence than a cue."""


class CognitionPath(enum.Enum):
    LLM = "llm"
    DETERMINISTIC = "deterministic"


T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T
    path: CognitionPath
    reason: str
    degraded: bool = False
    """An LLM was configured but failed, so the deterministic path stood in for it."""


@dataclass(frozen=True)
class PipelineParams:
    max_facts: int = 16
    facts_max_tokens: int = 800
    summary: SummaryParams = field(default_factory=SummaryParams)
    summary_max_tokens: int = 256


class CognitionPipeline:
    def __init__(
        self, embed: Embed, llm: LLMProvider | None = None, params: PipelineParams | None = None
    ) -> None:
        self._embed = embed
        self._llm = llm
        self._params = params or PipelineParams()

    async def extract_facts(
        self, tenant_id: str, turns: Sequence[Turn], *, deadline: float | None = None
    ) -> Outcome[tuple[Fact, ...]]:
        user_turns = [turn for turn in turns if turn.role == "user"]
        if self._llm is None or not user_turns:
            why = "no LLM configured" if self._llm is None else "no user turns to read"
            return Outcome(tuple(extract_facts(turns)), CognitionPath.DETERMINISTIC, why)
        request = JsonRequest(
            tenant_id=tenant_id,
            messages=[ChatMessage("user", _facts_prompt(user_turns))],
            schema=_facts_schema(user_turns, self._params.max_facts),
            max_tokens=self._params.facts_max_tokens,
            deadline=deadline,
        )
        try:
            result = await self._llm.complete_json(request)
        except LLMError as error:
            facts = tuple(extract_facts(turns))
            return Outcome(facts, CognitionPath.DETERMINISTIC, _degraded(error), degraded=True)
        facts, dropped = _facts_from_answer(result.data, user_turns)
        reason = _llm_ok(result) + (f"; dropped {dropped} unsupported fact(s)" if dropped else "")
        return Outcome(facts, CognitionPath.LLM, reason)

    async def summarize(
        self, tenant_id: str, turns: Sequence[Turn], *, deadline: float | None = None
    ) -> Outcome[EpisodeSummary]:
        if self._llm is None:
            summary = summarize_episode(turns, self._embed, self._params.summary)
            return Outcome(summary, CognitionPath.DETERMINISTIC, "no LLM configured")
        request = JsonRequest(
            tenant_id=tenant_id,
            messages=[ChatMessage("user", _summary_prompt(turns, self._params.summary))],
            schema=_summary_schema(turns, self._params.summary),
            max_tokens=self._params.summary_max_tokens,
            deadline=deadline,
        )
        try:
            result = await self._llm.complete_json(request)
        except LLMError as error:
            summary = summarize_episode(turns, self._embed, self._params.summary)
            return Outcome(summary, CognitionPath.DETERMINISTIC, _degraded(error), degraded=True)
        if not str(result.data["summary"]).strip():
            # Schema-valid yet empty: a memory needs content, so the extractive one stands in.
            summary = summarize_episode(turns, self._embed, self._params.summary)
            reason = "LLM_BLANK_SUMMARY: the summary was only whitespace; deterministic path ran"
            return Outcome(summary, CognitionPath.DETERMINISTIC, reason, degraded=True)
        return Outcome(
            _summary_from_answer(result.data, turns, self._params.summary),
            CognitionPath.LLM,
            _llm_ok(result),
        )


def _facts_schema(user_turns: Sequence[Turn], max_facts: int) -> JsonSchema:
    fact = {
        "type": "object",
        "properties": {
            "subject": {"type": "string", "enum": _SUBJECTS},
            "attribute": {"type": "string", "enum": sorted(ATTRIBUTES)},
            "value": {"type": "string"},
            "message_id": {"type": "string", "enum": [t.message_id for t in user_turns]},
        },
        "required": ["subject", "attribute", "value", "message_id"],
        "additionalProperties": False,
    }
    return JsonSchema(
        "facts",
        {
            "type": "object",
            "properties": {"facts": {"type": "array", "items": fact, "maxItems": max_facts}},
            "required": ["facts"],
            "additionalProperties": False,
        },
    )


def _facts_prompt(user_turns: Sequence[Turn]) -> str:
    return (
        "List the facts the user states about themselves or about people close to them. "
        "Use only these attributes: " + ", ".join(sorted(ATTRIBUTES)) + ". Each fact names "
        "the id of the message that states it. Messages:\n" + _transcript(user_turns)
    )


def _facts_from_answer(
    data: dict[str, Any], user_turns: Sequence[Turn]
) -> tuple[tuple[Fact, ...], int]:
    by_id = {turn.message_id: turn for turn in user_turns}
    facts: list[Fact] = []
    dropped = 0
    for item in data["facts"]:
        turn = by_id[item["message_id"]]
        value = str(item["value"]).strip()
        # The schema guarantees a real message id, not that the message says this.
        if not value or normalise(value) not in normalise(turn.content):
            dropped += 1
            continue
        fact = Fact(
            subject=item["subject"],
            attribute=item["attribute"],
            value=value,
            source_message_ids=(turn.message_id,),
            observed_at=turn.occurred_at,
            confidence=LLM_FACT_CONFIDENCE,
        )
        if fact not in facts:
            facts.append(fact)
    return tuple(facts), dropped


def _summary_schema(turns: Sequence[Turn], params: SummaryParams) -> JsonSchema:
    ids = [turn.message_id for turn in turns]
    return JsonSchema(
        "episode_summary",
        {
            "type": "object",
            "properties": {
                "summary": {"type": "string", "minLength": 1, "maxLength": params.max_chars},
                "key_message_ids": {
                    "type": "array",
                    "items": {"type": "string", "enum": ids},
                    "minItems": 1,
                    "maxItems": params.max_sentences,
                },
            },
            "required": ["summary", "key_message_ids"],
            "additionalProperties": False,
        },
    )


def _summary_prompt(turns: Sequence[Turn], params: SummaryParams) -> str:
    return (
        f"Summarise this conversation in at most {params.max_sentences} sentences, keeping "
        "what matters to remember about the user, and give the ids of the key messages. "
        "Messages:\n" + _transcript(turns)
    )


def _summary_from_answer(
    data: dict[str, Any], turns: Sequence[Turn], params: SummaryParams
) -> EpisodeSummary:
    by_id = {turn.message_id: turn for turn in turns}
    key_ids = list(dict.fromkeys(data["key_message_ids"]))
    return EpisodeSummary(
        text=str(data["summary"]).strip(),
        key_sentences=tuple(KeySentence(by_id[i].content, i, by_id[i].role, 1.0) for i in key_ids),
        keywords=tuple(
            k.word for k in keywords([t.content for t in turns], params.keyword_count, min_count=2)
        ),
        source_message_ids=tuple(turn.message_id for turn in turns),
        started_at=min(turn.occurred_at for turn in turns),
        ended_at=max(turn.occurred_at for turn in turns),
    )


def _transcript(turns: Sequence[Turn]) -> str:
    # JSON-quoted content: a message cannot break out of its line and pose as another one.
    return "\n".join(
        f"[{turn.message_id}] {turn.role}: {json.dumps(turn.content)}" for turn in turns
    )


def _llm_ok(result: JsonResult) -> str:
    return (
        f"llm {result.model} ({result.mode.value}, {result.attempts} attempt(s), "
        f"{result.usage.total_tokens} tokens)"
    )


def _degraded(error: LLMError) -> str:
    return f"{error.reason}: {error.message}; deterministic path ran instead"
