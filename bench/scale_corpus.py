"""Articles for bench/search_scale.py: PolNeAR train paragraphs recombined under new ids, outlets and dates.

Each train article is cut into paragraphs, and the project's own
:class:`~pipeline.nlp.enricher.Enricher` reads each paragraph once (entities
and claims; cached under the cache directory, keyed by the train file's hash
and the extractor version). Copy ``i`` then draws 6-14 paragraphs from the
whole train split (a fixed seed per copy, so copy ``i`` is the same on every
run and at every size), in a shuffled order, and shifts their entities and
claims to the new text. Two copies share a paragraph or two at most, so no
copy is a near-duplicate of another (wire-copy detection would not collapse
them). Outlets are invented (Zipf: a few are large); copies are published in
the order they are indexed, ``PER_DAY`` a day, as a feed poller would see them,
a few of them late.

The texts never leave the cache directory (never commit them: see the PolNeAR
README); dev is read only for held-out query words, the test split never.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.records import (
    Article,
    Claim,
    EnrichedArticle,
    Entity,
    Source,
    claim_id,
    entity_from_dict,
    from_dict,
    plain,
    to_dict,
)

POLNEAR = Path("/work/shared/data/polnear")
START = datetime(2016, 1, 1, tzinfo=UTC)
PER_DAY = 200  # copies published per day (a newsroom polling ~100 feeds)
PLACES = ["Albany", "Boise", "Camden", "Dayton", "Eugene", "Fresno", "Garland", "Helena", "Irvine", "Joliet",
          "Kenosha", "Laredo", "Macon", "Naples", "Odessa", "Peoria", "Quincy", "Reno", "Salem", "Tulsa",
          "Utica", "Venice", "Waco", "Yonkers", "Zion"]
PAPERS = ["Herald", "Courier", "Gazette", "Tribune", "Ledger", "Post", "Times", "Sentinel", "Chronicle", "Daily"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A train paragraph and what the extractor found in it (offsets into ``text``)."""

    text: str
    entities: tuple[Entity, ...]
    claims: tuple[Claim, ...]


def paragraphs(cache: Path) -> list[Paragraph]:
    """Every non-empty train paragraph with its entities and claims; extracted once, then read from ``cache``."""
    from pipeline.nlp.claims import EXTRACTOR_VERSION

    train = POLNEAR / "train.jsonl"
    key = hashlib.sha256(train.read_bytes() + EXTRACTOR_VERSION.encode()).hexdigest()[:16]
    path = cache / f"paragraphs-{key}.json"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_extract(train)), encoding="utf-8")
    return [Paragraph(p["text"], tuple(entity_from_dict(e) for e in p["entities"]),
                      tuple(from_dict(c) for c in p["claims"])) for p in json.loads(path.read_text(encoding="utf-8"))]


def _extract(train: Path) -> list[dict[str, Any]]:
    from pipeline.config import NlpSettings
    from pipeline.nlp.enricher import Enricher

    texts = [p.strip() for line in train.read_text(encoding="utf-8").splitlines()
             for p in json.loads(line)["text"].split("\n\n") if len(p.strip()) > 40]
    found = Enricher(NlpSettings()).assess((f"p{i}", t) for i, t in enumerate(texts))
    return [{"text": t, "entities": plain(a.entities), "claims": [to_dict(c) for c in a.claims]}
            for t, a in zip(texts, found, strict=True)]


def outlets(n: int = 250) -> list[Source]:
    """``n`` invented outlets (name and domain), most copies first."""
    names = [f"{place} {paper}" for paper in PAPERS for place in PLACES][:n]
    random.Random(5).shuffle(names)
    return [Source(name, name.lower().replace(" ", "") + ".example") for name in names]


class Copies:
    """``article(i)``: copy ``i``, the same on every run."""

    def __init__(self, paras: list[Paragraph], seed: int = 17) -> None:
        self.paras, self.seed = paras, seed
        self.outlets = outlets()
        weights = [1 / (r + 1) ** 0.9 for r in range(len(self.outlets))]
        self.cum = [sum(weights[: k + 1]) / sum(weights) for k in range(len(weights))]

    def articles(self, start: int, stop: int) -> Iterator[EnrichedArticle]:
        for i in range(start, stop):
            yield self.article(i)

    def outlet(self, rng: random.Random) -> Source:
        return self.outlets[min(bisect.bisect_left(self.cum, rng.random()), len(self.outlets) - 1)]

    def article(self, i: int) -> EnrichedArticle:
        rng = random.Random(self.seed * 1_000_003 + i)
        chosen = rng.sample(self.paras, rng.randint(6, 14))
        aid = f"scale{i:08d}"
        texts: list[str] = []
        entities: list[Entity] = []
        claims: list[Claim] = []
        at = 0
        for p in chosen:
            entities += [replace(e, start=e.start + at, end=e.end + at) for e in p.entities]
            claims += [_shifted(c, at, aid, len(claims) + n) for n, c in enumerate(p.claims)]
            texts.append(p.text)
            at += len(p.text) + 2
        source = self.outlet(rng)
        late = timedelta(days=rng.randint(1, 5)) if rng.random() < 0.05 else timedelta()
        published = START + timedelta(days=i // PER_DAY, seconds=rng.randrange(86_400)) - late
        title = re.sub(r"\s+", " ", chosen[0].text[:80]).strip()
        url = f"https://{source.domain}/{published:%Y/%m/%d}/{i}"
        article = Article(aid, url, url, source, title, "\n\n".join(texts), published=published.isoformat())
        return EnrichedArticle(article, tuple(entities), tuple(claims), model="polnear-copies", extractor="cached")


def _shifted(c: Claim, at: int, aid: str, ordinal: int) -> Claim:
    """``c`` moved ``at`` characters on, as claim ``ordinal`` of article ``aid``."""
    def move(span: Any) -> Any:
        return None if span is None else replace(span, start=span.start + at, end=span.end + at)

    return replace(c, id=claim_id(aid, ordinal), article_id=aid, ordinal=ordinal, speaker=move(c.speaker),
                   cue=move(c.cue), content=move(c.content), sentence=move(c.sentence),
                   entities=tuple(move(e) for e in c.entities))


def day_of(i: int) -> datetime:
    """The day copy ``i`` is published on (before any lateness)."""
    return START + timedelta(days=i // PER_DAY)
