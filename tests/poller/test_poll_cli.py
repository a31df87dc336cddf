"""The command line end to end: feeds add/list/remove/import-opml, poll --once, status, search --articles."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from pollsite import Item, NewsSite

from pipeline.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PIPELINE_POLLER__FULL_TEXT", "false")  # the switch the issue names
    monkeypatch.delenv("PIPELINE_CONFIG", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_feeds_poll_status_and_search(env: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(3):
        site.add("world", Item(f"w{i}", f"Harbour plan vote {i}"))
    code, out, _ = run(capsys, "feeds", "add", site.feed_url("world"), "--name", "World Desk")
    assert code == 0 and out.startswith("added feed 1")
    code, _, err = run(capsys, "feeds", "add", "file:///etc/passwd")
    assert code == 2 and "only http and https" in err

    code, out, _ = run(capsys, "poll", "--once", "--quiet")
    assert code == 0 and "polled 1 feed(s)" in out and "3 article(s) published" in out
    code, out, _ = run(capsys, "poll", "--once", "--force", "--quiet")
    assert code == 0 and "(0 article(s) published), 1 unchanged" in out

    code, out, _ = run(capsys, "feeds", "list", "--json")
    (row,) = json.loads(out)
    assert row["status"] == "ok" and row["name"] == "World Desk" and row["consecutive_failures"] == 0
    assert row["last_success"] and row["next_poll"] and row["items_per_day"] > 0
    code, out, _ = run(capsys, "feeds", "list")
    assert "World Desk" in out and "items/day" in out

    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)["feeds"]["by_status"] == {"ok": 1}
    code, out, _ = run(capsys, "status")
    assert "feeds: 1 (1 ok)" in out and "World Desk" in out

    _index_raw_articles(env / "data")
    code, out, _ = run(capsys, "search", "--articles", "harbour", "--json")
    hits = [h["article"] for h in json.loads(out)["hits"]]
    assert code == 0 and len(hits) == 3
    assert {h["title"] for h in hits} == {f"Harbour plan vote {i}" for i in range(3)}
    assert all(h["published"].startswith("2025-06-03") for h in hits)
    assert all("World Desk" in json.dumps(h["source"]) for h in hits)
    code, out, _ = run(capsys, "search", "--articles", "harbour", "--source", "World Desk", "--json")
    assert json.loads(out)["total"] == 3


def test_import_opml_and_remove(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    opml = env / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="A" xmlUrl="http://127.0.0.1:9/a.xml"/>'
        '<outline text="B" xmlUrl="gopher://127.0.0.1/b"/></body></opml>'
    )
    code, out, _ = run(capsys, "feeds", "import-opml", str(opml))
    assert code == 0 and "1 feed(s) added" in out and "skipped gopher://" in out
    code, out, _ = run(capsys, "feeds", "remove", "1")
    assert code == 0 and out.startswith("removed feed 1")
    code, _, err = run(capsys, "feeds", "remove", "http://127.0.0.1:9/a.xml")
    assert code == 2 and "no feed" in err


def _index_raw_articles(data: Path) -> None:
    """What the NLP worker and indexer would do, minus NLP: index the polled articles as they are."""
    from pipeline.bus.base import RAW
    from pipeline.bus.sqlite import SqliteBus
    from pipeline.index.sqlite import SqliteIndex
    from pipeline.records import Article, EnrichedArticle, decode

    bus, index = SqliteBus(data / "bus.db"), SqliteIndex(str(data / "index.db"))
    try:
        index.ensure_schema()
        index.upsert([EnrichedArticle(decode(m.value, Article)) for m in bus.read(RAW, 1000)])
    finally:
        bus.close()
        index.close()


def test_run_polls_feeds_then_extracts_and_indexes_claims(env: Path, site: NewsSite,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    site.add("city", Item("c1", "Harbour plan approved"))
    assert run(capsys, "feeds", "add", site.feed_url("city"), "--name", "City Desk")[0] == 0
    code, _, err = run(capsys, "run", "--until-idle")
    assert code == 0 and "nlp: 1 in, 1 out" in err
    code, out, _ = run(capsys, "search", "harbour jobs", "--speaker", "mayor", "--json")
    hits = json.loads(out)["hits"]
    assert code == 0 and hits, out
    assert hits[0]["article"]["source"] == "City Desk"
    assert hits[0]["article"]["published"].startswith("2025-06-03")


def test_run_until_idle_waits_for_a_slow_feed(env: Path, site: NewsSite, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_WORKER__IDLE_EXIT_S", "0.5")
    site.add("slow", Item("s1", "Harbour plan delayed"))
    feed = site.server.routes["/feeds/slow.xml"]
    site.server.routes["/feeds/slow.xml"] = dataclasses.replace(feed, delay_s=2.0)  # answers after the idle wait
    assert run(capsys, "feeds", "add", site.feed_url("slow"))[0] == 0
    code, _, err = run(capsys, "run", "--until-idle")
    assert code == 0 and "nlp: 1 in, 1 out" in err
