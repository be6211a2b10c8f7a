"""PATTERN candidates across a user's sessions, each with the messages that evidence it.

  - recurring topics: a word among a session's top keywords in at least `min_sessions`
    sessions;
  - co-occurring entities: two entities mentioned in the same session, in at least
    `min_sessions` sessions;
  - habits: sessions (all of them, or those on one recurring topic) concentrated in one
    part of the day or on one weekday, in the user's time zone: at least `min_sessions` of
    them and at least `habit_share` of the sessions considered.
Only the user's turns count for topics: the assistant's words are not the user's habits.
A candidate's `key` is stable across runs, so a stored PATTERN can be updated, not repeated.
"""

from __future__ import annotations

import enum
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from services.thought_engine.conversation import Turn
from services.thought_engine.entities import Entity
from services.thought_engine.facts import USER
from services.thought_engine.keyphrases import keywords
from services.thought_engine.text import content_words, stem


class PatternKind(enum.Enum):
    RECURRING_TOPIC = "RECURRING_TOPIC"
    CO_OCCURRING_ENTITIES = "CO_OCCURRING_ENTITIES"
    TIME_OF_DAY_HABIT = "TIME_OF_DAY_HABIT"
    WEEKDAY_HABIT = "WEEKDAY_HABIT"


@dataclass(frozen=True)
class PatternCandidate:
    kind: PatternKind
    key: str
    description: str
    support: int
    """Sessions that show the pattern."""
    confidence: float
    """support / the sessions it was looked for in."""
    evidence_message_ids: tuple[str, ...]


@dataclass(frozen=True)
class PatternParams:
    min_sessions: int = 3
    habit_share: float = 0.6
    topics_per_session: int = 5
    timezone: tzinfo = UTC


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class _Session:
    id: str
    started_at: datetime
    user_turns: tuple[Turn, ...]
    topics: dict[str, str]
    """Stem -> surface word of the session's top keywords."""


def detect_patterns(
    turns: Sequence[Turn],
    entities: Sequence[Entity] = (),
    params: PatternParams | None = None,
) -> list[PatternCandidate]:
    params = params or PatternParams()
    sessions = _sessions(turns, params)
    topics = _recurring_topics(sessions, params)
    candidates = [_topic_candidate(topic, len(sessions)) for topic in topics]
    candidates += _co_occurring_entities(sessions, turns, entities, params)
    candidates += _habits(sessions, "activity", "User is usually active", params)
    for topic in topics:
        candidates += _habits(
            topic.sessions, f"topic:{topic.stem}", f"User talks about {topic.word}", params
        )
    return candidates


@dataclass(frozen=True)
class _Topic:
    stem: str
    word: str
    sessions: list[_Session]


def _sessions(turns: Sequence[Turn], params: PatternParams) -> list[_Session]:
    by_session: dict[str, list[Turn]] = defaultdict(list)
    for turn in turns:
        by_session[turn.session_id].append(turn)
    sessions = []
    for session_id, session_turns in by_session.items():
        user_turns = tuple(t for t in session_turns if t.role == "user")
        top = keywords([t.content for t in user_turns], params.topics_per_session)
        sessions.append(
            _Session(
                id=session_id,
                started_at=min(t.occurred_at for t in session_turns),
                user_turns=user_turns,
                topics={k.stem: k.word for k in top},
            )
        )
    return sorted(sessions, key=lambda s: s.started_at)


def _recurring_topics(sessions: Sequence[_Session], params: PatternParams) -> list[_Topic]:
    counts = Counter(topic for session in sessions for topic in session.topics)
    topics = []
    for topic_stem, support in counts.most_common():
        if support < params.min_sessions:
            break
        with_topic = [s for s in sessions if topic_stem in s.topics]
        word = Counter(s.topics[topic_stem] for s in with_topic).most_common(1)[0][0]
        topics.append(_Topic(topic_stem, word, with_topic))
    return topics


def _topic_candidate(topic: _Topic, session_count: int) -> PatternCandidate:
    evidence = tuple(
        turn.message_id
        for session in topic.sessions
        for turn in session.user_turns
        if topic.stem in {stem(word) for word in content_words(turn.content)}
    )
    support = len(topic.sessions)
    return PatternCandidate(
        PatternKind.RECURRING_TOPIC,
        f"topic:{topic.stem}",
        f"Recurring topic: {topic.word} ({support} of {session_count} sessions)",
        support,
        round(support / session_count, 3),
        evidence,
    )


def _co_occurring_entities(
    sessions: Sequence[_Session],
    turns: Sequence[Turn],
    entities: Sequence[Entity],
    params: PatternParams,
) -> list[PatternCandidate]:
    session_of = {turn.message_id: turn.session_id for turn in turns}
    mentions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entity in entities:
        if entity.name == USER:
            continue
        for message_id in entity.source_message_ids:
            if message_id in session_of:
                mentions[session_of[message_id]][entity.name].append(message_id)
    pair_sessions: dict[tuple[str, str], list[str]] = defaultdict(list)
    for session in sessions:
        names = sorted(mentions[session.id], key=str.casefold)
        for pair in itertools.combinations(names, 2):
            pair_sessions[pair].append(session.id)
    candidates = []
    for (first, second), session_ids in sorted(pair_sessions.items(), key=lambda i: -len(i[1])):
        if len(session_ids) < params.min_sessions:
            continue
        evidence = tuple(
            dict.fromkeys(
                message_id
                for session_id in session_ids
                for name in (first, second)
                for message_id in mentions[session_id][name]
            )
        )
        candidates.append(
            PatternCandidate(
                PatternKind.CO_OCCURRING_ENTITIES,
                f"entities:{first.casefold()}|{second.casefold()}",
                f"{first} and {second} come up together ({len(session_ids)} sessions)",
                len(session_ids),
                round(len(session_ids) / len(sessions), 3),
                evidence,
            )
        )
    return candidates


def _habits(
    sessions: Sequence[_Session], subject_key: str, subject: str, params: PatternParams
) -> list[PatternCandidate]:
    candidates = []
    for kind, when in (
        (PatternKind.TIME_OF_DAY_HABIT, _part_of_day),
        (PatternKind.WEEKDAY_HABIT, _weekday),
    ):
        slots = Counter(when(s.started_at.astimezone(params.timezone)) for s in sessions)
        if not slots:
            continue
        slot, support = slots.most_common(1)[0]
        share = support / len(sessions)
        if support < params.min_sessions or share < params.habit_share:
            continue
        matching = [s for s in sessions if when(s.started_at.astimezone(params.timezone)) == slot]
        candidates.append(
            PatternCandidate(
                kind,
                f"{kind.value.lower()}:{subject_key}:{slot.lower()}",
                f"{subject} {_phrase(kind, slot)} ({support} of {len(sessions)} sessions)",
                support,
                round(share, 3),
                _first_user_turns(matching),
            )
        )
    return candidates


def _part_of_day(moment: datetime) -> str:
    hour = moment.hour
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


def _weekday(moment: datetime) -> str:
    return _WEEKDAYS[moment.weekday()]


def _phrase(kind: PatternKind, slot: str) -> str:
    if kind is PatternKind.WEEKDAY_HABIT:
        return f"on {slot}s"
    return "at night" if slot == "night" else f"in the {slot}"


def _first_user_turns(sessions: Iterable[_Session]) -> tuple[str, ...]:
    return tuple(s.user_turns[0].message_id for s in sessions if s.user_turns)
