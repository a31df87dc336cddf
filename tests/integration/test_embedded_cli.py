"""The embedded deployment as a user drives it: replay, run, search, status (real processes)."""

import json

import pytest
from support import REPO, run_cli


def search(data_dir, *args):
    return json.loads(run_cli(data_dir, "search", "--json", *args).stdout)


def test_seed_search_finds_sullivans_drone_claim_with_its_article(seeded_data_dir):
    result = search(seeded_data_dir, "Iran drones Russia", "--speaker", "Sullivan")
    assert result["total"] >= 1
    hit = result["hits"][0]
    assert hit["claim"]["speaker"]["canonical"] == "Jake Sullivan"
    assert "drone" in hit["claim"]["content"]["text"].lower() or "UAV" in hit["claim"]["content"]["text"]
    assert hit["article"]["title"].startswith("The United States has doubled down")
    assert set(hit) >= {"claim", "article", "score"} and isinstance(hit["score"], float)


def test_readable_table_shows_speaker_stance_and_article(seeded_data_dir):
    out = run_cli(seeded_data_dir, "search", "drones", "--speaker", "Sullivan").stdout
    assert "Jake Sullivan" in out and "assert" in out and "doubled down" in out


def test_stance_filter_returns_only_denials(seeded_data_dir):
    result = search(seeded_data_dir, "--stance", "deny", "--limit", "50")
    assert result["total"] >= 1
    assert {h["claim"]["stance"] for h in result["hits"]} == {"deny"}
    everything = search(seeded_data_dir, "--limit", "50")
    assert everything["total"] > result["total"]


def test_facets_count_speakers_and_entities_of_the_matches(seeded_data_dir):
    result = search(seeded_data_dir, "drones")
    speakers = {f["value"]: f["count"] for f in result["facets"]["speakers"]}
    entities = {f["value"]: f["count"] for f in result["facets"]["entities"]}
    assert speakers.get("Jake Sullivan", 0) >= 1
    assert sum(speakers.values()) <= result["total"]
    assert "Russia" in entities or "Iran" in entities


def test_entity_and_source_filters(seeded_data_dir):
    china = search(seeded_data_dir, "--entity", "china", "--limit", "50")
    assert china["total"] >= 1
    assert all(any("China" in e["canonical"] or "Chin" in e["text"] for e in h["claim"]["entities"])
               for h in china["hits"])
    assert search(seeded_data_dir, "--source", "no-such-outlet")["total"] == 0
    assert search(seeded_data_dir, "--source", "replay")["total"] >= 1


def test_date_filters_exclude_undated_replayed_text(seeded_data_dir):
    assert search(seeded_data_dir, "--since", "2020-01-01")["total"] == 0


def test_paging_visits_every_claim_once(seeded_data_dir):
    total = search(seeded_data_dir)["total"]
    seen, cursor = [], None
    while True:
        page = search(seeded_data_dir, "--limit", "7", *(["--after", cursor] if cursor else []))
        seen += [h["claim"]["id"] for h in page["hits"]]
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize("args, message", [
    (["--stance", "maybe"], "stance: expected one of assert, deny"),
    (["--since", "16/07/2022"], "since: expected a date"),
    (["--since", "2022-08-01", "--until", "2022-07-01"], "is after"),
    (["--limit", "0"], "limit: must be between"),
])
def test_bad_search_input_is_a_clear_error_not_a_traceback(seeded_data_dir, args, message):
    proc = run_cli(seeded_data_dir, "search", "x", *args, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_article_search(seeded_data_dir):
    result = json.loads(run_cli(seeded_data_dir, "search", "--articles", "Kashan airfield", "--json").stdout)
    assert result["total"] == 1 and "[[" in result["hits"][0]["snippet"]


def test_replaying_again_adds_no_duplicates(seeded_data_dir, tmp_path):
    before = json.loads(run_cli(seeded_data_dir, "status", "--json").stdout)["index_counts"]
    run_cli(seeded_data_dir, "replay", "--quiet", str(REPO / "seeds"))
    run_cli(seeded_data_dir, "run", "--until-idle")
    status = json.loads(run_cli(seeded_data_dir, "status", "--json").stdout)
    assert status["index_counts"] == before and before["articles"] == 1 and before["claims"] >= 5
    assert all(t["lag"] in (0, None) for t in status["topics"])


def test_replay_reports_bad_files_and_publishes_the_rest(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Officials said the bridge would reopen on Monday.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\xff\x00")
    proc = run_cli(tmp_path / "data", "replay", "--quiet", str(folder))
    assert "published 1 article(s) from 3 file(s)" in proc.stdout
    assert "empty.txt: empty file" in proc.stderr and "binary.txt: binary file" in proc.stderr


def test_missing_replay_path_is_a_clear_error(tmp_path):
    proc = run_cli(tmp_path, "replay", str(tmp_path / "nope"), check=False)
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr


def test_extract_writes_offsets_that_match_the_text(tmp_path):
    text = "The minister said on Tuesday that the talks had failed."
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "doc1", "text": text}) + "\n{bad\n")
    proc = run_cli(tmp_path, "extract", "--input", str(tmp_path / "in.jsonl"), "--output", str(tmp_path / "o"))
    [row] = [json.loads(line) for line in (tmp_path / "o").read_text().splitlines()]
    assert row["id"] == "doc1" and row["claims"]
    for claim in row["claims"]:
        for part in ("speaker", "cue", "content"):
            span = claim[part]
            assert span is None or text[span["start"]:span["end"]] == span["text"]
    assert "skipped 1 bad line" in proc.stderr


def test_dead_letters_are_listed_and_redriven_once(tmp_path):
    from pipeline.bus.base import RAW
    from pipeline.bus.sqlite import SqliteBus

    bus = SqliteBus(tmp_path / "bus.db")
    producer = bus.producer()
    producer.publish(RAW, "bad-1", b"{not json")
    producer.close()
    run_cli(tmp_path, "run", "--until-idle")
    listing = json.loads(run_cli(tmp_path, "dlq", "list", "--json").stdout)
    [letter] = listing["articles.raw.dlq"]
    assert letter["key"] == "bad-1" and "not JSON" in letter["error"] and letter["stage"] == "nlp"
    assert "re-drove 1 dead letter(s)" in run_cli(tmp_path, "dlq", "redrive").stdout
    assert "re-drove 0 dead letter(s)" in run_cli(tmp_path, "dlq", "redrive").stdout
    redriven = [m for m in bus.read(RAW) if m.key == "bad-1"]
    assert [m.value for m in redriven] == [b"{not json"] * 2
    assert redriven[1].headers["dlq.redriven_from"].startswith("articles.raw.dlq/")
    bus.close()
