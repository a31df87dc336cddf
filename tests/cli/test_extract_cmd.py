"""``pipeline extract`` in process: output rows, bad lines skipped, and no file left open."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.cli import main


def _open_paths() -> set[str]:
    fds = Path("/proc/self/fd")
    paths = set()
    for fd in fds.iterdir():
        try:
            paths.add(os.readlink(fd))
        except OSError:
            continue
    return paths


def test_extract_writes_one_row_per_article_and_closes_its_files(tmp_path, capsys):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"id": "a1", "text": "The minister said that fees would rise."}) + "\n"
                      + "not json\n", encoding="utf-8")
    assert main(["extract", "--input", str(source), "--output", str(out)]) == 0
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["id"] == "a1" and row["claims"] and "schema" not in row["claims"][0]
    assert "skipped 1 bad line(s)" in capsys.readouterr().err
    assert not {str(source), str(out)} & _open_paths()


def test_extract_writes_an_article_over_the_budget_without_claims_and_says_so(tmp_path, capsys):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"id": "q", "text": '"' * 200_000}) + "\n"
                      + json.dumps({"id": "a1", "text": "The minister said that fees would rise."}) + "\n",
                      encoding="utf-8")
    assert main(["extract", "--input", str(source), "--output", str(out)]) == 0
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["q"]["claims"] == [] and rows["q"]["entities"] == [] and rows["a1"]["claims"]
    err = capsys.readouterr().err
    assert "id q: over the NLP budget: a run of 200,000 characters" in err and "1 over the NLP budget" in err


def test_a_content_in_pieces_is_written_as_the_scorers_discontinuous_span():
    from pipeline.cli.extract_cmd import _claim_row

    piece = {"start": 0, "end": 3, "text": "Yes"}
    row = _claim_row({"schema": "claim", "v": 1, "content": {"start": 0, "end": 9, "text": "Yes, he said"},
                      "content_parts": [piece, piece]})
    assert row == {"content": [piece, piece]}
    assert _claim_row({"content": piece, "content_parts": []}) == {"content": piece}
