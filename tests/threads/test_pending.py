"""BatchLinks: a batch's thread links held back, read through and written once (both index backends)."""

from __future__ import annotations

from pipeline.index.base import ThreadLink
from pipeline.threads.pending import BatchLinks


def test_reads_see_the_links_put_and_the_index_gets_them_on_flush(index) -> None:
    index.put_thread_links([ThreadLink("a0", "a", "a0", "agree"), ThreadLink("b0", "b", "b0", "agree")])
    index.refresh()
    batch = BatchLinks(index)
    assert set(batch.links(["a0", "b0", "c0"])) == {"a0", "b0"}
    moved, new = ThreadLink("b0", "b", "a0", "discuss"), ThreadLink("c0", "c", "a0", "disagree", ("a0",))
    batch.put([moved, new])
    assert batch.links(["b0", "c0", "zz"]) == {"b0": moved, "c0": new}
    assert [lk.claim_id for lk in batch.members(["a0"])] == ["a0", "b0", "c0"]
    assert batch.members(["b0"]) == [] and batch.members([]) == []
    assert index.thread_links(["c0"]) == {}  # held back until the batch is done
    assert batch.flush() == 2
    assert index.thread_links(["b0", "c0"]) == {"b0": moved, "c0": new}
    assert [lk.claim_id for lk in index.thread_members(["a0"])] == ["a0", "b0", "c0"]
    assert batch.flush() == 0 and batch.links(["c0"]) == {"c0": new}
