"""`pipeline search` and `status` where no index was ever built: they say so and create no index."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from support import ES_HOST, ES_PORT, require_server, run_cli


@pytest.mark.parametrize("args", [["search", "Iran drones"], ["search", "--articles", "harbour", "--json"]])
def test_search_on_an_empty_data_dir_is_an_error_and_creates_nothing(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "mistyped"
    proc = run_cli(data, *args, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr  # one line
    assert "pipeline run --until-idle" in proc.stderr  # says what to run
    assert not data.exists()  # not even the folder: nothing was created


@pytest.mark.elastic
def test_search_on_an_elasticsearch_without_our_indices_creates_none(tmp_path: Path) -> None:
    require_server("Elasticsearch", ES_HOST, ES_PORT)
    from pipeline.config import IndexSettings
    from pipeline.index.elastic import ElasticIndex

    url, prefix = f"http://{ES_HOST}:{ES_PORT}", f"t{uuid.uuid4().hex[:10]}-"
    env = {"PIPELINE_INDEX__URL": url, "PIPELINE_INDEX__PREFIX": prefix}
    proc = run_cli(tmp_path / "data", "search", "Iran", env=env, check=False)
    assert proc.returncode == 2 and "pipeline run --until-idle" in proc.stderr, proc.stderr
    index = ElasticIndex(url, IndexSettings(url=url), prefix=prefix)
    try:
        assert not index.exists()
    finally:
        index.close()


def test_status_on_an_empty_data_dir_says_no_index_and_creates_none(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    proc = run_cli(data, "status")
    assert "no index yet" in proc.stdout and "articles 0" in proc.stdout
    report = json.loads(run_cli(data, "status", "--json").stdout)
    assert report["index_exists"] is False and report["index_counts"] == {"articles": 0, "claims": 0}
    assert not (data / "index.db").exists()  # looking created nothing
