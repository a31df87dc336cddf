"""The NLP budget of one article, as far as it can be read off the text before spaCy sees it.

spaCy's tokenizer is superlinear in a run of characters without a space that
it keeps splitting affixes off (a run of 4,000 ``"``: 2.4 s; 200,000: hours)
and cannot be interrupted, so such a text is refused before it is tokenized.
The caps spaCy itself must count (tokens per article and per sentence) are
applied by :class:`pipeline.nlp.spacy.parser.GatedParser`. Pure Python,
linear in the text.
"""

from __future__ import annotations

OVER_BUDGET = "over the NLP budget"  # how a capped article's report (its dead letter) begins


def long_run(text: str, max_run_chars: int) -> str | None:
    """Why ``text`` must not reach the tokenizer (a run of non-space characters over ``max_run_chars``), or None."""
    longest = max(map(len, text.split()), default=0)  # split on whitespace, as spaCy's tokenizer does
    if longest > max_run_chars:
        return f"a run of {longest:,} characters without a space (max_run_chars {max_run_chars:,})"
    return None
