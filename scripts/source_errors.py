"""Count where claim source (speaker) errors fall, on a PolNeAR-format split.

Usage:
    python scripts/source_errors.py GOLD.jsonl PRED.jsonl

PRED.jsonl is what ``scripts/eval_claims.py --pred`` writes. Contents are
matched as ``scripts/score_claims.py`` matches them; among matches whose gold
has a source and whose predicted speaker misses it, each error gets one class
(the first that applies, in the order printed). Prints counts only, never
corpus text. Use it on train or dev only: the test split is held out.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_claims import TokenIndex, greedy_match  # noqa: E402

_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "who", "him", "her", "them", "us"})
Ranges = list[tuple[int, int]]


def _ranges(val: object) -> Ranges:
    vals = val if isinstance(val, list) else [] if val is None else [val]
    return [(v["start"], v["end"]) for v in vals]


def _gold_kind(text: str, src: Ranges) -> str:
    words = " ".join(text[s:e] for s, e in src).split()
    if len(words) == 1 and words[0].lower().strip(",.") in _PRONOUNS:
        return "pronoun"
    return "one word" if len(words) == 1 else "phrase"


def _sentence_of(text: str, at: int) -> tuple[int, int]:
    """A rough sentence: from the previous '. ' or line break to the next."""
    starts = [text.rfind(sep, 0, at) for sep in (". ", "\n", "? ", "! ")]
    ends = [i for i in (text.find(sep, at) for sep in (". ", "\n", "? ", "! ")) if i >= 0]
    return max(starts) + 1, min(ends, default=len(text))


def classify(text: str, gold: dict, pred: dict, idx: TokenIndex) -> str:
    """The error class of one wrong source (see the module doc)."""
    src, sp, content = gold["source"], _ranges(pred.get("speaker")), _ranges(pred["content"])
    cue = _ranges(pred.get("cue")) or content
    kind = _gold_kind(text, src)
    g_first = min(s for s, _ in src)
    side = "before" if g_first < cue[0][0] else "after"
    sent = _sentence_of(text, cue[0][0])
    where = "same sentence" if sent[0] <= g_first < sent[1] else "other sentence"
    if not sp:
        return f"null: gold {kind}, {side} cue, {where}"
    g_chars, c_chars = idx.nonspace_chars(src), idx.nonspace_chars(content)
    p_chars = idx.nonspace_chars(sp)
    if p_chars & c_chars:
        return "wrong: speaker inside content"
    if g_chars & c_chars:
        return "wrong: gold source inside content"
    gap = min(abs(a - b) for a in g_chars for b in p_chars)
    near = "adjacent (<= 3 chars)" if gap <= 3 else "near (<= 40 chars)" if gap <= 40 else "far"
    return f"wrong: gold {kind}, {side} cue, {near}"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__ or "")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        gold = {a["id"]: a for a in map(json.loads, filter(str.strip, fh))}
    with open(argv[2], encoding="utf-8") as fh:
        preds = {p["id"]: p["claims"] for p in map(json.loads, filter(str.strip, fh))}
    counts: Counter[str] = Counter()
    total = 0
    for aid, art in gold.items():
        text, claims = art["text"], preds.get(aid, [])
        idx = TokenIndex(text)
        matches = greedy_match([idx.tokens_of(g["content"]) for g in art["gold"]],
                               [idx.tokens_of(_ranges(c["content"])) for c in claims])
        for gi, pi, _ in matches:
            g, c = art["gold"][gi], claims[pi]
            if not g["source"]:
                continue
            total += 1
            if idx.nonspace_chars(g["source"]) & idx.nonspace_chars(_ranges(c.get("speaker"))):
                continue
            counts[classify(text, g, c, idx)] += 1
    print(f"matches with a gold source: {total}, source wrong: {sum(counts.values())}")
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{n:6d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
