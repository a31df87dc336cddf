"""``pipeline thread``, ``pipeline search --group threads`` and ``pipeline stance`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import run_cli

pytestmark = pytest.mark.integration


def seed_claim(data_dir: Path, speaker: str, words: str) -> dict:
    hits = json.loads(run_cli(data_dir, "search", "--json", "--limit", "100").stdout)["hits"]
    return next(h["claim"] for h in hits
                if (h["claim"]["speaker"] or {}).get("canonical", "").find(speaker) >= 0
                and words in h["claim"]["content"]["text"])


def test_thread_of_the_seed_claim_shows_the_rejection(seeded_data_dir: Path) -> None:
    us = seed_claim(seeded_data_dir, "United States", "Iran is planning to sell")
    rejection = seed_claim(seeded_data_dir, "Tehran", "allegation")
    out = json.loads(run_cli(seeded_data_dir, "thread", us["id"], "--json").stdout)
    assert rejection["id"] in [e["claim"]["id"] for e in out["disagree"]]
    assert us["id"] in [e["claim"]["id"] for e in out["agree"]]
    denial = next(e for e in out["disagree"] if e["claim"]["id"] == rejection["id"])
    assert us["id"] in denial["denies"]
    text = run_cli(seeded_data_dir, "thread", rejection["id"]).stdout
    assert "denied by 2" in text and 'Tehran [rejected]: "the allegation"' in text


def test_thread_for_typed_text(seeded_data_dir: Path) -> None:
    out = json.loads(run_cli(seeded_data_dir, "thread", "--json", "--text",
                             "Iran plans to sell hundreds of drones to Russia").stdout)
    assert out["thread"] is None and out["size"] == 1
    assert sum(len(out[s]) for s in ("agree", "disagree", "discuss")) == 1
    unrelated = json.loads(run_cli(seeded_data_dir, "thread", "--json", "--text",
                                   "The library extends its opening hours").stdout)
    assert unrelated["size"] == 0


def test_search_grouped_by_thread(seeded_data_dir: Path) -> None:
    out = json.loads(run_cli(seeded_data_dir, "search", "Iran drones Russia", "--group", "threads",
                             "--json").stdout)["threads"]
    assert len({t["thread"] for t in out}) == len(out)
    biggest = max(out, key=lambda t: t["size"])
    assert biggest["size"] >= 3 and biggest["denied_by"] >= 2
    lines = run_cli(seeded_data_dir, "search", "Iran drones Russia", "--group", "threads").stdout.splitlines()
    assert lines[0] == f"{len(out)} thread(s)" and len(lines) == len(out) + 1


@pytest.mark.parametrize(("args", "message"), [
    (["thread", "no-such-claim"], "unknown claim id"),
    (["thread", "--text", "   "], "claim text is empty"),
    (["thread", "--text", "x" * 3000], "at most"),
    (["thread"], "either a CLAIM_ID or --text"),
])
def test_bad_input_is_one_line_exit_2(seeded_data_dir: Path, args: list[str], message: str) -> None:
    proc = run_cli(seeded_data_dir, *args, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_stance_command(tmp_path: Path) -> None:
    bodies = tmp_path / "bodies.jsonl"
    bodies.write_text("\n".join([
        json.dumps({"body_id": "b1", "text": "Iran's foreign ministry denied reports that Tehran sells drones "
                                             "to Russia, calling the claims false and baseless."}),
        json.dumps({"body_id": "b2", "text": ""}),
        "not json",
        json.dumps({"body_id": "b3"}),
    ]) + "\n")
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join([
        json.dumps({"id": "p1", "claim": "Iran sells drones to Russia", "body_id": "b1"}),
        json.dumps({"id": "p2", "claim": "Iran sells drones to Russia", "body_id": "b2"}),
        json.dumps({"id": "p3", "claim": "", "body_id": "b1"}),
        json.dumps({"id": "p4", "claim": "Iran sells drones", "body_id": "unknown"}),
        json.dumps({"id": "p5", "claim": 7, "body_id": "b1"}),
    ]) + "\n")
    out = tmp_path / "out.jsonl"
    proc = run_cli(tmp_path, "stance", "--pairs", str(pairs), "--bodies", str(bodies), "--output", str(out))
    rows = {r["id"]: r["stance"] for r in map(json.loads, out.read_text().splitlines())}
    assert rows == {"p1": "disagree", "p2": "unrelated", "p3": "unrelated", "p4": "unrelated"}
    assert "bodies.jsonl:3: skipped" in proc.stderr and "bodies.jsonl:4: skipped" in proc.stderr
    assert "pairs.jsonl:5: skipped" in proc.stderr and "1 pair(s) name an unknown body_id" in proc.stderr
    missing = run_cli(tmp_path, "stance", "--pairs", str(tmp_path / "nope"), "--bodies", str(bodies), check=False)
    assert missing.returncode == 2 and "nope" in missing.stderr
