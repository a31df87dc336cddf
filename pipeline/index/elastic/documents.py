"""The Elasticsearch documents of an article and of its claims, and the records read back from them: pure, no I/O."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pipeline.index.base import ArticleRef, ClaimHit
from pipeline.records import Article, Claim, EnrichedArticle, Entity, from_dict, to_dict


def article_ref(article: Article) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "url": article.url,
            "published": article.published, "source": article.source.name}


def article_doc(enriched: EnrichedArticle, copy_of: str | None = None) -> dict[str, Any]:
    a = enriched.article
    return {"copy_of": copy_of,
        "id": a.id, "title": a.title, "text": a.text, "summary": a.summary, "url": a.url,
        "language": a.language, "source": {"name": a.source.name, "domain": a.source.domain},
        "published": a.published, "record": to_dict(a), "entities": [asdict(e) for e in enriched.entities],
        "state": {"claim_ids": [c.id for c in enriched.claims]},
    }


def claim_doc(claim: Claim, article: Article, copy_of: str | None = None) -> dict[str, Any]:
    sp = claim.speaker
    return {"copy_of": copy_of,
        "id": claim.id, "article_id": article.id, "ordinal": claim.ordinal,
        "content": claim.content.text,
        "sentence": claim.sentence.text if claim.sentence else None,
        "speaker": {"text": sp.text, "canonical": sp.canonical, "label": sp.label} if sp else None,
        "stance": claim.stance, "quote": claim.quote,
        "cue": {"text": claim.cue.text, "lemma": claim.cue.lemma} if claim.cue else None,
        "entities": [{"name": e.canonical, "text": e.text, "label": e.label} for e in claim.entities],
        "source": {"name": article.source.name, "domain": article.source.domain},
        "language": article.language,
        "published": article.published,
        "article": article_ref(article),
        "record": to_dict(claim),
    }


def ref_of(src: dict[str, Any]) -> ArticleRef:
    """The article reference stored in a claim or an article document (``source`` a name or an object)."""
    source = src.get("source") or ""
    name = source.get("name", "") if isinstance(source, dict) else str(source)
    return ArticleRef(src["id"], src.get("title") or "", src.get("url") or "", src.get("published"), name or "")


def claim_hit(hit: dict[str, Any], ranked: bool) -> ClaimHit:
    """A search hit of the claims index as a :class:`ClaimHit` (score and marked content only when ranked)."""
    src = hit["_source"]
    claim = from_dict(src["record"])
    # Like SQLite's highlight(): the whole content, marked where it matched.
    marked = (hit.get("highlight", {}).get("content") or [claim.content.text])[0] if ranked else None
    return ClaimHit(claim, ref_of(src["article"]), float(hit["_score"] or 0.0) if ranked else 0.0, marked)


def enriched_of(src: dict[str, Any], claims: dict[str, Claim]) -> EnrichedArticle:
    """An article document back as the enriched article, with those of ``claims`` its stored claim ids name."""
    ids = src.get("state", {}).get("claim_ids", [])
    return EnrichedArticle(from_dict(src["record"]), entities=tuple(Entity(**e) for e in src.get("entities") or ()),
                           claims=tuple(sorted((claims[c] for c in ids if c in claims), key=lambda c: c.ordinal)))
