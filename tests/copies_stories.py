"""Enriched articles with claims and a long invented text, for the copy tests of both backends."""

from __future__ import annotations

from dataclasses import replace

from copies_wire import paragraphs, syndicated
from invented import invented_article

from pipeline.records import EnrichedArticle


def story(article_id: str, outlet: str, published: str | None, body: list[str], claim: str) -> EnrichedArticle:
    """One claim sentence, then ``body``: the claim's offsets stay valid."""
    e = invented_article(article_id, outlet, f"https://{outlet.lower().replace(' ', '')}.example/{article_id}",
                         published, f"{outlet}: {article_id}", [("Anna Berg", "Berg", "assert", False, claim, [])])
    return replace(e, article=replace(e.article, text=e.article.text + "\n\n" + "\n\n".join(body)))


WIRE = paragraphs(101)
ORIGINAL = story("orig", "Wire Service", "2024-03-01T08:00:00Z", WIRE, "the harbor reopens in May")
COPY = story("copy", "Daily Planet", "2024-03-01T10:00:00Z", syndicated(WIRE, 0.6, 1), "the harbor reopens in May")
OTHER = story("other", "Metro Times", "2024-03-01T11:00:00Z", paragraphs(202), "the harbor stays shut")
