"""The Elasticsearch documents of an article and of its claims: pure, no I/O."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pipeline.records import Article, Claim, EnrichedArticle, to_dict


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
