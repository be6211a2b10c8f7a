"""Dates in conversations: when a turn's events happened, and which days a query asks about.

A turn is said at one time (its occurred_at) but often tells of another: "I went to the
support group yesterday", "last Friday I finished my screenplay". Questions about a
conversation name the absolute date ("what did Melanie paint in May 2023?"). event_days()
resolves a turn's relative expressions against the time it was said, and query_days()
reads the range of days a query names, so that ranking can favour turns whose events fall
in it (retrieval.py). Both work in whole UTC days since the epoch, which payloads store.

English only, and deliberately small: the expressions below covered most dated questions of
the LoCoMo dev split; one that is not understood simply adds nothing.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {name: number for number, name in enumerate(MONTHS, start=1)}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = "(" + "|".join(_MONTHS) + ")"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH_YEAR = re.compile(rf"\b{_ORDINAL} {_MONTH},? (\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH} {_ORDINAL},? (\d{{4}})\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH},? (\d{{4}})\b")
_YEAR = re.compile(r"\b(?:in|of|during) (\d{4})\b")
_AGO = re.compile(r"\b(\d+|a|one|two|three|four|five|six|a few|a couple of) (day|week)s? ago\b")
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNTS.update({"a few": 3, "a couple of": 2})
_LAST_WEEKDAY = re.compile(r"\b(?:last|this past|on) (" + "|".join(_WEEKDAYS) + r")\b")

_EPOCH = dt.date(1970, 1, 1)


def day_number(date: dt.date) -> int:
    return (date - _EPOCH).days


def _month_end(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def event_days(text: str, said_at: float) -> list[int]:
    """The day a turn was said (said_at, epoch seconds), then each day its relative
    expressions point at, without repeats."""
    said = dt.datetime.fromtimestamp(said_at, dt.UTC).date()
    lowered = text.lower()
    days = [said]
    if "yesterday" in lowered or "last night" in lowered:
        days.append(said - dt.timedelta(days=1))
    if re.search(r"\blast (?:week|weekend)\b", lowered):
        days.append(said - dt.timedelta(days=7))
    if "last month" in lowered:
        days.append(said.replace(day=1) - dt.timedelta(days=1))
    if "next month" in lowered:
        days.append(_month_end(said.year, said.month) + dt.timedelta(days=1))
    if "last year" in lowered:
        days.append(said - dt.timedelta(days=365))
    for count, unit in _AGO.findall(lowered):
        n = int(count) if count.isdigit() else _COUNTS[count]
        days.append(said - dt.timedelta(days=n * (7 if unit == "week" else 1)))
    for weekday in _LAST_WEEKDAY.findall(lowered):
        back = (said.weekday() - _WEEKDAYS.index(weekday)) % 7 or 7
        days.append(said - dt.timedelta(days=back))
    return sorted({day_number(day) for day in days})


def query_days(query: str) -> tuple[int, int] | None:
    """The inclusive range of days a query names: a date (with a day either side, since
    "on 13 October" may be told the next morning), a month, or a year; None if none."""
    lowered = query.lower()
    if match := _DAY_MONTH_YEAR.search(lowered):
        date = _date(int(match[3]), _MONTHS[match[2]], int(match[1]))
    elif match := _MONTH_DAY_YEAR.search(lowered):
        date = _date(int(match[3]), _MONTHS[match[1]], int(match[2]))
    else:
        date = None
        if match := _MONTH_YEAR.search(lowered):
            year, month = int(match[2]), _MONTHS[match[1]]
            if dt.MINYEAR < year < dt.MAXYEAR:
                return day_number(dt.date(year, month, 1)), day_number(_month_end(year, month))
            return None
        if match := _YEAR.search(lowered):
            year = int(match[1])
            if dt.MINYEAR < year < dt.MAXYEAR:
                return day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))
        return None
    if date is None or not dt.MINYEAR < date.year < dt.MAXYEAR:
        return None
    return day_number(date) - 1, day_number(date) + 1


_NOW = re.compile(
    r"\b(now|currently|current|at the moment|these days|nowadays|anymore|any more|latest|"
    r"most recent|presently|today)\b"
)
_BEFORE = re.compile(r"\b(before|previous|previously|used to|former|formerly|originally|first)\b")


def asks_about_now(query: str) -> bool:
    """Whether a query asks what holds at present ("where do I work now?"), so that of two
    memories that answer it the later one should win; not when it asks what came before
    ("where did I live before my latest move?")."""
    lowered = query.lower()
    return bool(_NOW.search(lowered)) and not _BEFORE.search(lowered)
