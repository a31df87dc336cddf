"""TokenMarks: the same answers as a scan, each token tested once per test (the claim rules stay linear)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.nlp.marks import TokenMarks


@dataclass
class Tok:
    text: str


@dataclass
class Sent:
    start: int
    end: int


class Doc(list):
    """A list of tokens with sentence bounds: all TokenMarks reads of a doc."""

    def __init__(self, words: list[str], sentence_starts: list[int]) -> None:
        super().__init__(Tok(w) for w in words)
        ends = sentence_starts[1:] + [len(words)]
        self.sents = [Sent(s, e) for s, e in zip(sentence_starts, ends, strict=True)]


WORDS = ["a", ",", "b", ";", "c", ".", "d", ",", "e", ",", "f", "—", "g", ".", "h", ","]
DOC = Doc(WORDS, [0, 6, 13])
calls: list[int] = []


def is_comma(doc, i):
    calls.append(i)
    return doc[i].text == ","


def test_first_is_the_scan_for_every_range_inside_and_across_sentences():
    marks = TokenMarks(DOC)
    for lo in range(len(DOC)):
        for hi in range(lo, len(DOC) + 1):
            expected = next((i for i in range(lo, hi) if DOC[i].text == ","), None)
            assert marks.first(is_comma, lo, hi) == expected, (lo, hi)


def test_each_token_is_tested_once_however_many_cues_ask():
    words = ["said", "that", ","] * 2_000  # one sentence of 6,000 tokens, a cue every third token
    doc = Doc(words, [0])
    marks = TokenMarks(doc)
    calls.clear()
    for cue in range(0, len(words), 3):  # each cue asks about the rest of the sentence, as a content rule does
        assert marks.first(is_comma, cue + 1, len(words)) == cue + 2
    assert len(calls) == len(words)


def test_sentence_bounds_are_those_of_the_doc():
    marks = TokenMarks(DOC)
    assert [marks.sentence(i) for i in (0, 5, 6, 12, 13, 14)] == [(0, 6), (0, 6), (6, 13), (6, 13), (13, 16), (13, 16)]
