"""BM25-style sparse vectors."""

from __future__ import annotations

import subprocess
import sys

from services.search.sparse import SparseEncoder, term_id, tokenize


def test_tokenize_lowercases_drops_stopwords_and_stems() -> None:
    assert tokenize("The Meetings were moved to Friday!") == ["meet", "move", "friday"]
    assert tokenize("I'm going to the dentist's") == ["go", "dentist"]
    assert tokenize("") == []
    assert tokenize("Zürich café 2024") == ["zürich", "café", "2024"]


def one_stem(word: str) -> str:
    (stemmed,) = tokenize(word)
    return stemmed


def test_stemming_joins_inflections_but_not_unrelated_words() -> None:
    assert one_stem("moving") == one_stem("moved") == one_stem("move")
    assert one_stem("paintings") == one_stem("painted") == one_stem("paint")
    assert one_stem("cities") == one_stem("city")
    assert one_stem("boxes") == one_stem("box")
    assert one_stem("news") != one_stem("new")
    assert one_stem("bus") != one_stem("busy")


def test_term_ids_are_deterministic_across_processes() -> None:
    # Python's hash() is salted per process; the index must not depend on it.
    code = "from services.search.sparse import term_id; print(term_id('lisbon'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(other.stdout) == term_id("lisbon")
    assert 0 <= term_id("lisbon") < 2**32


def test_document_weights_saturate_and_penalise_length() -> None:
    encoder = SparseEncoder()
    once = encoder.encode_document("lisbon")
    thrice = encoder.encode_document("lisbon lisbon lisbon")
    assert once.indices == thrice.indices == [term_id("lisbon")]
    assert once.values[0] < thrice.values[0] < 3 * once.values[0]
    assert thrice.values[0] < encoder.k1 + 1.0
    short = encoder.encode_document("anna lives in lisbon")
    long = encoder.encode_document("anna lives in lisbon " + "with many other words here " * 5)
    lisbon = term_id("lisbon")
    assert short.values[short.indices.index(lisbon)] > long.values[long.indices.index(lisbon)]


def test_query_vector_is_binary_and_sorted() -> None:
    query = SparseEncoder().encode_query("where does anna live, anna?")
    assert query.values == [1.0] * len(query.indices)
    assert query.indices == sorted(query.indices)
    assert len(query.indices) == 2  # "anna", "live"
    assert not SparseEncoder().encode_query("what is it")


def test_encoding_is_deterministic() -> None:
    encoder = SparseEncoder()
    text = "Remind me to call the plumber about the leaking kitchen sink"
    assert encoder.encode_document(text) == encoder.encode_document(text)
