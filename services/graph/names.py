"""Entity keys: the case- and spacing-insensitive identity of a name within a tenant."""

from __future__ import annotations

import re
import unicodedata

# Unicode's control characters (category Cc) are exactly C0, DEL and C1; a character class
# finds them without a per-character category lookup, which dominated validating a batch.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def entity_key(name: str) -> str:
    """NFKC, casefolded, whitespace runs collapsed: "Alice  Smith" and "ALICE smith" match.

    NFKC first so that compatibility forms (full-width letters, ligatures) compare equal to
    their plain spelling; casefold rather than lower so that e.g. German sharp s matches "ss".
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def has_control_characters(text: str) -> bool:
    return _CONTROL_CHARACTER.search(text) is not None
