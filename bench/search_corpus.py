"""Synthetic claims for bench/search_bench.py: invented, deterministic, no NLP, no PolNeAR text.

Words come from the repository's seed article plus invented pseudo-words;
speakers, entities and outlets are invented names. Frequencies follow Zipf
laws (a few speakers, words and outlets are very common), as in news.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from pipeline.records import Article, Claim, Cue, EnrichedArticle, Entity, Source, Span, Speaker, claim_id

REPO = Path(__file__).resolve().parents[1]
FIRST = ["Ana", "Boris", "Chen", "Dalia", "Emil", "Farah", "Goran", "Hana", "Ivan", "Jana", "Kofi", "Lena", "Malik", "Nora", "Omar", "Petra", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Aiko", "Bruno", "Carla", "Deniz"]
LAST = ["Adler", "Brandt", "Castro", "Dumont", "Eriksen", "Fischer", "Garcia", "Haddad", "Ibsen", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quiroga", "Rossi", "Sato", "Tanaka", "Ueda", "Vargas", "Weber", "Xu", "Yilmaz", "Zeller", "Abebe", "Bakr", "Costa", "Diallo"]
CUES = (("said", "say", "assert"), ("claimed", "claim", "assert"), ("told reporters", "tell", "assert"),
        ("denied", "deny", "deny"), ("rejected", "reject", "deny"), ("warned", "warn", "assert"))
START = date(2023, 1, 1)


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    syllables = ["ka", "lo", "mi", "ser", "tan", "vo", "dre", "pol", "qui", "ra", "ne", "sul", "bor", "fi", "gat"]
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def vocabulary(rng: random.Random) -> list[str]:
    """The seed article's words (lower case, 3+ letters) and invented ones, most common first."""
    seed_text = " ".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt")))
    seen: dict[str, None] = dict.fromkeys(w.lower() for w in re.findall(r"[A-Za-z]{3,}", seed_text))
    words = list(seen) + _pseudo_words(rng, 6000)
    rng.shuffle(words)
    return words


class Zipf:
    """Draws items with probability ~ 1 / rank^s."""

    def __init__(self, items: list, rng: random.Random, s: float = 1.05) -> None:
        self.items, self.rng = items, rng
        weights = [1 / (r + 1) ** s for r in range(len(items))]
        total, acc = sum(weights), 0.0
        self.cum = []
        for w in weights:
            acc += w / total
            self.cum.append(acc)

    def draw(self) -> object:
        import bisect

        return self.items[min(bisect.bisect_left(self.cum, self.rng.random()), len(self.items) - 1)]


class Corpus:
    """``articles(n)`` yields enriched articles with ``claims_per_article`` claims each."""

    def __init__(self, seed: int = 7, claims_per_article: int = 20) -> None:
        self.rng = random.Random(seed)
        self.per = claims_per_article
        self.words = Zipf(vocabulary(self.rng), self.rng)
        people = [f"{f} {last}" for f in FIRST for last in LAST]
        self.rng.shuffle(people)
        self.speakers = Zipf(people[:2000], self.rng)
        self.entities = Zipf([f"{w.capitalize()} {k}" for w, k in zip(_pseudo_words(self.rng, 1000),
                              ["Council", "Group", "Bank", "Party", "Ministry"] * 200, strict=True)], self.rng)
        self.outlets = Zipf([f"{w.capitalize()} News" for w in _pseudo_words(self.rng, 40)], self.rng, s=0.8)

    def sentence_words(self, n: int) -> list[str]:
        return [str(self.words.draw()) for _ in range(n)]

    def articles(self, n: int) -> Iterator[EnrichedArticle]:
        for i in range(n):
            yield self.article(i)

    def article(self, i: int) -> EnrichedArticle:
        rng = self.rng
        outlet = str(self.outlets.draw())
        domain = outlet.split()[0].lower() + ".example"
        published = None if rng.random() < 0.02 else (
            f"{START + timedelta(days=rng.randrange(730))}T{rng.randrange(24):02d}:00:00+00:00")
        parts, claims, entities = [], [], []
        at = 0
        aid = f"bench{i:06d}"
        for n in range(self.per):
            speaker = str(self.speakers.draw())
            cue, lemma, stance = rng.choice(CUES)
            named = [str(self.entities.draw()) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
            content = " ".join(self.sentence_words(rng.randint(6, 16)) + named)
            sentence = f"{speaker} {cue} that {content}."
            c_start = at + sentence.index(content)
            ents = []
            for name in named:
                s = c_start + content.index(name)
                ents.append(Entity(name, "ORG", s, s + len(name), name))
            entities += ents
            cue_at = at + len(speaker) + 1
            claims.append(Claim(claim_id(aid, n), aid, n, Speaker(at, at + len(speaker), speaker, speaker, "PERSON"),
                                Cue(cue_at, cue_at + len(cue), cue, lemma), Span(c_start, c_start + len(content), content),
                                stance, rng.random() < 0.2, Span(at, at + len(sentence), sentence), tuple(ents)))
            parts.append(sentence)
            at += len(sentence) + 1
        text = " ".join(parts)
        url = f"https://{domain}/story/{i}"
        article = Article(aid, url, url, Source(outlet, domain), " ".join(self.sentence_words(8)).capitalize(),
                          text, published=published)
        return EnrichedArticle(article, tuple(entities), tuple(claims), model="bench", extractor="bench")
