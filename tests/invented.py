"""Invented enriched articles (no NLP) for index, API and page tests over both backends.

Tests compute their expected results from the specs through plain Python,
never from a backend.
"""

from __future__ import annotations

from pipeline.records import Article, Claim, Cue, EnrichedArticle, Entity, Source, Span, Speaker, claim_id

EntitySpec = tuple[str, str, str]  # canonical name, as written, label
# speaker canonical, speaker as written, stance, direct quote, content, entities the claim mentions
ClaimSpec = tuple[str | None, str | None, str, bool, str, list[EntitySpec]]


def invented_article(article_id: str, outlet: str, url: str, published: str | None, title: str,
                     specs: list[ClaimSpec]) -> EnrichedArticle:
    """An article whose text holds one sentence per claim, "<speaker> said <content>.".

    Speaker, cue, content and sentence spans carry their true offsets; an
    entity sits where the content names it, or at the content's start when the
    text never names it (some tests need a spelling the text does not hold).
    The first sentence is the summary; the article's entities are its claims'.
    """
    sentences = [f"{written or 'Officials'} said {content}." for _, written, _, _, content, _ in specs]
    text = " ".join(sentences)
    domain = url.split("/")[2] if "//" in url else ""
    article = Article(article_id, url, url, Source(outlet, domain), title, text,
                      summary=sentences[0] if sentences else "", published=published)
    claims, at = [], 0
    for n, spec in enumerate(specs):
        claims.append(_claim(article_id, n, at, sentences[n], spec))
        at += len(sentences[n]) + 1
    entities = tuple(e for c in claims for e in c.entities)
    return EnrichedArticle(article, entities, tuple(claims), model="test", extractor="test")


def _claim(article_id: str, n: int, at: int, sentence: str, spec: ClaimSpec) -> Claim:
    canonical, written, stance, quote, content, entity_specs = spec
    start = at + sentence.index(content)
    speaker = Speaker(at, at + len(written), written, canonical, "PERSON") if canonical and written else None
    cue_at = at + sentence.index("said")
    entities = tuple(_entity(content, start, e) for e in entity_specs)
    return Claim(claim_id(article_id, n), article_id, n, speaker, Cue(cue_at, cue_at + 4, "said", "say"),
                 Span(start, start + len(content), content), stance, quote,
                 Span(at, at + len(sentence), sentence), entities)


def _entity(content: str, content_start: int, spec: EntitySpec) -> Entity:
    canonical, written, label = spec
    start = content_start + max(content.find(written), 0)
    return Entity(written, label, start, start + len(written), canonical)


HARBOR_SPEAKERS = ("Maria Lopez", "Ahmed Karimi", "Olga Petrova")
HARBOR_OUTLETS = ("Daily Planet", "Globe Herald")


def harbor_article(n: int, published: str | None) -> EnrichedArticle:
    """Article ``t{n}``: three claims sharing its date (ties in a newest-first order), every one about the
    harbor; speakers, stances and outlets cycle with ``n``, so filters split a run of them unevenly."""
    speakers, outlets = HARBOR_SPEAKERS, HARBOR_OUTLETS
    specs = [(speakers[(n + k) % 3], speakers[(n + k) % 3], ("assert", "deny")[(n * k) % 2], k == 0,
              f"the harbor budget item {n}-{k} was approved", [("Port Authority", "Port Authority", "ORG")] if k else [])
             for k in range(3)]
    return invented_article(f"t{n}", outlets[n % 2], f"https://news.example/t{n}", published, f"Story {n}", specs)
