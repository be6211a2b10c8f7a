"""Word-level text handling shared by the deterministic cognition modules."""

from __future__ import annotations

import re

# Function words and chat filler: frequent in every conversation, so they say nothing
# about its topic.
_STOPWORD_TEXT = """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each few for from further get got had hadn't has hasn't
have haven't having he he'd he'll he's her here here's hers herself him himself his how
how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most
mustn't my myself no nor not now of off on once only or other ought our ours ourselves out
over own really same shan't she she'd she'll she's should shouldn't so some such than that
that's the their theirs them themselves then there there's these they they'd they'll
they're they've this those through to too under until up very was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's which while who who's whom
why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
yourselves yes yeah ok okay oh hi hello hey thanks thank please sure well still maybe
something anything thing things lot lots kind much many one two really actually great
good nice cool right like want wants wanted know think going go gonna need needs say said
tell told make made take took see saw let way also even back
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_VOWEL = re.compile(r"[aeiouy]")
_SUFFIXES = (("ies", "y", 5), ("sses", "ss", 5), ("ing", "", 6), ("ed", "", 5), ("s", "", 4))


def words(text: str) -> list[str]:
    """Lower-cased word tokens; apostrophes stay inside words (don't, sister's)."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def content_words(text: str) -> list[str]:
    """Words that carry topic: no stopwords, no single characters, no bare numbers."""
    return [
        word
        for word in words(text)
        if len(word) > 1 and word not in STOPWORDS and not word.isdigit()
    ]


def stem(word: str) -> str:
    """A deliberately light suffix stripper: merges plurals and -ing/-ed forms of one word
    (flights/flight, cooking/cook) without the aggressive conflation of Porter."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, replacement, min_length in _SUFFIXES:
        if len(word) < min_length or not word.endswith(suffix):
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            return word
        if suffix == "ed" and word.endswith("eed"):
            return word
        stemmed = word[: -len(suffix)] + replacement
        # A stem needs a vowel: "spring" is not "spr" + "ing".
        if not _VOWEL.search(stemmed):
            return word
        # running -> runn -> run, but calling -> call stays: Porter's rule for l, s and z.
        if suffix in ("ing", "ed") and stemmed[-1] == stemmed[-2] and stemmed[-1] not in "lsz":
            stemmed = stemmed[:-1]
        return stemmed
    return word


def sentences(text: str) -> list[str]:
    """Sentences of a turn, split at terminal punctuation and line breaks."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def normalise(text: str) -> str:
    """Case-folded words joined by single spaces: the form values are compared in."""
    return " ".join(words(text))
