"""Invented wire stories and their syndicated copies (seeded; no real texts)."""

from __future__ import annotations

import random

from pipeline.records import Article, EnrichedArticle, Source

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "da", "gu", "ri", "so", "fe", "ba", "zu"]


def _vocabulary(rng: random.Random, n: int = 3000) -> list[str]:
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(n)]


_VOCAB = _vocabulary(random.Random(7))


def paragraphs(seed: int, n: int = 10, words: int = 60) -> list[str]:
    """``n`` paragraphs of invented words, the same for the same seed."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(_VOCAB) for _ in range(words)) + "." for _ in range(n)]


def syndicated(original: list[str], keep: float, seed: int) -> list[str]:
    """A copy as a wire client prints it: the first ``keep`` share of paragraphs, one edited word per
    paragraph, a boilerplate line added."""
    rng = random.Random(seed)
    kept = original[:max(1, round(len(original) * keep))]
    edited = []
    for p in kept:
        words = p.split()
        words[rng.randrange(len(words))] = "house"
        edited.append(" ".join(words))
    return [*edited, "Copyright the wire service. All rights reserved. Follow us for more news."]


def article(article_id: str, outlet: str, text_paragraphs: list[str], published: str | None = None,
            fetched: str | None = None) -> EnrichedArticle:
    url = f"https://{outlet}.example/{article_id}"
    a = Article(article_id, url, url, Source(outlet, f"{outlet}.example"), f"{outlet} headline {article_id}",
                "\n\n".join(text_paragraphs), published=published, fetched=fetched)
    return EnrichedArticle(a, (), (), model="test", extractor="test")
