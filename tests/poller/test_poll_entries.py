"""Entries become articles the way replay builds them: same ids, clean text, UTC dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.poller.entries import FeedRef, build, publication_date, with_full_text
from pipeline.poller.parse import FeedEntry
from pipeline.replay.files import json_article

FEED = FeedRef(1, "https://news.example.com/rss", "Example News")
FETCHED = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


def test_ids_agree_with_replay_for_the_same_url() -> None:
    entry = FeedEntry(
        guid="g1",
        link="https://News.Example.com/story?utm_source=rss#x",
        title="T",
        summary_html="<p>Some text</p>",
    )
    candidate = build(entry, FEED, FETCHED)
    replayed = json_article({"url": "https://news.example.com/story", "text": "other"})
    assert candidate.article.id == replayed.id
    assert candidate.article.canonical_url == "https://news.example.com/story"
    assert ("guid", "1:g1") in candidate.dedupe_keys()


def test_markup_becomes_clean_text() -> None:
    entry = FeedEntry(
        link="https://e.com/a",
        title="<b>Big</b> &amp; <script>x()</script>bold",
        content_html="<p>One <i>two</i></p><script>evil()</script><p>Three&nbsp;four</p>",
        summary_html="<div>Sum<br/>mary</div>",
    )
    article = build(entry, FEED, FETCHED).article
    assert article.title == "Big & bold"
    assert article.text == "One two\n\nThree four"
    assert article.summary == "Sum\nmary"


def test_dates_are_utc_and_estimated_when_missing_or_in_the_future() -> None:
    when = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    assert publication_date(when, FETCHED) == ("2025-06-01T08:00:00+00:00", False)
    assert publication_date(None, FETCHED) == ("2025-06-03T12:00:00+00:00", True)
    assert publication_date(FETCHED + timedelta(days=30), FETCHED)[1] is True


def test_entry_without_link_is_identified_within_its_feed() -> None:
    a = build(FeedEntry(guid="tag:1", summary_html="words"), FEED, FETCHED).article
    b = build(
        FeedEntry(guid="tag:1", summary_html="words"), FeedRef(2, "https://other.org/f", ""), FETCHED
    ).article
    assert a.canonical_url.startswith("feed-entry:") and a.id != b.id
    assert build(FeedEntry(), FEED, FETCHED) is None  # nothing to publish


def test_summary_only_entries_ask_for_full_text() -> None:
    short = build(FeedEntry(link="https://e.com/a", summary_html="A teaser."), FEED, FETCHED)
    full = build(
        FeedEntry(link="https://e.com/b", content_html="<p>" + "word " * 400 + "</p>"), FEED, FETCHED
    )
    assert short.needs_full_text and not full.needs_full_text
    upgraded = with_full_text(short, "The whole story. " * 30)
    assert upgraded.article.text.startswith("The whole story") and upgraded.article.summary == "A teaser."
    assert upgraded.article.content_hash != short.article.content_hash


def test_language_is_the_primary_subtag() -> None:
    assert (
        build(FeedEntry(link="https://e.com/a", title="t", language="de-AT"), FEED, FETCHED).article.language
        == "de"
    )
    assert (
        build(FeedEntry(link="https://e.com/a", title="t", language="??"), FEED, FETCHED).article.language
        == "und"  # no usable declaration: the NLP stage tells from the text
    )
