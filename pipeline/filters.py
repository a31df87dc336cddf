"""The search filters, each declared once: what every layer reads to offer, parse and show a filter.

The CLI options, the HTTP API's query parameters (and their OpenAPI text),
the search page's form, facet links and active-filter list, and the query
service's validation all come from :data:`FILTERS`; each index backend maps a
filter name to its query clause in one table. Adding a filter is one entry
here, its field on :class:`~pipeline.index.base.ClaimQuery` (and
``ArticleQuery`` if it applies to articles), and one clause per backend.

Imports only records, errors and the presenter, so any layer may read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pipeline.errors import InputError
from pipeline.present import quoted
from pipeline.records import STANCES

MAX_TEXT = 500  # characters in a query or filter value: longer is a mistake or an attack
_SPACES = re.compile(r"\s+")
# Left once whitespace is folded: control characters and lone surrogates (no name holds one; a NUL would
# end SQLite's LIKE pattern there, so that "speaker=%00" matched almost everything).
_UNSEARCHABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

Kind = Literal["text", "choice", "date"]
Value = str | date  # what a parsed filter holds (None: not set)


def parse_date(value: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` (or a longer ISO timestamp, whose date part is used); None when empty."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InputError(f"{name}: expected a date like 2024-07-16, got {quoted(value)}") from exc


def check_length(name: str, value: str | None) -> None:
    """InputError when a user-supplied string is longer than :data:`MAX_TEXT`."""
    if value and len(value) > MAX_TEXT:
        raise InputError(f"{name}: at most {MAX_TEXT} characters, got {len(value)}")


def clean_text(name: str, value: str | None) -> str | None:
    """A user-supplied search text with each run of whitespace as one space, trimmed (None if nothing is left).

    InputError when it is longer than :data:`MAX_TEXT` or holds a control character or a lone surrogate.
    """
    check_length(name, value)
    text = _SPACES.sub(" ", value or "").strip()
    if bad := _UNSEARCHABLE.search(text):
        raise InputError(f"{name}: no control characters, got {quoted(bad.group())} in {quoted(text)}")
    return text or None


@dataclass(frozen=True, slots=True)
class Filter:
    """One search filter.

    ``name`` is the query parameter, the CLI option (``--name``) and the
    query field; ``help`` is shown by ``--help`` and in OpenAPI; ``label``
    names it on the page's form; ``facet`` is the facet counting its values
    (a facet value links to this filter); ``claims``/``articles`` say which
    searches take it. All filters combine with AND.
    """

    name: str
    help: str
    label: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()
    facet: str | None = None
    claims: bool = True
    articles: bool = False

    def parse(self, raw: str | None) -> Value | None:
        """The value of a user-supplied string (None for empty; text as :func:`clean_text` leaves it);
        InputError names the filter."""
        if not raw:
            return None
        if self.kind == "date":
            return parse_date(raw, self.name)
        if self.kind == "choice" and raw not in self.choices:
            raise InputError(f"{self.name}: expected one of {', '.join(self.choices)}, got {quoted(raw)}")
        return clean_text(self.name, raw)

    @property
    def metavar(self) -> str | None:
        """How ``--help`` names the value (argparse's default for plain text)."""
        return "DATE" if self.kind == "date" else None


FILTERS: tuple[Filter, ...] = (
    Filter("speaker", "who made the claim (part of the name, any case)", "Speaker", facet="speakers"),
    Filter("entity", "an entity mentioned in the claim", "Entity", facet="entities"),
    Filter("stance", " or ".join(STANCES), "Stance", kind="choice", choices=STANCES, facet="stances"),
    Filter("source", "outlet name or domain (part of it)", "Outlet", facet="sources", articles=True),
    Filter("language", "the article's language (ISO 639-1 code such as en or fr; und: could not tell)",
           "Language", facet="languages", articles=True),
    Filter("since", "published on or after (YYYY-MM-DD)", "From", kind="date", articles=True),
    Filter("until", "published on or before (YYYY-MM-DD)", "To", kind="date", articles=True),
)
CLAIM_FILTERS = tuple(f for f in FILTERS if f.claims)
ARTICLE_FILTERS = tuple(f for f in FILTERS if f.articles)
BY_NAME = {f.name: f for f in FILTERS}
FACETS = tuple(f.facet for f in CLAIM_FILTERS if f.facet)  # what a claim search counts, in this order
FACET_FILTER = {f.facet: f.name for f in CLAIM_FILTERS if f.facet}  # facet -> the filter its values set


def parse_all(filters: tuple[Filter, ...], raw: Mapping[str, str | None]) -> dict[str, Any]:
    """Every filter of ``filters`` parsed from ``raw`` (missing: None), in declaration order: keyword
    arguments for a query's fields (``Any``: each value has its filter's kind, see :meth:`Filter.parse`).

    TypeError for a name that is not one of ``filters`` (a caller's bug, not bad input).
    """
    unknown = set(raw) - {f.name for f in filters}
    if unknown:
        raise TypeError(f"not a filter here: {', '.join(sorted(unknown))}")
    return {f.name: f.parse(raw.get(f.name)) for f in filters}
