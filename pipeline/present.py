"""How a claim, its speaker, an outlet and a date are shown: one wording for the CLI, the page and the feeds.

Pure functions over records, returning plain text: escaping is the caller's
(Jinja2 autoescapes; the CLI prints text). The templates get each of them as
a Jinja filter of the same name (registered in ``pipeline.http.app``).
"""

from __future__ import annotations

from pipeline.records import Claim

UNATTRIBUTED = "Unattributed"  # a claim whose speaker the extractor could not find
UNDATED = "undated"  # an article without a publication date
UNKNOWN_OUTLET = "unknown outlet"  # an article whose source has no name
ELLIPSIS = "…"
QUOTED_CHARS = 60  # of a user's value that a message echoes


def cut(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at the last space before it, plus "…"."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + ELLIPSIS


def quoted(value: str) -> str:
    """``value`` as a message echoes it: ``repr`` (control characters escaped), cut after :data:`QUOTED_CHARS`
    characters (an id in a URL or a parameter may be any length)."""
    return repr(value if len(value) <= QUOTED_CHARS else value[:QUOTED_CHARS] + ELLIPSIS)


def speaker(claim: Claim) -> str:
    """The speaker's canonical name, or :data:`UNATTRIBUTED`."""
    return claim.speaker.canonical if claim.speaker else UNATTRIBUTED


def as_written(claim: Claim) -> str:
    """``(“Sullivan”)``: the speaker as the article wrote it, when that differs from the canonical name; else ""."""
    if claim.speaker is None or claim.speaker.text == claim.speaker.canonical:
        return ""
    return f"(“{claim.speaker.text}”)"


def claim_kind(claim: Claim) -> str:
    """``quote`` (a direct quotation) or ``reported`` (reported speech)."""
    return "quote" if claim.quote else "reported"


def day(published: str | None) -> str:
    """The date part (``YYYY-MM-DD``) of an ISO timestamp, or :data:`UNDATED`."""
    return (published or "")[:10] or UNDATED


def outlet(source: str | None) -> str:
    """An outlet's name, or :data:`UNKNOWN_OUTLET`."""
    return source or UNKNOWN_OUTLET


def total(count: int, exact: bool = True) -> str:
    """A match count as shown: ``1,234`` when exact; ``10,000+`` when it is a lower bound (an index that
    stops counting at :data:`pipeline.index.base.TOTAL_BOUND` matches says so with ``exact=False``)."""
    return f"{count:,}" if exact else f"{count:,}+"


JINJA_FILTERS = {"cut": cut, "total": total, "speaker": speaker, "as_written": as_written, "claim_kind": claim_kind, "day": day,
                 "outlet": outlet}
