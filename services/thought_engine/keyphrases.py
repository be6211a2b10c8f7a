"""Keywords and keyphrases of a piece of conversation, without a model.

Keywords are stems counted across the texts, shown in their most frequent surface form.
Keyphrases follow RAKE (Rose et al., 2010): candidate phrases are runs of content words
between stopwords and punctuation; a word scores its degree (how many phrase neighbours it
has) over its frequency, and a phrase the sum of its words, which favours specific
multi-word phrases ("cherry blossom season") over frequent generic words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.thought_engine.text import STOPWORDS, content_words, stem, words

_PHRASE_BREAK = re.compile(r"[^\w\s'\u2019-]+")
_MAX_PHRASE_WORDS = 4


@dataclass(frozen=True)
class Keyword:
    stem: str
    word: str
    """The most frequent surface form of the stem."""
    count: int


@dataclass(frozen=True)
class Keyphrase:
    phrase: str
    score: float


def keywords(texts: Iterable[str], limit: int = 10, *, min_count: int = 1) -> list[Keyword]:
    """The most frequent stems (ties broken by first appearance)."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for word in content_words(text):
            key = stem(word)
            counts[key] += 1
            forms[key][word.removesuffix("'s")] += 1
    ranked = [(key, count) for key, count in counts.most_common() if count >= min_count]
    return [Keyword(key, forms[key].most_common(1)[0][0], count) for key, count in ranked[:limit]]


def keyphrases(texts: Sequence[str], limit: int = 10) -> list[Keyphrase]:
    """The best-scoring RAKE phrases, each once, highest first."""
    phrases = [phrase for text in texts for phrase in _candidates(text)]
    frequency: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    for phrase in phrases:
        for word in phrase:
            frequency[word] += 1
            degree[word] += len(phrase)
    scored: dict[str, float] = {}
    for phrase in phrases:
        scored[" ".join(phrase)] = sum(degree[word] / frequency[word] for word in phrase)
    best = sorted(scored.items(), key=lambda item: -item[1])[:limit]
    return [Keyphrase(phrase, round(score, 3)) for phrase, score in best]


def _candidates(text: str) -> list[tuple[str, ...]]:
    candidates: list[tuple[str, ...]] = []
    for chunk in _PHRASE_BREAK.split(text):
        run: list[str] = []
        for word in [*words(chunk), ""]:
            if word and word not in STOPWORDS and not word.isdigit() and len(word) > 1:
                run.append(word)
                continue
            if run and len(run) <= _MAX_PHRASE_WORDS:
                candidates.append(tuple(run))
            run = []
    return candidates
