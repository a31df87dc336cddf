"""A schema.org ``ClaimReview`` draft of a claim's thread, for a fact-checker to complete.

Pure: a :class:`~pipeline.threads.view.ThreadView` in, a JSON-LD object out
(the same for ``GET /api/claims/{id}/thread?format=claimreview`` and
``pipeline thread ID --claimreview``). It carries the properties Google's
ClaimReview guidelines list. From the thread: ``claimReviewed`` (the claim as
its thread's first claim states it) and ``itemReviewed``, a ``Claim`` with its
``author`` (the speaker: a Person, or an Organization when the NLP stage
labelled it an organisation, country or group; unlabelled speakers such as
"a spokesman" are Persons), ``datePublished`` (the earliest article's date),
``firstAppearance`` and ``appearance`` (each article of the thread, once, as a
``CreativeWork`` with url, headline, publisher and date). Left to the
fact-checker, each marked with :data:`FILL_IN`: the review's ``url``,
``author`` and ``datePublished``, and ``reviewRating``, a ``Rating`` whose
fields are empty. Nothing in the draft is a verdict.
"""

from __future__ import annotations

from typing import Any

from pipeline.index.base import ArticleRef
from pipeline.records import Speaker
from pipeline.threads.view import ThreadView

FILL_IN = "FILL IN"  # every placeholder starts with it: search the draft for it before publishing
PERSON_LABELS = frozenset({"PERSON"})  # other speaker labels (ORG, GPE, NORP, …) are organisations
RATING_FIELDS = ("ratingValue", "bestRating", "worstRating", "alternateName", "name")


def claim_review(view: ThreadView) -> dict[str, Any]:
    """The ClaimReview draft of ``view``; see the module docstring for what is filled and what is left."""
    appearances = _appearances(view)
    claim: dict[str, Any] = {"@type": "Claim", "author": _speaker(view.claim.speaker if view.claim else None),
                             "appearance": appearances}
    if appearances:
        claim["firstAppearance"] = appearances[0]
        if appearances[0].get("datePublished"):
            claim["datePublished"] = appearances[0]["datePublished"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": view.text,
        "itemReviewed": claim,
        "url": f"{FILL_IN}: the URL of your fact check",
        "datePublished": f"{FILL_IN}: the date you publish it (YYYY-MM-DD)",
        "author": {"@type": "Organization", "name": f"{FILL_IN}: your organisation",
                   "url": f"{FILL_IN}: your organisation's URL"},
        "reviewRating": {"@type": "Rating", **dict.fromkeys(RATING_FIELDS, "")},
    }


def _speaker(speaker: Speaker | None) -> dict[str, str]:
    if speaker is None:
        return {"@type": "Person", "name": f"{FILL_IN}: who made the claim (the thread does not say)"}
    kind = "Person" if (speaker.label or "PERSON") in PERSON_LABELS else "Organization"
    return {"@type": kind, "name": speaker.canonical or speaker.text}


def _appearances(view: ThreadView) -> list[dict[str, Any]]:
    """One CreativeWork per article, earliest first (undated ones last), each article once."""
    articles = {e.article.id: e.article for e in view.entries}
    ordered = sorted(articles.values(), key=lambda a: (a.published is None, a.published or "", a.id))
    return [_creative_work(a) for a in ordered]


def _creative_work(article: ArticleRef) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "url": article.url, "headline": article.title}
    if article.source:
        work["publisher"] = {"@type": "Organization", "name": article.source}
    if article.published:
        work["datePublished"] = article.published
    return work
