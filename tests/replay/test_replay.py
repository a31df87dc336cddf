import json

import pytest

from pipeline.errors import InputError
from pipeline.replay.files import ReplayError, find_files, read_articles, title_from_text


def articles(path):
    return list(read_articles(path))


def test_seed_style_text_gets_a_title_without_its_dateline(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Tehran, Iran – The United States has doubled down on its claim. More follows.\n\nNext.")
    [article] = articles(path)
    assert article.title == "The United States has doubled down on its claim."
    assert article.text.startswith("Tehran, Iran –")


def test_ids_depend_on_content_only(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    for folder in ("one", "two"):
        (tmp_path / folder / f"{folder}.txt").write_text("Same words.\n")
    first, second = articles(tmp_path / "one" / "one.txt"), articles(tmp_path / "two" / "two.txt")
    assert first[0].id == second[0].id
    (tmp_path / "two" / "two.txt").write_text("Other words.\n")
    assert articles(tmp_path / "two" / "two.txt")[0].id != first[0].id


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"   \n\t\n", "only white space"),
    (b"\x00\x01\x02binary", "binary file"),
    (b"caf\xe9 latin-1 text", "not UTF-8"),
])
def test_bad_files_give_a_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    [error] = articles(path)
    assert isinstance(error, ReplayError) and reason in error.reason


def test_enormous_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(10_000_000)  # sparse: no disk, no memory
    [error] = articles(path)
    assert isinstance(error, ReplayError) and "too large" in error.reason


def test_jsonl_bad_lines_are_reported_and_good_lines_go_on(tmp_path):
    path = tmp_path / "dump.jsonl"
    lines = [json.dumps({"text": "First article.", "url": "https://News.test/a?utm_source=x#top"}),
             "{broken", json.dumps({"title": "no text"}), json.dumps([1]),
             json.dumps({"text": "Dated.", "published": "2022-07-16T10:00:00+02:00", "source": "Outlet"}),
             json.dumps({"text": "Bad date.", "published": "yesterday"})]
    path.write_text("\n".join(lines) + "\n")
    items = articles(path)
    good = [i for i in items if not isinstance(i, ReplayError)]
    bad = [i for i in items if isinstance(i, ReplayError)]
    assert [a.text for a in good] == ["First article.", "Dated."]
    assert good[0].canonical_url == "https://news.test/a" and good[0].source.domain == "news.test"
    assert good[1].published == "2022-07-16T08:00:00+00:00" and good[1].source.name == "Outlet"
    assert [e.line for e in bad] == [2, 3, 4, 6]
    assert "not JSON" in bad[0].reason and 'missing "text"' in bad[1].reason


def test_find_files_walks_folders_and_rejects_missing_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    (tmp_path / "a.jsonl").write_text("{}")
    (tmp_path / "notes.md").write_text("ignored")
    assert [p.name for p in find_files([tmp_path])] == ["a.jsonl", "b.txt"]
    with pytest.raises(InputError, match="no such file"):
        find_files([tmp_path / "missing"])


def test_long_first_sentence_is_cut_at_a_word():
    title = title_from_text("word " * 100)
    assert title.endswith("…") and len(title) <= 141
