#!/usr/bin/env python3
"""Convert the PolNeAR release (its authors' BRAT standoff files) into the JSONL the scorer reads.

Usage:
    python scripts/polnear_jsonl.py RELEASE --split dev > dev.jsonl

RELEASE is a copy of the corpus as its authors publish it (Newell, Margolin & Ruths,
LREC 2018): ``RELEASE/data/<split>/text/<id>.txt`` and
``RELEASE/data/<split>/attributions/<id>_<annotator>.ann``. Each output line is
``{"id", "text", "annotator", "gold": [{"source": [[s, e], ...], "cue": [...], "content": [...]}]}``
with end-exclusive character offsets into ``text`` (``source`` is ``[]`` when the
attribution has none), one line per article, in file-name order. Where several
annotators annotated an article, the annotation that agrees best with the others
(mean character Jaccard of the attributed content) is kept.

Only ``train`` and ``dev`` are offered: the test split is held out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROLES = ("source", "cue", "content")
Fragments = list[list[int]]


def parse_ann(text: str) -> list[dict[str, Fragments]]:
    """The attributions of one ``.ann`` file, in the order of its event (``E``) lines."""
    spans: dict[str, Fragments] = {}
    events: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            _label, _, offsets = fields[1].partition(" ")
            spans[fields[0]] = [[int(s), int(e)] for s, e in (part.split() for part in offsets.split(";"))]
        elif line.startswith("E") and len(fields) >= 2:
            events.append([tuple(arg.split(":", 1)) for arg in fields[1].split()])  # type: ignore[misc]
    gold = []
    for args in events:
        attribution: dict[str, Fragments] = {role: [] for role in ROLES}
        for role, target in args:
            key = role.rstrip("0123456789").lower()
            if key in attribution and target in spans:
                attribution[key] += spans[target]
        if attribution["content"]:
            gold.append({role: sorted(attribution[role]) for role in ROLES})
    return gold


def _covered(gold: list[dict[str, Fragments]]) -> set[int]:
    return {i for a in gold for s, e in a["content"] for i in range(s, e)}


def best_agreeing(annotations: dict[str, list[dict[str, Fragments]]]) -> str:
    """The annotator whose content coverage agrees best (mean Jaccard) with the others'; ties: lowest code."""
    covered = {who: _covered(gold) for who, gold in annotations.items()}

    def agreement(who: str) -> float:
        others = [c for other, c in covered.items() if other != who]
        mine = covered[who]
        return sum(len(mine & c) / (len(mine | c) or 1) for c in others) / max(1, len(others))

    return min(sorted(annotations), key=lambda who: -agreement(who))


def convert(release: Path, split: str) -> list[dict]:
    """One record per annotated article of ``split``."""
    base = release / "data" / split
    by_article: dict[str, dict[str, list[dict[str, Fragments]]]] = defaultdict(dict)
    for ann in sorted((base / "attributions").glob("*.ann")):
        article_id, _, annotator = ann.stem.rpartition("_")
        by_article[article_id][annotator] = parse_ann(ann.read_text(encoding="utf-8"))
    records = []
    for article_id in sorted(by_article):
        text_file = base / "text" / f"{article_id}.txt"
        with text_file.open(encoding="utf-8", newline="") as fh:  # offsets count "\r\n" as two characters
            text = fh.read()
        annotator = best_agreeing(by_article[article_id])
        records.append({"id": article_id, "text": text, "annotator": annotator,
                        "gold": by_article[article_id][annotator]})
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("release", type=Path, help="the corpus as its authors publish it (has data/<split>/)")
    parser.add_argument("--split", choices=("train", "dev"), default="dev", help="default: dev")
    args = parser.parse_args(argv)
    if not (args.release / "data" / args.split / "attributions").is_dir():
        print(f"polnear_jsonl: {args.release}/data/{args.split}/attributions not found", file=sys.stderr)
        return 2
    for record in convert(args.release, args.split):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
