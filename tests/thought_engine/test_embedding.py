from __future__ import annotations

import numpy as np
import pytest

from services.thought_engine.embedding import HashedBagOfWords
from services.thought_engine.text import content_words, sentences, stem


def test_rows_are_unit_length_or_zero() -> None:
    vectors = HashedBagOfWords(256)(["Flights to Tokyo in April", "ok", ""])

    assert vectors.shape == (3, 256)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0)
    assert not vectors[1].any() and not vectors[2].any()


def test_shared_vocabulary_means_similarity() -> None:
    a, b, c = HashedBagOfWords()(
        ["Booking flights to Tokyo", "I booked a flight to Tokyo", "Fresh pasta with sage butter"]
    )

    assert float(a @ b) > 0.5  # booking/booked and flights/flight share stems
    assert abs(float(a @ c)) < 0.1


def test_same_text_same_vector_in_any_order_of_calls() -> None:
    embed = HashedBagOfWords()
    first = embed(["cherry blossom season"])[0]
    embed(["something else entirely"])

    assert np.array_equal(first, HashedBagOfWords()(["cherry blossom season"])[0])


def test_too_few_dimensions_are_refused() -> None:
    with pytest.raises(ValueError):
        HashedBagOfWords(8)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("flights", "flight"),
        ("running", "run"),
        ("calling", "call"),
        ("stories", "story"),
        ("spring", "spring"),
        ("speed", "speed"),
        ("bus", "bus"),
        ("sister's", "sister"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_content_words_and_sentences() -> None:
    assert content_words("I'm planning a trip to Japan in 2025!") == ["planning", "trip", "japan"]
    assert sentences("Hi. I live in Paris! Do you?\nnew line") == [
        "Hi.",
        "I live in Paris!",
        "Do you?",
        "new line",
    ]
