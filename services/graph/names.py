"""Entity keys: the case- and spacing-insensitive identity of a name within a tenant."""

from __future__ import annotations

import unicodedata


def entity_key(name: str) -> str:
    """NFKC, casefolded, whitespace runs collapsed: "Alice  Smith" and "ALICE smith" match.

    NFKC first so that compatibility forms (full-width letters, ligatures) compare equal to
    their plain spelling; casefold rather than lower so that e.g. German sharp s matches "ss".
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)
