"""The record codec encodes any str and decodes what it encoded (Hypothesis, bounded and derandomized)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import (
    Article,
    Claim,
    EnrichedArticle,
    Source,
    Span,
    clean_text,
    content_hash,
    decode,
    encode,
    stable_id,
)

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=80)  # surrogates and controls included
FUZZ = settings(max_examples=200, derandomize=True, deadline=None)


def _article(title: str, text: str, author: str) -> Article:
    return Article(id=stable_id("url", title), url="https://x.test/" + title, canonical_url=title,
                   source=Source(author, title), title=title, text=text, summary=text[:10], authors=(author,),
                   published=None, content_hash=content_hash(text))


@FUZZ
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_any_text_round_trips_as_its_clean_form(title, text, author):
    article = _article(title, text, author)
    back = decode(encode(article), Article)
    assert back == _article(clean_text(title), clean_text(text), clean_text(author))
    if clean_text(text) == text:  # valid Unicode: exactly what went in
        assert back.text == text


@FUZZ
@given(ANY_TEXT)
def test_enriched_articles_and_claims_round_trip(text):
    claim = Claim(id="a-0000", article_id="a", ordinal=0, speaker=None, cue=None, content=Span(0, 1, text))
    record = EnrichedArticle(_article(text, text, text), claims=(claim,))
    assert decode(encode(record)) == decode(encode(decode(encode(record))))
    assert decode(encode(record)).claims[0].content.text == clean_text(text)


@FUZZ
@given(ANY_TEXT)
def test_clean_text_is_valid_unicode_and_leaves_valid_text_alone(text):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # never raises
    assert len(cleaned) <= len(text)
    assert clean_text(cleaned) is cleaned
    assert stable_id(text) == stable_id(cleaned) and content_hash(text) == content_hash(cleaned)


def test_ids_of_ordinary_text_are_what_they_always_were():
    import hashlib

    assert stable_id("url", "https://x.test/é") == hashlib.sha256("url\x1fhttps://x.test/é".encode()).hexdigest()[:20]


def test_surrogates_escaped_in_the_json_decode_as_replacement_characters():
    payload = encode(_article("t", "x", "a")).replace(b'"text":"x"', b'"text":"\\ud800 \\ud83d\\ude00"')
    assert decode(payload, Article).text == "\ufffd \U0001f600"


def test_deep_nesting_and_huge_numbers_are_malformed_not_crashes():
    import pytest

    from pipeline.errors import MalformedRecord

    for payload in (b"[" * 100_000, b"{\"a\":" + b"1" * 5000 + b"}"):
        with pytest.raises(MalformedRecord):
            decode(payload)
