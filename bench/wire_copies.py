"""Wire-copy detection measured on PolNeAR train/dev: precision, recall, articles/s, memory.

Builds, deterministically (``--seed``), one syndicated copy per original the way
wire clients print them: a new headline, the first 60–100% of the paragraphs
(truncation) or one paragraph dropped, a paragraph of boilerplate added, and
house-style edits (quotes, dashes, "percent", "U.S.", honorifics). The hard
negatives are the corpus itself: PolNeAR's outlets cover the same 2016 stories,
and each original is also paired with the other outlet's article sharing the most
words with it. Everything goes through the real detector into a throwaway
SQLite index, in shuffled order (copies often arrive before their original).

    PYTHONPATH=. python bench/wire_copies.py [--data DIR] [--seed N] [--sweep]

The texts are read from ``--data`` (train and dev only; the test split is held
out and never opened) and never written anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from pipeline.copies import detect
from pipeline.copies.detect import CopyDetector, is_copy
from pipeline.copies.signature import band_keys, signature
from pipeline.index.sqlite import SqliteIndex
from pipeline.records import Article, EnrichedArticle, Source

SPLITS = ("train.jsonl", "dev.jsonl")  # never the test split
BOILERPLATE = [
    "This story was provided by a wire service. Copyright 2016. All rights reserved.",
    "Follow us on Twitter and Facebook for the latest political news and updates.",
    "Sign up for our daily newsletter to get the top stories delivered to your inbox every morning.",
    "The Associated Press contributed to this report. Reporting by staff writers; editing by the desk.",
]
HOUSE_STYLE = [("“", '"'), ("”", '"'), ("’", "'"), ("—", " - "), (" percent", "%"), ("U.S.", "US"),
               ("Mr. ", ""), ("Mrs. ", ""), ("Sen. ", "Senator "), ("Gov. ", "Governor ")]


def load(data: Path) -> list[tuple[str, str]]:
    """``(id, text)`` of each distinct article of the train and dev splits (the same text annotated twice once)."""
    seen: dict[str, tuple[str, str]] = {}
    for name in SPLITS:
        for line in (data / name).open(encoding="utf-8"):
            row = json.loads(line)
            seen.setdefault(row["text"], (row["id"], row["text"]))
    return sorted(seen.values())


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def syndicate(text: str, rng: random.Random) -> str:
    """A copy as a client prints it (see the module doc); at least 60% of the paragraphs kept."""
    body = paragraphs(text)[1:]  # the first line is the headline: clients write their own
    if rng.random() < 0.5:
        body = body[:max(1, round(len(body) * rng.uniform(0.6, 1.0)))]  # truncation
    elif len(body) > 3:
        del body[rng.randrange(len(body))]  # one paragraph dropped
    if rng.random() < 0.5 and len(body) > 2:
        body.insert(rng.randrange(1, len(body)), rng.choice(BOILERPLATE))  # a paragraph added
    body.append(rng.choice(BOILERPLATE))
    copy = "\n\n".join([f"{rng.choice(['BREAKING', 'Report', 'Politics'])}: {' '.join(body[0].split()[:8])}", *body])
    for old, new in rng.sample(HOUSE_STYLE, k=rng.randint(2, len(HOUSE_STYLE))):
        copy = copy.replace(old, new)
    return copy


def _date(article_id: str) -> str | None:
    found = re.search(r"_(\d{4}-\d{2}-\d{2})_", article_id)
    return f"{found.group(1)}T08:00:00Z" if found else None


def _enriched(article_id: str, outlet: str, text: str, published: str | None) -> EnrichedArticle:
    url = f"https://{outlet}.example/{article_id}"
    a = Article(article_id, url, url, Source(outlet, f"{outlet}.example"), text.split("\n", 1)[0][:120], text,
                published=published)
    return EnrichedArticle(a, (), (), model="bench", extractor="bench")


def build(rows: list[tuple[str, str]], rng: random.Random) -> tuple[list[EnrichedArticle], dict[str, str]]:
    """Originals and one copy each (published 2–30 hours later, by another outlet); copy id → original id."""
    articles, truth = [], {}
    for n, (aid, text) in enumerate(rows):
        outlet = aid.split("_", 1)[0]
        published = _date(aid)
        articles.append(_enriched(aid, outlet, text, published))
        copy_id = f"copy{n:04d}"
        later = None if published is None else published.replace("T08", f"T{rng.randint(10, 23):02d}")
        articles.append(_enriched(copy_id, f"client{rng.randrange(40)}", syndicate(text, rng), later))
        truth[copy_id] = aid
    return articles, truth


def hard_negatives(rows: list[tuple[str, str]], per_article: int = 1) -> list[tuple[str, str]]:
    """Each article with the other outlet's article sharing the most distinct words (same event, other prose)."""
    vocab = {aid: set(re.findall(r"[a-z]{4,}", text.lower())) for aid, text in rows}
    pairs = set()
    for aid, words in vocab.items():
        outlet = aid.split("_", 1)[0]
        scored = sorted(((len(words & w) / (len(words | w) or 1), other) for other, w in vocab.items()
                         if other.split("_", 1)[0] != outlet), reverse=True)
        pairs |= {tuple(sorted((aid, other))) for _, other in scored[:per_article]}
    return sorted(pairs)  # type: ignore[arg-type]


def run_detector(articles: list[EnrichedArticle], batch: int) -> tuple[dict[str, str | None], float, int]:
    """Every article through upsert + mark in batches; (copy_of by id, articles/s of marking, peak RSS KiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        index = SqliteIndex(Path(tmp) / "index.db")
        detector = CopyDetector(index)
        spent = 0.0
        for start in range(0, len(articles), batch):
            chunk = articles[start:start + batch]
            index.upsert(chunk)
            began = time.perf_counter()
            detector.mark([e.article for e in chunk])
            spent += time.perf_counter() - began
        entries = index.copy_entries([e.article.id for e in articles])
        index.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {e.article.id: entries[e.article.id].copy_of if e.article.id in entries else None
            for e in articles}, len(articles) / spent, rss


def score(marks: dict[str, str | None], truth: dict[str, str], originals: set[str]) -> dict[str, float]:
    """Copy marks against the truth: a copy must point at its original (an original at nothing)."""
    tp = sum(1 for c, o in truth.items() if marks.get(c) == o)
    marked = [aid for aid, of in marks.items() if of]
    fp = sum(1 for aid in marked if truth.get(aid) != marks[aid])
    return {"precision": tp / max(tp + fp, 1), "recall": tp / len(truth), "true": tp, "false": fp,
            "originals marked": sum(1 for aid in marked if aid in originals)}


def pairs_report(articles: list[EnrichedArticle], truth: dict[str, str], negatives: list[tuple[str, str]],
                 thresholds: list[float]) -> list[str]:
    """Pairwise precision/recall per threshold: the copy pairs and the hard negatives, LSH candidacy included."""
    sigs = {e.article.id: signature(e.article.text) for e in articles}
    bands = {aid: set(band_keys(s)) if s else set() for aid, s in sigs.items()}
    lines = []
    saved = detect.THRESHOLD
    for t in thresholds:
        detect.THRESHOLD = t

        def found(a: str, b: str) -> bool:
            sa, sb = sigs[a], sigs[b]
            return bool(sa and sb and bands[a] & bands[b] and is_copy(sa, sb))
        tp = sum(found(c, o) for c, o in truth.items())
        fp = sum(found(a, b) for a, b in negatives)
        lines.append(f"  threshold {t:.2f}: pair recall {tp / len(truth):.3f}, hard negatives taken {fp}/{len(negatives)},"
                     f" pair precision {tp / max(tp + fp, 1):.3f}")
    detect.THRESHOLD = saved
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/polnear"))
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--sweep", action="store_true", help="pairwise precision/recall at several thresholds")
    args = ap.parse_args(argv)
    if not (args.data / SPLITS[0]).exists():
        ap.error(f"no PolNeAR train split in {args.data} (--data DIR)")
    rng = random.Random(args.seed)
    rows = load(args.data)
    articles, truth = build(rows, rng)
    rng.shuffle(articles)  # arrival order: a copy often comes before its original
    negatives = hard_negatives(rows)
    marks, speed, rss = run_detector(articles, args.batch)
    result = score(marks, truth, {aid for aid, _ in rows})
    print(f"{len(rows)} originals, {len(truth)} copies, {len(negatives)} hard-negative pairs; "
          f"threshold {detect.THRESHOLD} (containment), seed {args.seed}")
    print(f"end to end: precision {result['precision']:.3f}, recall {result['recall']:.3f} "
          f"({result['true']} right, {result['false']} wrong marks, {result['originals marked']} originals marked)")
    print(f"marking: {speed:.0f} articles/s (signature + candidates + decision + write), peak RSS {rss // 1024} MiB")
    if args.sweep:
        print("\n".join(pairs_report(articles, truth, negatives, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
