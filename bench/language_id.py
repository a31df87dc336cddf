"""Language identification: accuracy per language on whole texts and first sentences, and its cost.

Usage: .venv/bin/python bench/language_id.py [../shared/data/langid/dev.jsonl] [--polnear PATH]

Prints accuracy per language and overall on each record's whole text (three
sentences) and on its first sentence alone (a title's length), texts/s on
one core (process CPU time), and, on PolNeAR dev articles, the detector's CPU
time per article against the NLP stage's (the Enricher) on the same articles.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.nlp.language import LanguageDetector  # noqa: E402

_FIRST = re.compile(r"(.+?[.!?。！？])(\s|$)", re.S)


def first_sentence(text: str) -> str:
    match = _FIRST.match(text)
    return match.group(1) if match else text


def accuracy(detector: LanguageDetector, records: list[dict], cut: bool) -> None:
    right, total = Counter(), Counter()
    start = time.process_time()
    for record in records:
        text = first_sentence(record["text"]) if cut else record["text"]
        total[record["language"]] += 1
        right[record["language"]] += detector.detect("", text) == record["language"]
    seconds = time.process_time() - start
    label = "first sentence" if cut else "whole text"
    per_language = "  ".join(f"{lang} {right[lang] / total[lang]:.3f}" for lang in sorted(total))
    print(f"{label}: overall {sum(right.values()) / len(records):.4f} "
          f"({len(records) / seconds:.0f} texts/s, one core)\n  {per_language}")


def stage_cost(detector: LanguageDetector, path: Path) -> None:
    from pipeline.config import load_settings
    from pipeline.nlp.enricher import Enricher
    from pipeline.records import Article, Source
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    articles = [Article(id=f"a{i}", url=f"https://example.org/{i}", canonical_url=f"https://example.org/{i}",
                        title=r.get("title", ""), text=r["text"],
                        source=Source("bench", "example.org")) for i, r in enumerate(rows)]
    start = time.process_time()
    for article in articles:
        detector.detect(article.title, article.text)
    detect_s = time.process_time() - start
    enricher = Enricher(load_settings().nlp)
    start = time.process_time()
    enricher.enrich(articles)
    enrich_s = time.process_time() - start
    print(f"{len(articles)} PolNeAR dev articles: detection {1000 * detect_s / len(articles):.2f} ms/article, "
          f"NLP stage {1000 * enrich_s / len(articles):.1f} ms/article: detection costs "
          f"{100 * detect_s / enrich_s:.1f} % of the stage")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", default="../shared/data/langid/dev.jsonl", type=Path)
    parser.add_argument("--polnear", type=Path, default=Path("../shared/data/polnear/dev.jsonl"))
    args = parser.parse_args()
    records = [json.loads(line) for line in args.path.open(encoding="utf-8")]
    detector = LanguageDetector()
    print(f"{len(records)} records, {len({r['language'] for r in records})} languages; "
          f"candidates: every language of the model")
    accuracy(detector, records, cut=False)
    accuracy(detector, records, cut=True)
    if args.polnear.exists():
        stage_cost(detector, args.polnear)


if __name__ == "__main__":
    main()
