"""Extractive EPISODE summaries: the most salient sentences of a segment, in order.

A sentence's salience combines
  - centrality: its mean cosine similarity to the segment's other sentences (degree
    centrality, the core of LexRank): what the segment keeps coming back to;
  - keyword coverage: the share of the segment's top keywords it contains;
then is damped for sentences with few content words ("Sure!") and for the assistant, whose
turns mostly restate and elaborate: what the user says is what memory is for. Sentences are
picked best-first, skipping near-repeats of one already picked, within a sentence and
character budget, and then put back in conversation order so that the summary reads as the
exchange went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from services.thought_engine.conversation import Turn
from services.thought_engine.embedding import Embed
from services.thought_engine.keyphrases import keywords
from services.thought_engine.text import content_words, sentences, stem


@dataclass(frozen=True)
class SummaryParams:
    max_sentences: int = 3
    max_chars: int = 600
    keyword_count: int = 6
    centrality_weight: float = 0.6
    assistant_weight: float = 0.5
    full_length_words: int = 5
    """Sentences with fewer content words than this score proportionally less."""
    near_repeat_similarity: float = 0.8


@dataclass(frozen=True)
class KeySentence:
    text: str
    message_id: str
    role: str
    score: float


@dataclass(frozen=True)
class EpisodeSummary:
    text: str
    key_sentences: tuple[KeySentence, ...]
    keywords: tuple[str, ...]
    source_message_ids: tuple[str, ...]
    """Every turn of the episode: its provenance, not only the quoted ones."""
    started_at: datetime
    ended_at: datetime


@dataclass(frozen=True)
class _Candidate:
    position: int
    text: str
    turn: Turn


def summarize_episode(
    turns: Sequence[Turn], embed: Embed, params: SummaryParams | None = None
) -> EpisodeSummary:
    """An extractive summary of one episode (a topic segment); `turns` must not be empty."""
    params = params or SummaryParams()
    if not turns:
        raise ValueError("an episode needs at least one turn")
    split = [(sentence, turn) for turn in turns for sentence in sentences(turn.content)]
    candidates = [_Candidate(i, sentence, turn) for i, (sentence, turn) in enumerate(split)]
    top = keywords([turn.content for turn in turns], params.keyword_count, min_count=2)
    vectors = embed([c.text for c in candidates])
    scores = _salience(candidates, vectors, {keyword.stem for keyword in top}, params)
    chosen = _pick(candidates, scores, vectors, params)
    key_sentences = tuple(
        KeySentence(c.text, c.turn.message_id, c.turn.role, round(float(scores[c.position]), 4))
        for c in sorted(chosen, key=lambda c: c.position)
    )
    return EpisodeSummary(
        text=_attributed(key_sentences),
        key_sentences=key_sentences,
        keywords=tuple(keyword.word for keyword in top),
        source_message_ids=tuple(turn.message_id for turn in turns),
        started_at=min(turn.occurred_at for turn in turns),
        ended_at=max(turn.occurred_at for turn in turns),
    )


def _attributed(key_sentences: Sequence[KeySentence]) -> str:
    """ "User: a. b. Assistant: c.": consecutive sentences of one turn share one label."""
    parts: list[str] = []
    previous_message = None
    for sentence in key_sentences:
        if sentence.message_id != previous_message:
            parts.append(f"{sentence.role.capitalize()}:")
            previous_message = sentence.message_id
        parts.append(sentence.text)
    return " ".join(parts)


def _salience(
    candidates: Sequence[_Candidate],
    vectors: np.ndarray,
    top_stems: set[str],
    params: SummaryParams,
) -> np.ndarray:
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    others = max(len(candidates) - 1, 1)
    centrality = similarity.sum(axis=1) / others
    scores = np.zeros(len(candidates), dtype=np.float64)
    for c in candidates:
        stems = {stem(word) for word in content_words(c.text)}
        coverage = len(stems & top_stems) / len(top_stems) if top_stems else 0.0
        score = (
            params.centrality_weight * float(centrality[c.position])
            + (1 - params.centrality_weight) * coverage
        )
        score *= min(1.0, len(content_words(c.text)) / params.full_length_words)
        if c.turn.role != "user":
            score *= params.assistant_weight
        scores[c.position] = score
    return scores


def _pick(
    candidates: Sequence[_Candidate],
    scores: np.ndarray,
    vectors: np.ndarray,
    params: SummaryParams,
) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    used_chars = 0
    # Stable on ties: the earlier sentence wins, which keeps the choice deterministic.
    for position in sorted(range(len(candidates)), key=lambda i: (-scores[i], i)):
        candidate = candidates[position]
        if len(chosen) >= params.max_sentences:
            break
        # Nothing salient about it (filler such as "Hi!"): only ever the lone fallback.
        if chosen and scores[position] <= 0:
            break
        # The best sentence is always kept, even alone over the budget: an episode summary
        # is never empty.
        if chosen and used_chars + len(candidate.text) > params.max_chars:
            continue
        if any(
            float(vectors[position] @ vectors[c.position]) >= params.near_repeat_similarity
            for c in chosen
        ):
            continue
        chosen.append(candidate)
        used_chars += len(candidate.text)
    return chosen
