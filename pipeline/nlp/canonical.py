"""Canonical names for entity mentions within one article.

"Sullivan" after "Jake Sullivan" resolves to "Jake Sullivan"; "the US" and
"U.S." resolve to "United States". Pure functions over strings: no spaCy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Short forms that news text uses for a few very frequent names.
ALIASES: dict[str, str] = {
    "us": "United States", "u.s.": "United States", "usa": "United States",
    "u.s.a.": "United States", "america": "United States", "united states": "United States",
    "the united states": "United States", "the us": "United States", "the u.s.": "United States",
    "uk": "United Kingdom", "u.k.": "United Kingdom", "britain": "United Kingdom",
    "the uk": "United Kingdom", "the u.k.": "United Kingdom",
    "eu": "European Union", "the eu": "European Union", "un": "United Nations",
    "the un": "United Nations", "u.n.": "United Nations", "the u.n.": "United Nations",
    "nato": "NATO", "uae": "United Arab Emirates", "prc": "China",
}

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
PERSONISH = {"PERSON"}


def clean_mention(text: str) -> str:
    """Strip white space, possessives and a leading "the" from a mention."""
    text = " ".join(text.split())
    return _POSSESSIVE.sub("", text).strip()


def alias(text: str) -> str | None:
    """The well-known full name for a short form, or None."""
    return ALIASES.get(clean_mention(text).lower())


def canonical_names(mentions: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Map each (mention text, label) to the fullest name it refers to in the article.

    A mention resolves to the longest mention of the same label whose words end
    with (or equal) the mention's words: "Sullivan" → "Jake Sullivan". Person
    surnames also match longer names with a title or middle name.
    """
    mentions = list(dict.fromkeys(mentions))
    result: dict[tuple[str, str], str] = {}
    for text, label in mentions:
        result[(text, label)] = _resolve(text, label, mentions)
    return result


def _resolve(text: str, label: str, mentions: list[tuple[str, str]]) -> str:
    known = alias(text)
    if known:
        return known
    words = _LEADING_THE.sub("", clean_mention(text)).split()
    if not words:
        return text.strip()
    best = " ".join(words)
    for other, other_label in mentions:
        # The small model often mislabels a lone surname (NORP, ORG): let it reach a PERSON.
        compatible = other_label == label or (other_label in PERSONISH and len(words) == 1)
        if not compatible:
            continue
        other_words = _LEADING_THE.sub("", clean_mention(other)).split()
        if len(other_words) > len(best.split()) and _is_short_form(words, other_words, label):
            best = " ".join(other_words)
    return best


def _is_short_form(words: list[str], longer: list[str], label: str) -> bool:
    if longer[-len(words):] == words:
        return True
    # "Biden" → "Joe R. Biden"; "Joe Biden" → "Joe R. Biden" (first and last kept)
    if words[-1] == longer[-1] and (label in PERSONISH or len(words) == 1):
        return len(words) == 1 or words[0] == longer[0]
    return False
