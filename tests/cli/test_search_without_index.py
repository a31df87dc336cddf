"""`pipeline search` where no index was ever built: says so and what to run (exit 2), creates nothing."""

from __future__ import annotations

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
