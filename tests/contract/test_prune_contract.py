"""The retention contract (pipeline.index.retention) on SQLite and a real Elasticsearch.

Expected results come from the corpus below by the stated age rule, not from either backend.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from invented import invented_article

from pipeline.index.base import ClaimQuery, ThreadLink
from pipeline.index.retention import PruneCounts, is_older, repair_threads

BEFORE = date(2024, 1, 1)


def _article(aid: str, published: str | None, fetched: str | None = None, claims: int = 2):
    specs = [("Maria Lopez" if n % 2 else f"Speaker {aid}", "Lopez" if n % 2 else f"Speaker {aid}", "assert",
              False, f"{aid} fact number {n} about the harbor", []) for n in range(claims)]
    e = invented_article(aid, "Daily Planet", f"https://dp.example/{aid}", published, f"Story {aid}", specs)
    return replace(e, article=replace(e.article, fetched=fetched))


OLD = [_article("a-old1", "2023-01-05T10:00:00Z"), _article("a-old2", "2023-12-31T23:59:59Z", claims=3),
       _article("a-undated-old", None, fetched="2023-02-01T08:00:00Z")]
KEPT = [_article("b-new", "2024-05-01T12:00:00Z"), _article("b-boundary", "2024-01-01T00:00:00Z"),
        _article("b-undated-new", None, fetched="2024-02-01T00:00:00Z"), _article("b-unknown", None)]
CORPUS = OLD + KEPT


def cid(aid: str, n: int) -> str:
    return f"{aid}-{n:04d}"


def links() -> list[ThreadLink]:
    """Thread T rooted at an old claim, with new members and a new denial of old claims; thread U all old."""
    root = cid("a-old1", 0)
    return [
        ThreadLink(root, "a-old1", root, "agree"),
        ThreadLink(cid("a-old2", 1), "a-old2", root, "agree"),
        ThreadLink(cid("b-new", 0), "b-new", root, "agree"),
        ThreadLink(cid("b-new", 1), "b-new", root, "disagree", (root, cid("b-boundary", 0))),
        ThreadLink(cid("b-boundary", 0), "b-boundary", root, "agree"),
        ThreadLink(cid("a-old1", 1), "a-old1", cid("a-old1", 1), "agree"),
        ThreadLink(cid("a-undated-old", 0), "a-undated-old", cid("a-old1", 1), "discuss"),
    ]


def fill(index) -> None:
    assert index.upsert(CORPUS) == []
    index.put_thread_links(links())
    index.refresh()


def all_claim_ids(index) -> set[str]:
    return {h.claim.id for h in index.search_claims(ClaimQuery(limit=100, facets=False)).hits}


def expected_claims(articles) -> set[str]:
    return {c.id for e in articles for c in e.claims}


def test_the_age_rule() -> None:
    assert is_older("2023-12-31T23:59:59Z", None, BEFORE)
    assert not is_older("2024-01-01T00:00:00Z", None, BEFORE)  # the day itself is kept
    assert is_older(None, "2023-06-01T00:00:00Z", BEFORE) and not is_older(None, None, BEFORE)
    assert not is_older("2024-02-01T00:00:00Z", "2020-01-01T00:00:00Z", BEFORE)  # the date wins over fetch time


def test_repair_renames_threads_to_their_smallest_remaining_claim() -> None:
    gone, rewrite = repair_threads(links(), {cid("a-old1", 0), cid("a-old2", 1), cid("a-old1", 1)})
    assert gone == sorted([cid("a-old1", 0), cid("a-old2", 1), cid("a-old1", 1)])
    by_id = {lk.claim_id: lk for lk in rewrite}
    assert {lk.thread_id for lk in rewrite} == {cid("b-boundary", 0), cid("a-undated-old", 0)}
    assert by_id[cid("b-new", 1)].denies == (cid("b-boundary", 0),) and by_id[cid("b-new", 1)].stance == "disagree"


def test_dry_run_counts_what_prune_removes(index) -> None:
    fill(index)
    plan = index.prune_plan(BEFORE)
    assert plan.counts == PruneCounts(3, len(expected_claims(OLD)), 4)
    assert plan.undated_kept == 2 and plan.whole_indices == ()
    assert index.counts() == {"articles": len(CORPUS), "claims": len(expected_claims(CORPUS))}  # nothing changed


def test_prune_removes_old_documents_and_keeps_threads_consistent(index) -> None:
    fill(index)
    assert index.search_claims(ClaimQuery(text="old2")).total == 3
    total = PruneCounts()
    while (done := index.prune_batch(BEFORE, 2)).articles:
        total += done
    assert (total.articles, total.claims, total.links) == (3, len(expected_claims(OLD)), 4)
    assert index.counts() == {"articles": len(KEPT), "claims": len(expected_claims(KEPT))}
    assert all_claim_ids(index) == expected_claims(KEPT)
    assert index.get_article("a-old1") is None and index.get_claim(cid("a-old2", 0)) is None
    assert index.search_claims(ClaimQuery(text="old2")).total == 0  # gone from the text index too
    remaining = [cid("b-boundary", 0), cid("b-new", 0), cid("b-new", 1)]
    got = index.thread_links([*remaining, cid("a-old1", 0)])
    assert set(got) == set(remaining)  # the pruned root's link went
    assert {lk.thread_id for lk in got.values()} == {cid("b-boundary", 0)}  # renamed to the smallest member
    assert got[cid("b-new", 1)].denies == (cid("b-boundary", 0),)
    assert [lk.claim_id for lk in index.thread_members([cid("b-boundary", 0)])] == sorted(remaining)
    assert index.thread_members([cid("a-old1", 0)]) == [] and index.thread_members([cid("a-old1", 1)]) == []
    assert index.prune_plan(BEFORE).counts == PruneCounts()
    assert isinstance(index.compact(), str)
    assert all_claim_ids(index) == expected_claims(KEPT)  # compaction changes no result


def test_a_prune_stopped_midway_is_finished_by_running_it_again(index) -> None:
    fill(index)
    first = index.prune_batch(BEFORE, 1)
    assert first.articles == 1
    middle = index.prune_plan(BEFORE).counts
    assert middle.articles == 2
    # The state between batches is consistent: every link names an indexed claim and a thread of one.
    claims = all_claim_ids(index)
    now = index.thread_links(sorted(expected_claims(CORPUS)))
    assert set(now) <= claims and {lk.thread_id for lk in now.values()} <= claims
    while index.prune_batch(BEFORE, 1).articles:
        pass
    assert all_claim_ids(index) == expected_claims(KEPT)
    assert index.prune_batch(BEFORE, 1) == PruneCounts()  # idempotent once done
