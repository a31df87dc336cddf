"""`pipeline search` on input a user mistypes or forges: a clear answer, never a traceback (issue 20)."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.index.sqlite import SqliteIndex

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from http_corpus import corpus  # noqa: E402

FORGED_CURSOR = base64.urlsafe_b64encode(b"[9223372036854775808]").decode()  # one past SQLite's integers


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir whose embedded index holds the invented HTTP corpus."""
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert(corpus())
    index.close()
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PIPELINE_CONFIG", raising=False)
    return tmp_path


@pytest.mark.parametrize("option", ["--speaker", "--entity", "--source"])
@pytest.mark.parametrize("words", [["drones"], []], ids=["text", "no-text"])
def test_a_filter_that_matches_no_name_finds_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                                     option: str, words: list[str]) -> None:
    assert main(["search", *words, option, "nobody-zzqx", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0


@pytest.mark.parametrize("articles", [[], ["--articles"]], ids=["claims", "articles"])
def test_a_forged_cursor_is_an_input_error(data_dir: Path, capsys: pytest.CaptureFixture[str],
                                           articles: list[str]) -> None:
    assert main(["search", *articles, "drones", "--after", FORGED_CURSOR]) == 2
    err = capsys.readouterr().err
    assert "invalid page cursor" in err and "Traceback" not in err
