"""Dates written by strangers: ISO 8601 text in, an aware UTC datetime out, or one clear ValueError.

Guarantees of :func:`parse_iso`: it raises nothing but ``ValueError`` (a message fit to show the
user); what it returns is aware, in UTC, and between years 1 and 9999 *in UTC*, so formatting,
comparing and storing it can never overflow later. Negative and expanded years ("-0001-01-01",
"+12024-01-01") are refused, not reinterpreted. Imports nothing internal.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_WRITTEN_YEAR = re.compile(r"\s*([+-]?)(\d+)-\d")  # how an ISO-style date opens: sign, year, month


def parse_iso(value: str) -> datetime:
    """``value`` (ISO 8601; "Z" or no offset means UTC) as an aware UTC datetime; see the module docstring."""
    text = value.strip()
    if text.startswith(("-", "+")):
        raise ValueError(f"year out of range (1-9999): {value!r}")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date: {value!r}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:  # 9999-12-31T23:59:59-23:59 is a valid local time whose UTC instant is in year 10000
        return parsed.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"out of range once converted to UTC: {value!r}") from exc


def iso_utc(moment: datetime) -> str:
    """The ISO 8601 text the records carry: UTC, whole seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def written_year_agrees(written: object, year: int) -> bool:
    """False when ``written`` is an ISO-style date whose year is not ``year`` (±1 for the UTC shift).

    Feed parsers are lenient: feedparser reads "-0001-01-01" as 2000-01-01. A date whose
    written year is signed, not four digits, or another year is not the date the feed gave.
    Text in other styles (RFC 822) is not judged here: True.
    """
    match = _WRITTEN_YEAR.match(written) if isinstance(written, str) else None
    if match is None:
        return True
    sign, digits = match.groups()
    return not sign and len(digits) == 4 and abs(int(digits) - year) <= 1
