"""Entities of the NLP stage against spaCy's full pipeline (exact span and label).

Usage:
    python bench/entity_agreement.py CORPUS.jsonl [--limit N]

The stage runs NER on the whole text but sentence boundaries come from the
model's ``senter`` instead of the parser (NER does not cross them), so its
entities can differ from the full pipeline's. Prints precision, recall and
F1 of the stage's entities (``extract_entities``) taking the full pipeline's
as the reference (target F1 >= 0.99), and the canonical names' agreement.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.config import NlpSettings  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402
from pipeline.nlp.spacy.parser import GatedParser, load_spacy  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    texts = texts[: args.limit] if args.limit else texts
    settings = NlpSettings()
    # Two copies of the model: the stage switches the models it runs (BLAS, embeddings) in place.
    full = load_spacy(settings.model).pipe(texts, batch_size=settings.batch_size)
    stage = GatedParser(load_spacy(settings.model), settings.batch_size).pipe(texts)
    both = n_ref = n_out = same_name = 0
    for ref_doc, doc in zip(full, stage, strict=True):
        ref = {(e.start, e.end, e.label): e.canonical for e in extract_entities(ref_doc)}
        out = {(e.start, e.end, e.label): e.canonical for e in extract_entities(doc)}
        shared = ref.keys() & out.keys()
        both += len(shared)
        same_name += sum(ref[k] == out[k] for k in shared)
        n_ref += len(ref)
        n_out += len(out)
    p, r = both / max(n_out, 1), both / max(n_ref, 1)
    f1 = 2 * p * r / max(p + r, 1e-9)
    print(f"articles {len(texts)}; entities: full pipeline {n_ref}, NLP stage {n_out}, identical {both}")
    print(f"precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}  (target F1 >= 0.99)")
    print(f"canonical name identical on {same_name / max(both, 1):.4f} of the shared entities")


if __name__ == "__main__":
    main()
