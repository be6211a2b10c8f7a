"""What a hit's context adds to its relevance, after fusion and before the rerank.

Conversations answer questions across turns and time: the turn beside a match often holds
the answer, a question usually names the person whose words answer it, and dates in the
question point at when things happened. Each function here sets one term of the Hit
(neighbour_term, speaker_term, temporal_term) from the hits' payloads; repeats_last then
moves hits that add nothing new below those that do. The weights are RankWeights'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from services.search.documents import turn_key
from services.search.hits import Hit

_WORD = re.compile(r"[^\W_]+")


def _place(payload: Mapping[str, Any]) -> tuple[str, int] | None:
    """A turn's session and position, or None for memories that are not turns."""
    seq = payload.get("session_seq")
    if payload.get("kind") != "MESSAGE" or not seq:
        return None
    return str(payload.get("session_id", "")), int(seq)


def missing_neighbours(hits: Mapping[str, Hit], reach: int, sources: int) -> list[str]:
    """turn_keys of the turns within reach of the best `sources` hits' turns (by fused
    score) that are not hits themselves."""
    present = {place for hit in hits.values() if (place := _place(hit.payload)) is not None}
    wanted: set[tuple[str, int]] = set()
    best = sorted(hits.values(), key=lambda hit: -hit.fused_score)[:sources]
    for hit in best:
        if (place := _place(hit.payload)) is None:
            continue
        session, seq = place
        for distance in range(1, reach + 1):
            wanted.update(((session, seq - distance), (session, seq + distance)))
    return sorted(turn_key(session, seq) for session, seq in wanted - present if seq > 0)


def spread_to_neighbours(hits: Mapping[str, Hit], weights: tuple[float, ...]) -> None:
    """Each turn's neighbour_term: the fused scores of the turns around it in its session,
    weights[d - 1] of the one d places away (hits must include those turns to count)."""
    fused = {
        place: hit.fused_score
        for hit in hits.values()
        if (place := _place(hit.payload)) is not None and hit.fused_score > 0.0
    }
    for hit in hits.values():
        if (place := _place(hit.payload)) is None:
            continue
        session, seq = place
        hit.neighbour_term = sum(
            weight * (fused.get((session, seq - d), 0.0) + fused.get((session, seq + d), 0.0))
            for d, weight in enumerate(weights, start=1)
        )


def favour_named_speaker(hits: Mapping[str, Hit], query: str, share: float) -> None:
    """speaker_term for the turns of the one speaker the query names, if it names one."""
    words = set(_WORD.findall(query.lower()))
    named = {
        speaker
        for hit in hits.values()
        if (speaker := str(hit.payload.get("speaker", "")))
        and set(_WORD.findall(speaker.lower())) <= words
    }
    if len(named) != 1:
        return
    for hit in hits.values():
        if hit.payload.get("speaker") in named:
            hit.speaker_term = share * (hit.fused_score + hit.neighbour_term)


def favour_dates(hits: Mapping[str, Hit], days: tuple[int, int], share: float) -> None:
    """temporal_term for hits whose event days fall in the query's range of days."""
    best = max((hit.relevance for hit in hits.values()), default=0.0)
    first, last = days
    for hit in hits.values():
        if any(first <= day <= last for day in hit.payload.get("event_days", ())):
            hit.temporal_term = share * best


def stale_turns(superseded: Sequence[Mapping[str, Any]], hits: Mapping[str, Hit]) -> dict[str, str]:
    """turn id -> the live memory that replaced what it said: for each superseded memory
    (payloads) whose successor is among the hits, its source turns that are hits too."""
    replaced: dict[str, str] = {}
    for payload in superseded:
        successor = str(payload.get("superseded_by", ""))
        if successor not in hits:
            continue
        for turn in payload.get("source_message_ids") or ():
            if turn in hits:
                replaced.setdefault(turn, successor)
    return replaced


def below_successors(hits: Mapping[str, Hit], replaced: Mapping[str, str]) -> None:
    """A turn that said what a later memory replaced ("I live in Paris", then the fact "User
    lives in Berlin") ranks below that memory: its relevance is capped under the
    successor's. It stays in the results, as history."""
    for turn, successor in replaced.items():
        hit, live = hits[turn], hits[successor]
        cap = 0.9 * live.relevance
        if hit.relevance > cap:
            hit.temporal_term -= hit.relevance - cap


def favour_latest(hits: Mapping[str, Hit], share: float) -> None:
    """Each hit's relevance grows with how late it became valid among the hits: by 0 for
    the earliest, by share of itself for the latest. In proportion to its own relevance, so
    that a recent memory unrelated to the query stays where it was."""
    if not hits:
        return
    starts = {
        memory_id: float(hit.payload.get("valid_from", hit.payload.get("created_at", 0.0)))
        for memory_id, hit in hits.items()
    }
    first, last = min(starts.values()), max(starts.values())
    if last - first <= 0.0:
        return
    for memory_id, hit in hits.items():
        hit.temporal_term += share * hit.relevance * (starts[memory_id] - first) / (last - first)


def repeats_last(ranked: list[Hit]) -> list[Hit]:
    """The hits that add something, in rank order, then those that repeat what ranks above
    them: a text said again in another session ("what's the best way to learn keyboard
    shortcuts?"), or a derived memory (an episode, a fact) all of whose source turns rank
    above it. Neither tells the caller anything new; on LoCoMo, episodes that only
    restated the turns above them took top-10 places from evidence."""
    texts: set[str] = set()
    ids: set[str] = set()
    new: list[Hit] = []
    repeats: list[Hit] = []
    for hit in ranked:
        text = str(hit.payload.get("content_hash", ""))
        sources = hit.payload.get("source_message_ids") or ()
        if (text and text in texts) or (sources and ids.issuperset(sources)):
            repeats.append(hit)
        else:
            new.append(hit)
        texts.add(text)
        ids.add(hit.memory_id)
    return new + repeats
