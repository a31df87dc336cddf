"""Web archives: HTML responses become articles by the poller's rules; every other record is counted."""

from __future__ import annotations

import gzip
import tracemalloc
from collections import Counter

import pytest
from warcs import PARAGRAPH, Archive, page

from pipeline.records import Article, decode, encode, stable_id
from pipeline.replay.files import ReplayError, ReplaySkip, find_files, read_articles
from pipeline.urls import canonical_url

LAYOUTS = ["gzip-per-record", "gzip-whole-file", "plain"]


def replay(path, cap: int = 10_000_000):
    items = list(read_articles(path, cap))
    articles = [i for i in items if isinstance(i, Article)]
    errors = [i for i in items if isinstance(i, ReplayError)]
    skips = Counter(i.kind for i in items if isinstance(i, ReplaySkip))
    return articles, errors, skips


def mixed() -> Archive:
    return (Archive()
            .other("request", "https://news.test/a")
            .response("https://News.test/a?utm_source=feed#top", page("Bridge opens late"))
            .response("https://news.test/logo.png", b"\x89PNG...", content_type="image/png")
            .response("https://news.test/gone", b"not here", status="404 Not Found")
            .other("metadata", "https://news.test/a", b"outlinks: ...")
            .response("https://news.test/b", page("Second story"), date="2024-03-02T08:30:00Z"))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_html_responses_become_articles_and_other_records_are_counted(tmp_path, layout):
    name = "crawl.warc" if layout == "plain" else "crawl.warc.gz"
    articles, errors, skips = replay(mixed().write(tmp_path / name, layout))
    assert errors == []
    assert skips == {"warcinfo": 1, "request": 1, "not HTML": 1, "HTTP 404": 1, "metadata": 1}
    first, second = articles
    assert first.id == stable_id("url", "https://news.test/a")  # the poller's URL rule
    assert first.canonical_url == canonical_url("https://News.test/a?utm_source=feed#top")
    assert first.title == "Bridge opens late" and PARAGRAPH.strip() in first.text and "Home | World" not in first.text
    assert first.fetched == "2024-03-01T10:00:00+00:00" == first.published and first.published_estimated
    assert second.fetched == "2024-03-02T08:30:00+00:00" and first.source.domain == "news.test"
    assert decode(encode(first), Article) == first


def test_same_ids_on_every_replay_and_in_every_layout(tmp_path):
    ids = [[a.id for a in replay(mixed().write(tmp_path / f"{layout}.warc.gz", layout))[0]] for layout in LAYOUTS]
    again = [a.id for a in replay(tmp_path / "plain.warc.gz")[0]]
    assert ids[0] == ids[1] == ids[2] == again and len(set(ids[0])) == 2


def test_the_pages_own_date_is_the_published_date(tmp_path):
    html = page("Dated").replace(b"<head>", b'<head><meta property="article:published_time" content="2024-02-28">')
    [article], _, _ = replay(Archive().response("https://news.test/d", html).write(tmp_path / "d.warc.gz"))
    assert article.published == "2024-02-28T00:00:00+00:00" and not article.published_estimated


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_broken_record_is_its_own_error_and_the_next_goes_on(tmp_path, layout):
    archive = (Archive()
               .raw_response(None, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page("No URI"))
               .raw_response("https://news.test/empty", b"")
               .response("https://news.test/undated", page("Bad date"), date="yesterday")
               .response("https://news.test/menu", b"<html><body><a href=/>Home</a></body></html>")
               .response("https://news.test/ok", page("Still here")))
    articles, errors, skips = replay(archive.write(tmp_path / "broken.warc.gz", layout))
    assert [a.title for a in articles] == ["Still here"]
    reasons = [e.reason for e in errors]
    assert "without a WARC-Target-URI" in reasons[0] and "unreadable HTTP headers" in reasons[1]
    assert "WARC-Date: not an ISO 8601 date" in reasons[2] and len(errors) == 3
    assert skips["no article text"] == 1
    assert all(e.offset is not None and "record at byte" in str(e) for e in errors)


def test_a_record_over_the_cap_is_refused_from_its_header_and_skipped(tmp_path):
    archive = (Archive().response("https://news.test/huge", page("Huge", 2000))
               .response("https://news.test/ok", page("Small")))
    articles, errors, _ = replay(archive.write(tmp_path / "big.warc.gz"), cap=50_000)
    assert [a.title for a in articles] == ["Small"]
    [error] = errors
    assert "record too large" in error.reason and "the limit is 50,000" in error.reason


def test_a_compressed_body_is_capped_as_it_is_decoded(tmp_path):
    bomb = gzip.compress(page("Bomb", 20_000))  # ~3 MB of HTML in ~10 kB
    archive = (Archive().response("https://news.test/bomb", bomb, extra=[("Content-Encoding", "gzip")])
               .response("https://news.test/ok", page("After")))
    articles, errors, _ = replay(archive.write(tmp_path / "bomb.warc.gz"), cap=100_000)
    assert [a.title for a in articles] == ["After"]
    assert "page too large (over 100,000 bytes decoded)" in errors[0].reason


def test_memory_stays_flat_on_a_big_record(tmp_path):
    archive = (Archive().response("https://news.test/huge", page("Huge", 300_000))  # ~40 MB
               .response("https://news.test/ok", page("Small")))
    path = archive.write(tmp_path / "big.warc.gz", "gzip-whole-file")
    tracemalloc.start()
    try:
        articles, errors, _ = replay(path, cap=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [a.title for a in articles] == ["Small"] and "record too large" in errors[0].reason
    assert peak < 8_000_000, f"peak {peak:,} bytes for a 40 MB record"


@pytest.mark.parametrize("content", [b"just some text\nnot a warc\n", b"\x1f\x8b\x08garbage", b"\x00" * 100])
def test_a_file_that_is_not_a_warc_is_one_error(tmp_path, content):
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(content)
    articles, errors, _ = replay(path)
    assert articles == [] and len(errors) == 1


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_truncated_file_keeps_what_came_before_and_says_so(tmp_path, layout):
    archive = Archive().response("https://news.test/a", page("First")).response("https://news.test/b", page("Cut"))
    path = archive.write(tmp_path / "cut.warc.gz", layout)
    path.write_bytes(path.read_bytes()[:-400 if layout == "plain" else -30])  # into the last record
    articles, errors, _ = replay(path)
    assert [a.title for a in articles] == ["First"]
    [error] = errors
    assert "truncated" in error.reason or "corrupt" in error.reason


def test_folders_are_searched_for_warc_files(tmp_path):
    mixed().write(tmp_path / "a.warc.gz")
    mixed().write(tmp_path / "b.warc", "plain")
    (tmp_path / "c.gz").write_bytes(b"not ours")
    assert [p.name for p in find_files([tmp_path])] == ["a.warc.gz", "b.warc"]


def test_replay_command_publishes_pages_and_counts_the_rest(tmp_path, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PIPELINE_CONFIG", raising=False)
    path = mixed().raw_response(None, b"HTTP/1.1 200 OK\r\n\r\n").write(tmp_path / "crawl.warc.gz")
    assert main(["replay", "--quiet", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "published 2 article(s) from 1 file(s)" in out and "1 skipped (see above)" in out
    assert "5 record(s) not articles (" in out and "request 1" in out and "without a WARC-Target-URI" in err
