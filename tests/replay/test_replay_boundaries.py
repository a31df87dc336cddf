"""Every line and every file of a replay is an error boundary: one bad record, one clear error."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.records import Article, decode, encode
from pipeline.replay.files import ReplayError, jsonl_articles, read_articles

GOOD = json.dumps({"text": "A good article.", "url": "https://news.test/good"})


def _lines(path, *lines: str) -> list:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return list(read_articles(path))


def test_deep_nesting_is_that_lines_error(tmp_path):
    items = _lines(tmp_path / "a.jsonl", "[" * 100_000, GOOD)
    assert isinstance(items[0], ReplayError) and items[0].line == 1 and "nested too deeply" in items[0].reason
    assert isinstance(items[1], Article)


def test_a_date_past_year_9999_in_utc_is_that_lines_error(tmp_path):
    late = json.dumps({"text": "Late.", "published": "9999-12-31T23:59:59-23:59"})
    items = _lines(tmp_path / "a.jsonl", late, GOOD)
    assert isinstance(items[0], ReplayError) and "out of range" in items[0].reason
    assert isinstance(items[1], Article)


def test_negative_years_are_refused_not_reinterpreted(tmp_path):
    items = _lines(tmp_path / "a.jsonl", json.dumps({"text": "Old.", "published": "-0001-01-01"}))
    assert isinstance(items[0], ReplayError) and "year out of range" in items[0].reason


def test_a_lone_surrogate_in_a_title_is_replaced_and_the_article_encodes(tmp_path):
    line = '{"text": "Body \\ud83d\\ude00 ok.", "title": "Bad \\ud800 title"}'
    [article] = _lines(tmp_path / "a.jsonl", line)
    assert article.title == "Bad \ufffd title" and article.text == "Body \U0001f600 ok."
    assert decode(encode(article), Article) == article


def test_wrong_types_are_that_lines_error(tmp_path):
    lines = [json.dumps({"text": "x", "title": {"a": 1}}), json.dumps({"text": "x", "authors": 5}),
             json.dumps({"text": "x", "url": "http://h:99999/"}), json.dumps({"text": 1e400}),
             "1" * 5000, GOOD]
    items = _lines(tmp_path / "a.jsonl", *lines)
    assert [type(i).__name__ for i in items] == ["ReplayError"] * 5 + ["Article"]
    assert '"title": expected a string' in items[0].reason and '"url": malformed URL' in items[2].reason


def test_an_unexpected_exception_in_one_file_does_not_end_the_next(tmp_path, monkeypatch):
    import pipeline.replay.files as files

    def explode(text):
        raise MemoryError("pretend")

    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_text("Bad one.")
    good.write_text("Good one.")
    real = files.title_from_text
    monkeypatch.setattr(files, "title_from_text", lambda text: explode(text) if "Bad" in text else real(text))
    [error] = list(read_articles(bad))
    assert isinstance(error, ReplayError) and "unexpected MemoryError: pretend" in error.reason
    assert isinstance(next(read_articles(good)), Article)


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(exclude_categories=())),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "title", "url", "published", "source", "authors", "summary", "language",
                         "id", "name", "domain", "feed_url"]), inner, max_size=6),
    max_leaves=12)
_LINES = st.one_of(
    _JSONISH.map(lambda v: json.dumps(v)),
    st.text(st.characters(exclude_categories=()), max_size=60),
    st.builds(lambda text, date, url: json.dumps({"text": text, "published": date, "url": url}),
              st.text(min_size=1), st.text(max_size=30), st.text(max_size=30)),
)


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, max_size=5))
def test_any_line_gives_one_article_or_one_error_and_articles_encode(tmp_path_factory, lines):
    path = tmp_path_factory.getbasetemp() / "fuzz.jsonl"  # the path only names the errors
    text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines)
    items = list(jsonl_articles(path, text))
    assert len(items) == sum(1 for line in text.splitlines() if line.strip())
    for item in items:
        assert isinstance(item, Article | ReplayError)
        if isinstance(item, Article):
            assert decode(encode(item), Article) == item
