"""Where predicted claim contents and gold contents differ in their boundaries (counts only).

Usage:
    python bench/content_boundaries.py GOLD.jsonl [--docbin FILE] [--scorer PATH] [--top N]

Runs the extractor as ``scripts/eval_claims.py`` does (with ``--docbin`` caching the parse as
``scripts/train_claims.py`` does), matches predictions to gold as the scorer does (token Jaccard
>= .5, greedy one to one) and, for each lenient match that is not a strict one, describes the
difference at each end: which side is longer and the kind of the extra tokens (function words
by name, other words by part of speech, first three tokens). It prints counts only, never
article text: use it on train (tune there) and report dev.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from train_claims import load_docs  # noqa: E402

from pipeline.nlp.claims import extract_claims  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402

SCORER = str(Path(__file__).resolve().parents[1] / "scripts" / "score_claims.py")
# Words named in the table (closed-class words; anything else shows as its part of speech).
_NAMED = frozenset({"that", "whether", "if", "to", "he", "she", "they", "it", "said", "says", "told", "according",
                    "which", "who", "and", "but", "or", "as", "in", "on", "at", "for", "of", "with", "by", "the",
                    "a", "an", "is", "was", "would", "will", "not", "this", "when", "after", "because", "while"})


def load_scorer(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("score_claims", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def trimmed(sc: Any, text: str, s: int, e: int) -> tuple[int, int]:
    """``(s, e)`` without the edge characters the strict key trims."""
    while s < e and sc._is_trim_char(text[s]):
        s += 1
    while e > s and sc._is_trim_char(text[e - 1]):
        e -= 1
    return s, e


def shape(doc: Any, s: int, e: int) -> str:
    """Kind of the tokens in characters [s, e): named function words, else coarse tags; first three."""
    span = doc.char_span(s, e, alignment_mode="expand")
    toks = [] if span is None else list(span)
    words = []
    for t in toks[:3]:
        if t.is_punct or t.is_quote:
            words.append("Q" if t.is_quote else t.text)
        elif t.lower_ in _NAMED:
            words.append(t.lower_)
        else:
            words.append(t.pos_ or "X")
    n = len(toks)
    size = "1" if n == 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9+"
    sents = {t.sent.start for t in toks} if toks and toks[0].doc.has_annotation("SENT_START") else set()
    extra = " +sent" if len(sents) > 1 else ""
    return f"{' '.join(words)} [{size}]{extra}"


def side(doc: Any, text: str, ps: int, pe: int, gs: int, ge: int, start: bool) -> str:
    if start:
        if ps == gs:
            return "="
        return ("pred longer: " + shape(doc, ps, gs)) if ps < gs else ("pred shorter: " + shape(doc, gs, ps))
    if pe == ge:
        return "="
    return ("pred longer: " + shape(doc, ge, pe)) if pe > ge else ("pred shorter: " + shape(doc, pe, ge))


def pieces(claim: Any) -> list[tuple[int, int]]:
    """The claim's content as the scorer reads it: its pieces, else the whole span."""
    parts = claim.content_parts or (claim.content,)
    return [(p.start, p.end) for p in parts]


def split_at_cue(claim: Any) -> list[tuple[int, int]]:
    """What-if: the content in two pieces around its cue and speaker when they lie inside it
    ('"Q1," he said, "Q2"'), as PolNeAR annotates it (a claim's content is one span today)."""
    c = claim.content
    parts = [claim.cue] + ([claim.speaker] if claim.speaker is not None else [])
    lo, hi = min(p.start for p in parts), max(p.end for p in parts)
    if not c.start < lo < hi < c.end:
        return [(c.start, c.end)]
    return [(c.start, lo), (hi, c.end)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("--docbin", help="cache of the spaCy parses (read if present, else written)")
    ap.add_argument("--scorer", default=SCORER)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--rules", action="store_true", help="rule path only (no learned scorer)")
    args = ap.parse_args()
    sc = load_scorer(args.scorer)
    arts, docs = load_docs(args.gold, args.docbin)
    n_gold = n_pred = tp = strict = 0
    kinds: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for art, doc in zip(arts, docs, strict=True):
        text = art["text"]
        claims = extract_claims(doc, extract_entities(doc), art["id"], **({"model": None} if args.rules else {}))
        gold = [[tuple(r) for r in g["content"]] for g in art["gold"]]
        pred = [pieces(c) for c in claims]
        idx = sc.TokenIndex(text)
        matches = sc.greedy_match([idx.tokens_of(g) for g in gold], [idx.tokens_of(p) for p in pred])
        n_gold, n_pred, tp = n_gold + len(gold), n_pred + len(pred), tp + len(matches)
        strict += sc.strict_match_count(text, [{"content": g} for g in gold], [{"content": p} for p in pred])
        for gi, pi, _ in matches:
            g, p = gold[gi], pred[pi]
            if sc.strict_key(text, g) == sc.strict_key(text, p):
                kinds["strict"] += 1
                continue
            if len(g) > 1:
                kinds["gold in pieces"] += 1
                if len(pred[pi]) == 1 and sc.strict_key(text, g) == sc.strict_key(text, split_at_cue(claims[pi])):
                    kinds["gold in pieces, strict if split around cue+speaker"] += 1
                continue
            gs, ge = trimmed(sc, text, *g[0])
            ps, pe = trimmed(sc, text, p[0][0], p[-1][1])
            kinds["one end" if (gs == ps) != (ge == pe) else "both ends" if gs != ps else "inner space"] += 1
            starts[side(doc, text, ps, pe, gs, ge, True)] += 1
            ends[side(doc, text, ps, pe, gs, ge, False)] += 1

    def f1(k: int) -> str:
        p, r = k / max(n_pred, 1), k / max(n_gold, 1)
        return f"P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f} ({k})"

    print(f"gold {n_gold} pred {n_pred}\nlenient {f1(tp)}\nstrict  {f1(strict)}")
    print("\nlenient matches by boundary agreement:")
    for k, v in kinds.most_common():
        print(f"  {v:6d}  {k}")
    for name, table in (("start", starts), ("end", ends)):
        print(f"\n{name} of content (non-strict single-piece matches):")
        for k, v in table.most_common(args.top):
            print(f"  {v:6d}  {k}")


if __name__ == "__main__":
    main()
