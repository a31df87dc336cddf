"""The wire-copy detector over the embedded index: copies found, hard negatives not, order of arrival."""

from __future__ import annotations

from pathlib import Path

import pytest
from copies_wire import article, paragraphs, syndicated

from pipeline.copies.detect import CopyDetector
from pipeline.copies.signature import band_keys, containment, signature
from pipeline.index.sqlite import SqliteIndex


@pytest.fixture
def index(tmp_path: Path):
    idx = SqliteIndex(tmp_path / "index.db")
    yield idx
    idx.close()


def _index(index: SqliteIndex, *enriched) -> dict[str, str | None]:
    """Index and mark one article per batch, as a worker would; every entry's copy_of afterwards."""
    detector = CopyDetector(index, now=iter(f"2024-01-01T00:00:{n:02d}" for n in range(60)).__next__)
    for e in enriched:
        index.upsert([e])
        detector.mark([e.article])
    entries = index.copy_entries([e.article.id for e in enriched])
    return {i: entries[i].copy_of for i in entries}


def test_a_copy_keeping_60_percent_of_the_paragraphs_points_to_its_original(index) -> None:
    story = paragraphs(1)
    marks = _index(index, article("orig", "wire", story, "2016-05-01T10:00:00Z"),
                   article("copy", "daily", syndicated(story, 0.6, 2), "2016-05-01T12:00:00Z"))
    assert marks == {"orig": None, "copy": "orig"}


def test_another_outlets_story_on_the_same_event_is_not_a_copy(index) -> None:
    story, other = paragraphs(1), paragraphs(3)
    # The same event: a shared quotation paragraph, the rest written by the outlet itself.
    same_event = [other[0], story[4], *other[1:8]]
    marks = _index(index, article("orig", "wire", story, "2016-05-01T10:00:00Z"),
                   article("other", "times", same_event, "2016-05-01T11:00:00Z"))
    assert marks == {"orig": None, "other": None}


def test_an_earlier_original_arriving_after_its_copies_becomes_the_original(index) -> None:
    story = paragraphs(5)
    marks = _index(index, article("copy1", "daily", syndicated(story, 0.7, 1), "2016-05-02T09:00:00Z"),
                   article("copy2", "herald", syndicated(story, 0.8, 2), "2016-05-02T08:00:00Z"),
                   article("orig", "wire", story, "2016-05-01T10:00:00Z"))
    assert marks == {"orig": None, "copy1": "orig", "copy2": "orig"}


def test_the_earlier_published_copy_leads_until_the_original_arrives(index) -> None:
    story = paragraphs(5)
    marks = _index(index, article("late", "daily", syndicated(story, 0.7, 1), "2016-05-02T09:00:00Z"),
                   article("early", "herald", syndicated(story, 0.8, 2), "2016-05-02T08:00:00Z"))
    assert marks == {"late": "early", "early": None}


def test_undated_articles_are_ordered_by_first_seen(index) -> None:
    story = paragraphs(9)
    marks = _index(index, article("first", "daily", story, None, fetched="2024-03-01T00:00:00Z"),
                   article("second", "wire", syndicated(story, 0.9, 1), "2016-01-01T00:00:00Z",
                           fetched="2024-03-02T00:00:00Z"))
    assert marks == {"first": None, "second": "first"}


def test_re_indexing_an_unchanged_article_changes_nothing(index) -> None:
    story = paragraphs(11)
    orig, copy = article("orig", "wire", story, "2016-05-01"), article("copy", "daily", syndicated(story, 0.6, 3))
    first = _index(index, orig, copy)
    assert _index(index, copy, orig) == first == {"orig": None, "copy": "orig"}


def test_a_batch_finds_copies_within_itself(index) -> None:
    story = paragraphs(13)
    batch = [article("copy", "daily", syndicated(story, 0.6, 1), "2016-05-03"), article("orig", "wire", story, "2016-05-01")]
    index.upsert(batch)
    assert CopyDetector(index).mark([e.article for e in batch]) == {"orig": None, "copy": "orig"}


def test_text_too_short_to_tell_is_left_unmarked(index) -> None:
    short = ["Officials said it rained."]
    assert _index(index, article("a", "wire", short), article("b", "daily", short)) == {}


def test_signatures_estimate_what_a_copy_keeps() -> None:
    story = paragraphs(17)
    original, copy = signature("\n\n".join(story)), signature("\n\n".join(syndicated(story, 0.6, 1)))
    assert original is not None and copy is not None
    assert containment(original, copy) > 0.8 and set(band_keys(original)) & set(band_keys(copy))
