"""BM25-style sparse vectors: the keyword half of hybrid retrieval.

A document's vector holds, per term, BM25's saturated term frequency
tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len)); the IDF factor is applied by the
vector index at query time (Qdrant's IDF modifier), so it always reflects the live corpus.
A query's vector holds 1 per distinct term, making the dot product exactly BM25.

Term ids are the first four bytes of a BLAKE2b hash of the term: deterministic across
processes and machines (Python's hash() is salted) and with no vocabulary to keep in sync.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# Function words carry no topic; dropping them keeps vectors small and scores meaningful.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "d",
        "ll",
        "m",
        "re",
        "ve",
    ]
)


def stem(token: str) -> str:
    """A conservative suffix stripper: plurals and common verb endings.

    Enough to match "meetings" with "meeting" or "moved" with "move"-"moving" stems, without
    Porter's aggressive merges that hurt precision on short conversational texts.
    """
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("sses"):
        return token[:-2]
    if token.endswith("ing") and len(token) > 5:
        return token[:-3]
    if token.endswith("ed") and len(token) > 4:
        return token[:-2]
    if token.endswith("es") and token[-3] in "sxz" and len(token) > 4:
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    if token.endswith("e") and len(token) > 3:
        # "move" and "moved"/"moving" meet at "mov".
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without stopwords."""
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


def term_id(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "little")


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


@dataclass(frozen=True)
class SparseEncoder:
    k1: float = 1.2
    b: float = 0.75
    # Typical memory length in tokens (after stopword removal); conversational turns and
    # extracted facts are short.
    avg_len: float = 12.0

    def encode_document(self, text: str) -> SparseVector:
        counts = Counter(tokenize(text))
        length = sum(counts.values())
        norm = self.k1 * (1.0 - self.b + self.b * length / self.avg_len)
        weights: dict[int, float] = {}
        for term, tf in counts.items():
            # Two terms hashing to one id (rare at 2^32) simply add up.
            tid = term_id(term)
            weights[tid] = weights.get(tid, 0.0) + tf * (self.k1 + 1.0) / (tf + norm)
        return _sorted_vector(weights)

    def encode_query(self, text: str) -> SparseVector:
        return _sorted_vector({term_id(term): 1.0 for term in set(tokenize(text))})


def _sorted_vector(weights: dict[int, float]) -> SparseVector:
    indices = sorted(weights)
    return SparseVector(indices=indices, values=[weights[i] for i in indices])
