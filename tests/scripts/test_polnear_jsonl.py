"""scripts/polnear_jsonl.py on a made-up release in the authors' layout (no corpus text), and the scorer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import REPO, shared_path

TEXT = "Harbour fees rise.\r\nThe minister said fees would rise. Critics deny it, a union said.\n"
SAID = TEXT.index("said")


def _ann(*events: str) -> str:
    return "\n".join(events) + "\n"


def _release(tmp_path: Path, annotations: dict[str, str]) -> Path:
    base = tmp_path / "release" / "data" / "dev"
    (base / "text").mkdir(parents=True)
    (base / "attributions").mkdir()
    with (base / "text" / "gazette_2016-09-08_harbour.txt").open("w", encoding="utf-8", newline="") as fh:
        fh.write(TEXT)
    for annotator, ann in annotations.items():
        (base / "attributions" / f"gazette_2016-09-08_harbour_{annotator}.ann").write_text(ann, encoding="utf-8")
    return tmp_path / "release"


def _convert(release: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "polnear_jsonl.py"), str(release), *args],
                          capture_output=True, text=True, timeout=60)


GOOD = _ann(
    f"T1\tSource 20 32\tThe minister\nT2\tCue {SAID} {SAID + 4}\tsaid\nT3\tContent 38 53\tfees would rise",
    "T4\tAttribution 33 37\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    "T5\tContent 55 62;63 70\tCritics deny it\nT6\tCue 74 79;80 84\tunion said",
    "T7\tAttribution 80 84\tsaid\nE2\tAttribution:T7 Cue:T6 Content:T5",
)
ODD = _ann("T1\tCue 63 67\tdeny\nT2\tContent 0 18\tHarbour fees rise.\nT3\tAttribution 63 67\tdeny",
           "E1\tAttribution:T3 Cue:T1 Content:T2")


def test_offsets_fragments_and_a_missing_source(tmp_path):
    proc = _convert(_release(tmp_path, {"4b22": GOOD}))
    assert proc.returncode == 0, proc.stderr
    [record] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["id"] == "gazette_2016-09-08_harbour" and record["text"] == TEXT and record["annotator"] == "4b22"
    first, second = record["gold"]
    assert TEXT[slice(*first["source"][0])] == "The minister" and TEXT[slice(*first["cue"][0])] == "said"
    assert TEXT[slice(*first["content"][0])] == "fees would rise"
    assert second["source"] == [] and second["content"] == [[55, 62], [63, 70]]


def test_the_best_agreeing_annotation_is_kept(tmp_path):
    proc = _convert(_release(tmp_path, {"0aaa": ODD, "4b22": GOOD, "ef2d": GOOD}))
    [record] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["annotator"] == "4b22"  # agrees with ef2d; 0aaa agrees with nobody


def test_the_test_split_is_not_offered(tmp_path):
    proc = _convert(_release(tmp_path, {"4b22": GOOD}), "--split", "test")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_the_scorer_in_the_repository_is_the_one_the_documented_claim_figures_come_from():
    assert (REPO / "scripts" / "score_claims.py").read_bytes() == shared_path("tools", "score_claims.py").read_bytes()
