"""FACT and PROFILE facts in what the user says, found by first-person cue patterns.

Only the user's own turns are read: an assistant saying "you live in Paris" is not
evidence. Each sentence is matched against cue patterns ("I live in X", "I moved to X",
"my sister works at Y", "I'm allergic to Z", "I prefer ...", "my name is ..."). The cue
must follow its subject directly, allowing only a few adverbs in between ("I just moved
to"), which is what keeps "I don't live in Paris", "I used to live in Rome", "if I lived in
Oslo" and "I'd like to move to Lima" from producing facts; questions are skipped too. The
value is cut at the first clause boundary ("with", "since", "because", a comma ...) and
rejected when it is a pronoun or too long to be a value rather than a clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.thought_engine.conversation import Turn
from services.thought_engine.facts import RELATIVE_ROLES, USER, Fact
from services.thought_engine.text import normalise, sentences

_ADVERBS = r"(?:\s+(?:just|recently|now|currently|finally|also|still|actually|really|mostly))*"
_RELATIVES = "|".join(RELATIVE_ROLES)
_OCCUPATIONS = (
    r"engineer|developer|programmer|teacher|nurse|doctor|physician|surgeon|lawyer|designer|"
    r"student|accountant|chef|cook|writer|author|scientist|researcher|manager|architect|"
    r"pharmacist|journalist|consultant|dentist|musician|artist|photographer|electrician|"
    r"plumber|farmer|pilot|firefighter|paramedic|professor|analyst|translator|veterinarian"
)
_I = r"\b(?:I|we)" + _ADVERBS
_I_AM = r"\b(?:I'm|I am|we're|we are)" + _ADVERBS
# "my sister", "my sister Anna", "my sister, Anna,": the name must be capitalised.
_RELATIVE = rf"\bmy\s+(?P<relation>{_RELATIVES})(?:,?\s+(?-i:(?P<person>[A-Z][a-z]+)),?)?"
_VALUE = r"\s+(?P<value>.+)"

_CLAUSE_BOUNDARY = re.compile(
    r"\s*[,;:()\u2014]|\s+(?:because|since|but|with|for|when|where|who|which|that|so|as|now|"
    r"currently|anymore|these days|at the moment|though|although|while|after|before|until|"
    r"from|last|next|this|in (?:19|20)\d\d|over|rather than|instead of)\b",
    re.IGNORECASE,
)
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:a|an|the|some|fluent|my)\s+", re.IGNORECASE)
# A value starting with one of these is a pronoun or a clause ("I love it here"), not a
# thing the user can be said to like, live in or work at.
_PRONOUN_TEXT = """
it that this them him her me you us myself yourself home there here everything nothing something
anything everyone someone stuff people what how when where
"""
_NOT_A_VALUE_START = frozenset(_PRONOUN_TEXT.split())
_PROPER_NOUN_ATTRIBUTES = frozenset({"name", "lives_in", "works_at", "speaks"})
_MAX_VALUE_WORDS = 5


@dataclass(frozen=True)
class _Cue:
    attribute: str
    pattern: re.Pattern[str]
    confidence: float = 0.9
    many: bool = False
    """The value may be a list ("peanuts, shellfish and dairy"): one fact per item."""


def _cue(attribute: str, pattern: str, confidence: float = 0.9, many: bool = False) -> _Cue:
    return _Cue(attribute, re.compile(pattern, re.IGNORECASE), confidence, many)


_CUES = (
    _cue("name", r"\bmy name is" + _VALUE),
    _cue("name", r"\b(?:I'm|I am) called" + _VALUE),
    _cue("name", rf"{_RELATIVE}(?:'s name is|\s+is (?:called|named))" + _VALUE),
    _cue("lives_in", rf"{_I}\s+(?:live|reside) in" + _VALUE),
    _cue("lives_in", rf"{_I_AM}\s+(?:living|residing|based) in" + _VALUE),
    _cue("lives_in", rf"{_I}(?:'ve| have)?{_ADVERBS}\s+(?:moved|relocated)(?: back)? to" + _VALUE),
    _cue("lives_in", rf"{_RELATIVE}{_ADVERBS}\s+(?:lives|live|resides) in" + _VALUE),
    _cue(
        "lives_in",
        rf"{_RELATIVE}(?:\s+has)?{_ADVERBS}\s+(?:moved|relocated)(?: back)? to" + _VALUE,
    ),
    _cue("works_at", rf"{_I}\s+work (?:at|for)" + _VALUE),
    _cue("works_at", rf"{_I_AM}\s+working (?:at|for)" + _VALUE),
    # Only a capitalised name after "joined": "I joined a gym" is not an employer.
    _cue(
        "works_at",
        rf"{_I}(?:'ve| have)?{_ADVERBS}\s+joined\s+(?-i:(?P<value>[A-Z].*))",
        confidence=0.8,
    ),
    _cue("works_at", rf"{_RELATIVE}{_ADVERBS}\s+(?:works|is working) (?:at|for)" + _VALUE),
    _cue("occupation", rf"{_I}\s+work as an?" + _VALUE),
    _cue("occupation", rf"{_I_AM}\s+an?\s+(?P<value>(?:\w+\s+)?(?:{_OCCUPATIONS}))\b"),
    _cue(
        "occupation",
        rf"{_RELATIVE}\s+(?:is an?|works as an?)\s+(?P<value>(?:\w+\s+)?(?:{_OCCUPATIONS}))\b",
    ),
    _cue("age", r"\b(?:I'm|I am)\s+(?P<value>\d{1,3})\s+(?:years old|years of age|yo)\b"),
    _cue("age", rf"{_I}\s+turned\s+(?P<value>\d{{1,3}})\b", confidence=0.8),
    _cue("birthday", r"\bmy birthday is(?: on)?" + _VALUE),
    _cue("diet", rf"{_I_AM}\s+(?:an?\s+)?(?P<value>vegetarian|vegan|pescatarian)\b"),
    _cue("allergic_to", rf"{_I_AM}\s+allergic to" + _VALUE, many=True),
    _cue("allergic_to", rf"{_I}\s+have an?\s+(?:\w+\s+)?allergy to" + _VALUE, many=True),
    _cue("allergic_to", rf"{_RELATIVE}\s+is allergic to" + _VALUE, many=True),
    _cue("prefers", rf"{_I}\s+(?:prefer|would rather have)" + _VALUE, many=True),
    _cue("likes", rf"{_I}\s+(?:like|love|enjoy|adore)" + _VALUE, confidence=0.7, many=True),
    _cue(
        "dislikes",
        rf"{_I}\s+(?:(?:don't|do not){_ADVERBS}\s+(?:like|enjoy)|hate|dislike|can't stand|"
        r"cannot stand|detest)" + _VALUE,
        confidence=0.7,
        many=True,
    ),
    _cue("speaks", rf"{_I}\s+speak" + _VALUE, confidence=0.8, many=True),
    _cue(
        "has_pet",
        rf"{_I}\s+(?:have|own)\s+an?\s+(?P<value>(?:dog|cat|puppy|kitten|parrot|rabbit|"
        r"hamster|horse|bird)(?:\s+(?:named|called)\s+(?-i:[A-Z]\w+))?)",
        many=False,
    ),
)


def extract_facts(turns: Iterable[Turn]) -> list[Fact]:
    """Facts the user states about themselves (PROFILE) and the people around them (FACT),
    in conversation order, each once per message."""
    facts: list[Fact] = []
    for turn in turns:
        if turn.role != "user":
            continue
        seen: set[tuple[str, str, str]] = set()
        for sentence in sentences(turn.content.replace("\u2019", "'")):
            if sentence.endswith("?"):
                continue
            for fact in _sentence_facts(sentence, turn):
                key = (fact.subject, fact.attribute, normalise(fact.value))
                if key not in seen:
                    seen.add(key)
                    facts.append(fact)
    return facts


def _sentence_facts(sentence: str, turn: Turn) -> list[Fact]:
    facts: list[Fact] = []
    for cue in _CUES:
        for match in cue.pattern.finditer(sentence):
            groups = match.groupdict()
            relation = groups.get("relation")
            subject = f"{USER}'s {relation.lower()}" if relation else USER
            for value in _values(match.group("value"), cue):
                facts.append(_fact(subject, cue.attribute, value, turn, cue.confidence))
            person = groups.get("person")
            if relation and person and cue.attribute != "name":
                facts.append(_fact(subject, "name", person, turn, cue.confidence))
    return facts


def _fact(subject: str, attribute: str, value: str, turn: Turn, confidence: float) -> Fact:
    return Fact(
        subject=subject,
        attribute=attribute,
        value=value,
        source_message_ids=(turn.message_id,),
        observed_at=turn.occurred_at,
        confidence=confidence,
    )


def _values(raw: str, cue: _Cue) -> list[str]:
    text = raw.strip().rstrip(".!")
    if cue.attribute in ("prefers", "likes", "dislikes"):
        text = re.sub(r"^to\s+", "", text, flags=re.IGNORECASE)
    boundary = _CLAUSE_BOUNDARY.search(text)
    if cue.many:
        # A list's commas separate items, so only a word boundary ends it.
        boundary = _first_word_boundary(text)
    if boundary:
        text = text[: boundary.start()]
    items = _LIST_SEPARATOR.split(text) if cue.many else [re.split(r"\s+and\s+", text)[0]]
    return [value for item in items if (value := _clean(item, cue.attribute))]


def _first_word_boundary(text: str) -> re.Match[str] | None:
    for match in _CLAUSE_BOUNDARY.finditer(text):
        if match.group().strip() not in {",", ";"}:
            return match
    return None


def _clean(item: str, attribute: str) -> str | None:
    value = _ARTICLE.sub("", item.strip(" \t'\"")).strip()
    words = value.split()
    if not words or len(words) > _MAX_VALUE_WORDS or words[0].lower() in _NOT_A_VALUE_START:
        return None
    if attribute in _PROPER_NOUN_ATTRIBUTES and value.islower():
        value = " ".join(word.capitalize() for word in words)
    return value
