"""The language of an article, from its own text (py3langid; its model ships in its wheel).

The only module that imports ``py3langid`` (an import contract says so). A
feed's declared language is a hint: it is used only when the text is too
short or too ambiguous to tell; otherwise the text decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

UNDETERMINED = "und"  # ISO 639-2's code for "cannot tell"
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _identifier(candidates: tuple[str, ...]) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if candidates:
        identifier.set_languages(list(candidates))
    return identifier


class LanguageDetector:
    """ISO 639-1 code of a text's language, or ``und`` when the text cannot tell.

    Guarantees: deterministic; reads at most ``sample_chars`` characters (title
    first, then body), so its cost per article is bounded whatever the
    article's length; a sample with fewer than ``min_letters`` letters, or whose
    best language scores below ``min_confidence``, gives the declared ``hint``
    when there is one and ``und`` otherwise.
    """

    def __init__(self, candidates: Sequence[str] = (), *, sample_chars: int = 1500,
                 min_letters: int = 10, min_confidence: float = 0.3) -> None:
        self._identifier = _identifier(tuple(sorted(candidates)))
        self.sample_chars = sample_chars
        self.min_letters = min_letters
        self.min_confidence = min_confidence

    def detect(self, title: str, text: str, hint: str | None = None) -> str:
        sample = f"{title}\n{text}"[: self.sample_chars]
        fallback = hint or UNDETERMINED
        if len(_LETTER.findall(sample)) < self.min_letters:
            return fallback
        language, confidence = self._identifier.classify(sample)
        return str(language) if confidence >= self.min_confidence else fallback
