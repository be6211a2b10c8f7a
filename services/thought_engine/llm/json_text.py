"""Finding the JSON object in a model's free-text answer.

Models asked for JSON in the prompt (no server-side constraint) wrap it in prose or Markdown
code fences; this takes the first complete top-level object and ignores the rest.
"""

from __future__ import annotations

import json
import re
from typing import cast

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


class NoJSONObject(ValueError):
    """The text holds no complete JSON object."""


def first_json_object(text: str) -> dict[str, object]:
    """The first complete JSON object in `text`, looking inside code fences first."""
    candidates = [match.group(1) for match in _FENCE.finditer(text)] + [text]
    # strict=False: small models put raw newlines inside strings, which strict JSON forbids
    # though nothing is ambiguous about them.
    decoder = json.JSONDecoder(strict=False)
    for candidate in candidates:
        start = candidate.find("{")
        while start != -1:
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except json.JSONDecodeError:
                start = candidate.find("{", start + 1)
                continue
            # Decoding from a "{" can only yield an object.
            return cast(dict[str, object], value)
    raise NoJSONObject("no complete JSON object in the model's answer")
