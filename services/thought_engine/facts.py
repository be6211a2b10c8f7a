"""What a FACT or PROFILE memory asserts, and the catalogue of attributes it may use.

A fact is a (subject, attribute, value) triple with provenance. Attributes are a closed
catalogue because reconciliation depends on knowing their cardinality: a user lives in one
place at a time (a new value supersedes the old) but can be allergic to many things (a new
value is added). Facts about the user are PROFILE memories; facts about anyone else are FACT.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

USER = "user"
"""The subject that means the person talking to the agent."""

RELATIVE_ROLES = (
    "best friend", "friend", "mother", "mom", "mum", "father", "dad", "sister", "brother",
    "wife", "husband", "partner", "son", "daughter", "girlfriend", "boyfriend", "fiance",
    "fiancee", "cousin", "aunt", "uncle", "grandmother", "grandma", "grandfather", "grandpa",
    "niece", "nephew", "boss", "manager", "roommate", "colleague", "coworker",
)  # fmt: skip
"""People a fact may be about besides the user, as the subject "user's <role>"."""


class FactKind(enum.Enum):
    FACT = "FACT"
    PROFILE = "PROFILE"


@dataclass(frozen=True)
class AttributeSpec:
    name: str
    template: str
    """Renders the statement, e.g. "{subject} lives in {value}."."""
    single_valued: bool
    opposite: str | None = None
    """An attribute that contradicts this one for the same value (likes / dislikes)."""


ATTRIBUTES: dict[str, AttributeSpec] = {
    spec.name: spec
    for spec in (
        AttributeSpec("name", "{subject} is called {value}.", single_valued=True),
        AttributeSpec("lives_in", "{subject} lives in {value}.", single_valued=True),
        AttributeSpec("works_at", "{subject} works at {value}.", single_valued=True),
        AttributeSpec("occupation", "{subject}'s occupation is {value}.", single_valued=True),
        AttributeSpec("age", "{subject} is {value} years old.", single_valued=True),
        AttributeSpec("birthday", "{subject}'s birthday is {value}.", single_valued=True),
        AttributeSpec("diet", "{subject} is {value}.", single_valued=True),
        AttributeSpec("allergic_to", "{subject} is allergic to {value}.", single_valued=False),
        AttributeSpec("prefers", "{subject} prefers {value}.", single_valued=False),
        AttributeSpec(
            "likes", "{subject} likes {value}.", single_valued=False, opposite="dislikes"
        ),
        AttributeSpec(
            "dislikes", "{subject} dislikes {value}.", single_valued=False, opposite="likes"
        ),
        AttributeSpec("speaks", "{subject} speaks {value}.", single_valued=False),
        AttributeSpec("has_pet", "{subject} has a {value}.", single_valued=False),
    )
}


@dataclass(frozen=True)
class Fact:
    subject: str
    """USER, or a person described relative to the user such as "user's sister"."""
    attribute: str
    value: str
    source_message_ids: tuple[str, ...]
    observed_at: datetime
    """When the source message was said: the fact's valid_from."""
    confidence: float = 0.9

    def __post_init__(self) -> None:
        if self.attribute not in ATTRIBUTES:
            raise ValueError(f"unknown attribute {self.attribute!r}")

    @property
    def kind(self) -> FactKind:
        return FactKind.PROFILE if self.subject == USER else FactKind.FACT

    @property
    def spec(self) -> AttributeSpec:
        return ATTRIBUTES[self.attribute]

    @property
    def statement(self) -> str:
        """The memory's content, e.g. "User lives in Berlin."."""
        subject = self.subject[0].upper() + self.subject[1:]
        return self.spec.template.format(subject=subject, value=self.value)
