"""The pure parts of eval/locomo_eval.py: session dates, hits -> LoCoMo turn ids, and the
per-kind place counts. None needs the LoCoMo data."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from memgrid.common.v1 import memory_pb2 as common


def _load() -> ModuleType:
    # eval/ is a folder of scripts, not a package: import the module by path.
    path = Path(__file__).resolve().parents[2] / "eval" / "locomo_eval.py"
    spec = importlib.util.spec_from_file_location("locomo_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


locomo_eval = _load()
Hit = locomo_eval.Hit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:56 pm on 8 May, 2023", datetime(2023, 5, 8, 13, 56, tzinfo=UTC)),
        ("10:37 am on 27 June, 2023", datetime(2023, 6, 27, 10, 37, tzinfo=UTC)),
        ("12:09 am on 13 September, 2023", datetime(2023, 9, 13, 0, 9, tzinfo=UTC)),
        ("12:30 pm on 1 January, 2024", datetime(2024, 1, 1, 12, 30, tzinfo=UTC)),
        ("7:55 PM on 9 Jun, 2023", datetime(2023, 6, 9, 19, 55, tzinfo=UTC)),
    ],
)
def test_session_dates_parse_to_utc(text: str, expected: datetime) -> None:
    assert locomo_eval.parse_session_date(text) == expected


@pytest.mark.parametrize("text", ["", "8 May, 2023", "1:56 pm on 8 Mai, 2023", "25:00"])
def test_a_session_date_that_is_not_one_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        locomo_eval.parse_session_date(text)


def test_a_session_keeps_turn_order_roles_and_speakers() -> None:
    conv = {"speaker_a": "Caroline", "speaker_b": "Melanie"}
    date = "1:56 pm on 8 May, 2023"
    turns = [
        {"dia_id": "D1:1", "speaker": "Caroline", "text": "Hi", "session_date": date},
        {
            "dia_id": "D1:2",
            "speaker": "Melanie",
            "text": "Look",
            "blip_caption": "a dog on a beach",
            "session_date": date,
        },
    ]
    first, second = locomo_eval.session_messages(conv, turns)
    assert (first.role, first.speaker, first.content) == (common.ROLE_USER, "Caroline", "Hi")
    assert second.role == common.ROLE_ASSISTANT
    assert second.content == "Look [image: a dog on a beach]"
    assert dict(second.metadata) == {"dia_id": "D1:2"}
    assert second.occurred_at.ToDatetime(UTC) > first.occurred_at.ToDatetime(UTC)


def test_a_derived_hit_expands_to_its_sources_in_order_without_duplicates() -> None:
    hits = [
        Hit("m1", "MESSAGE", 0.9, ("D1:3",)),
        Hit("e1", "EPISODE", 0.8, ("D1:2", "D1:3", "D1:4")),
        Hit("f1", "FACT", 0.7, ()),
        Hit("m2", "MESSAGE", 0.6, ("D1:4",)),
        Hit("m3", "MESSAGE", 0.5, ("D2:1",)),
    ]
    assert locomo_eval.ranked_turns(hits, 10) == [
        ("D1:3", "MESSAGE"),
        ("D1:2", "EPISODE"),
        ("D1:4", "EPISODE"),
        ("D2:1", "MESSAGE"),
    ]
    assert [d for d, _ in locomo_eval.ranked_turns(hits, 2)] == ["D1:3", "D1:2"]


def test_the_mapper_reads_dia_ids_of_messages_and_of_derived_sources() -> None:
    mapper = locomo_eval.HitMapper({"a": "D1:1", "b": "D1:2"})
    message = common.Memory(id="a", kind=common.MEMORY_KIND_MESSAGE, metadata={"dia_id": "D1:1"})
    episode = common.Memory(
        id="e", kind=common.MEMORY_KIND_EPISODE, source_message_ids=["b", "gone", "a"]
    )
    assert mapper(message, 0.5) == Hit("a", "MESSAGE", 0.5, ("D1:1",))
    assert mapper(episode, 0.4) == Hit("e", "EPISODE", 0.4, ("D1:2", "D1:1"))
    assert mapper.unmapped_sources == 1


def test_places_count_hits_and_scored_turn_ids_per_kind() -> None:
    first = [Hit("e1", "EPISODE", 1.0, tuple(f"D1:{i}" for i in range(1, 9)))] + [
        Hit(f"m{i}", "MESSAGE", 0.5, (f"D2:{i}",)) for i in range(1, 12)
    ]
    second = [Hit("f1", "FACT", 1.0, ()), Hit("m9", "MESSAGE", 0.5, ("D3:1",))]
    places = locomo_eval.count_places([first, second], 10)
    # The first answer: 12 hits, of which the first 10 count; its episode took 8 of the 10
    # turn ids scored. The fact without sources takes a hit place but no turn id.
    assert places.hits == {"EPISODE": 1, "MESSAGE": 10, "FACT": 1}
    assert places.turn_ids == {"EPISODE": 8, "MESSAGE": 3}
