"""The embedded index's query planner: its decisions, the day counts it reads, and that no plan changes results.

Each alternative plan is forced by monkeypatching the decision helpers; the
search must give the same total, hits (ids, order, scores), facets and cursor
whichever runs.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.index.base import ClaimQuery, SearchResult
from pipeline.index.sqlite import SqliteIndex
from pipeline.index.sqlite import plan as sqlite_plan
from pipeline.index.sqlite import queries as sqlite_read
from pipeline.index.sqlite import schema as sqlite_schema
from pipeline.index.sqlite import totals as sqlite_totals
from pipeline.records import EnrichedArticle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import all_claims, corpus  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from invented import ClaimSpec, invented_article  # noqa: E402

QUERIES = [
    ClaimQuery("", stance="deny"),
    ClaimQuery("", stance="assert", since=date(2024, 3, 5)),
    ClaimQuery("", stance="assert", language="en", until=date(2024, 3, 31)),
    ClaimQuery("", language="en"),
    ClaimQuery("", since=date(2024, 3, 5), until=date(2024, 4, 30)),
    ClaimQuery("harbor", since=date(2024, 3, 5), until=date(2024, 4, 30)),
    ClaimQuery("drones harbor", stance="assert", until=date(2024, 3, 20)),
    ClaimQuery("", speaker="sullivan", since=date(2024, 3, 1)),
    ClaimQuery("", speaker="lopez"),
    ClaimQuery("", source="herald"),
    ClaimQuery("harbor", entity="authority"),
    ClaimQuery("", stance="deny", since=date(2025, 1, 1)),  # nothing in range
]


def _key(result: SearchResult) -> tuple:
    return (result.total, [(h.claim.id, h.score, h.highlight) for h in result.hits], result.facets,
            result.next_cursor)


def _search(path: Path, q: ClaimQuery) -> tuple:
    index = SqliteIndex(path)
    try:
        return _key(index.search_claims(q))
    finally:
        index.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert(corpus())
    index.close()
    return tmp_path / "index.db"


def test_a_selective_exact_value_drives_and_an_unselective_one_leaves_it_to_the_dates() -> None:
    assert sqlite_plan.choose_drive({"claims_by_stance": 40}, dated=5000) == "claims_by_stance"
    assert sqlite_plan.choose_drive({"claims_by_stance": 9000}, dated=5000) == "claims_by_published"
    assert sqlite_plan.choose_drive({"claims_by_stance": 900, "claims_by_language": 30}, 5000) == "claims_by_language"
    assert sqlite_plan.choose_drive({}, dated=5000) == "claims_by_published"


def test_dates_are_read_from_rows_when_the_range_ids_are_close_and_from_a_set_when_spread() -> None:
    assert sqlite_plan.choose_dated_rows(1000, 5000, 5999)  # ingested in publication order
    assert not sqlite_plan.choose_dated_rows(1000, 1, 900_000)  # a backfill spread the range's ids
    assert sqlite_plan.choose_dated_rows(0, None, None)  # nothing in range: an empty id range


def test_the_walk_newest_first_starts_where_sorting_every_match_costs_more() -> None:
    q = ClaimQuery("", speaker="x")
    candidates = sqlite_read.CANDIDATES
    assert sqlite_totals.newest_first_scan(q, "", 10 * candidates, claims=50 * candidates)
    assert not sqlite_totals.newest_first_scan(q, "", 10 * candidates, claims=500 * candidates)
    assert not sqlite_totals.newest_first_scan(replace(q, since=date(2024, 1, 1)), "", 10 * candidates, 10 * candidates)


def test_plans_of_the_corpus(path: Path) -> None:
    conn = sqlite3.connect(path)
    deny = sqlite_plan.plan_of(conn, ClaimQuery("", stance="deny"), "")
    denied = sum(1 for c, _ in all_claims() if c.stance == "deny")
    assert (deny.total, deny.drive) == (denied, "claims_by_stance")  # fewer than all claims
    everything = sqlite_plan.plan_of(conn, ClaimQuery("", language="en"), "")
    assert (everything.total, everything.drive) == (len(all_claims()), "claims_by_published")
    worded = sqlite_plan.plan_of(conn, ClaimQuery("harbor", stance="deny"), '"harbor"')
    assert (worded.total, worded.drive) == (None, None)  # words: FTS5 finds and counts the matches
    conn.close()


@pytest.mark.parametrize("q", QUERIES, ids=repr)
def test_every_plan_gives_the_same_results(path: Path, q: ClaimQuery, monkeypatch: pytest.MonkeyPatch) -> None:
    want = _search(path, q)
    if not q.text and not (q.speaker or q.entity or q.source):
        for index in ("claims_by_published", *[i for name, i in sqlite_plan.COUNTED.items() if getattr(q, name)]):
            monkeypatch.setattr(sqlite_plan, "choose_drive", lambda sizes, dated, index=index: index)
            assert _search(path, q) == want, index
        monkeypatch.undo()
    for rows in (True, False):
        monkeypatch.setattr(sqlite_plan, "choose_dated_rows", lambda claims, low, high, rows=rows: rows)
        assert _search(path, q) == want, rows
    monkeypatch.undo()
    for scan in (True, False):
        monkeypatch.setattr(sqlite_totals, "newest_first_scan", lambda *args, scan=scan, **kw: scan
                            and not q.text and not (q.since or q.until))
        assert _search(path, q) == want, scan


@pytest.mark.parametrize("q", QUERIES, ids=repr)
def test_results_match_the_plain_python_expectation_for_exact_filters(path: Path, q: ClaimQuery) -> None:
    """Totals from the day counts are the totals the claims give."""
    if q.text or q.speaker or q.entity or q.source:
        pytest.skip("words and names are checked by the contract tests")
    low, high = (q.since.isoformat() if q.since else ""), (q.until.isoformat() + "T99" if q.until else "~")
    want = [c.id for c, a in all_claims() if (not q.stance or c.stance == q.stance)
            and (not q.language or (a.language or "") == q.language)
            and (not (q.since or q.until) or (a.published is not None and low <= a.published <= high))]
    assert _search(path, q)[0] == len(want)


def _days(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT day, stance, language, claims FROM claim_days WHERE claims > 0 ORDER BY 1, 2, 3").fetchall()


def _recounted(conn: sqlite3.Connection) -> list[tuple]:
    day = sqlite_schema.DAY.format("claims")
    return conn.execute(f"SELECT {day}, stance, coalesce(language, ''), COUNT(*) FROM claims GROUP BY 1, 2, 3"
                        " ORDER BY 1, 2, 3").fetchall()


def test_day_counts_follow_every_write(path: Path) -> None:
    index = SqliteIndex(path)
    articles = corpus()
    moved = replace(articles[0], article=replace(articles[0].article, published="2024-05-01T00:00:00Z"),
                    claims=articles[0].claims[:1])
    index.upsert([moved])  # re-indexed: another day, one claim fewer
    index.prune_batch(date(2024, 3, 7), 100)
    conn = sqlite3.connect(path)
    assert _days(conn) == _recounted(conn) and _days(conn)
    bounds = conn.execute("SELECT MIN(low), MAX(high) FROM claim_days WHERE claims > 0").fetchone()
    rids = conn.execute("SELECT MIN(rid), MAX(rid) FROM claims").fetchone()
    assert bounds[0] <= rids[0] and bounds[1] >= rids[1]
    conn.close()
    index.close()


def test_a_layout_4_file_gets_its_day_counts_in_place(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("DROP TRIGGER claims_counted; DROP TRIGGER claims_uncounted; DROP TRIGGER claims_recounted;"
                       " DROP TABLE claim_days; PRAGMA user_version=4;")
    conn.close()
    want = _search(path, ClaimQuery("", stance="deny"))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.VERSION
    assert _days(conn) == _recounted(conn)
    conn.close()
    assert want[0] == sum(1 for c, _ in all_claims() if c.stance == "deny")


def _spread_corpus() -> list[EnrichedArticle]:
    """240 articles indexed in publication order, 10 a day, a tenth of them late (1-5 days), a few undated."""
    rng = random.Random(3)
    speakers = [("Ann Lee", "Lee"), ("Bob Lee", "Bob Lee"), ("Cy Park", "Park"), (None, None)]
    articles = []
    for i in range(240):
        day = date(2024, 1, 1) + timedelta(days=i // 10 - (rng.randint(1, 5) if rng.random() < 0.1 else 0))
        published = None if rng.random() < 0.03 else f"{day.isoformat()}T{rng.randrange(24):02d}:00:00+00:00"
        outlet = rng.choice(("Herald", "Herald Courier", "Gazette"))
        specs: list[ClaimSpec] = [(*rng.choice(speakers), rng.choice(("assert", "assert", "deny")), False,
                                   f"harbor item {i} {n}", [("Port Authority", "Authority", "ORG")]
                                   if rng.random() < 0.4 else []) for n in range(3)]
        articles.append(invented_article(f"s{i:03d}", outlet, f"https://{outlet.split()[0].lower()}.example/{i}",
                                         published, f"Item {i}", specs))
    return articles


@pytest.fixture(scope="module")
def spread(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spread") / "index.db"
    index = SqliteIndex(path)
    for start in range(0, 240, 32):  # the worker's batches
        index.upsert(_spread_corpus()[start:start + 32])
    index.close()
    return path


NAMED = [ClaimQuery("", speaker="lee"), ClaimQuery("", source="herald"), ClaimQuery("", entity="authority"),
         ClaimQuery("", speaker="park", stance="deny"), ClaimQuery("", source="gazette", since=date(2024, 1, 9)),
         ClaimQuery("", speaker="lee", source="herald", until=date(2024, 1, 20))]


@pytest.mark.parametrize("q", NAMED, ids=repr)
@pytest.mark.parametrize("candidates", [5, 20, 60])
def test_a_walk_from_the_newest_bound_gives_what_sorting_every_match_gives(
        spread: Path, q: ClaimQuery, candidates: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Name filters without words read the matches from the bound's id on: same hits, facets and total."""
    monkeypatch.setattr(sqlite_read, "CANDIDATES", candidates)
    monkeypatch.setattr(sqlite_totals, "newest_first_scan", lambda *args, **kw: False)
    conn = sqlite3.connect(spread)
    bound = sqlite_read.newest_bound(conn, q)
    lowest = conn.execute(f"SELECT MIN(rid) FROM claims WHERE published >= '{q.since or ''}'").fetchone()[0]
    conn.close()
    bounded = [_search(spread, replace(q, limit=n)) for n in (candidates, 1)]
    monkeypatch.setattr(sqlite_read, "newest_bound", lambda *args, **kw: None)
    assert bounded == [_search(spread, replace(q, limit=n)) for n in (candidates, 1)], bound
    if candidates == 5 and not q.until:
        assert bound is not None and bound > lowest  # the walk skipped older matches
