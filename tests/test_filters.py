"""The filter spec drives every surface: CLI options, API parameters, the page's form, both backends' clauses."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from pipeline.cli import build_parser
from pipeline.errors import InputError
from pipeline.filters import (
    ARTICLE_FILTERS,
    BY_NAME,
    CLAIM_FILTERS,
    FACET_FILTER,
    FACETS,
    FILTERS,
    MAX_TEXT,
    parse_all,
)
from pipeline.http import HttpOptions, create_app
from pipeline.index.base import ArticleQuery, ClaimQuery
from pipeline.index.elastic import queries as elastic
from pipeline.index.sqlite import SqliteIndex, clauses
from pipeline.index.sqlite import facets as sqlite_facets


def test_every_filter_is_a_search_option_with_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["search", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for f in FILTERS:
        assert f"--{f.name} {f.metavar or f.name.upper()}" in text
        assert " ".join(f.help.split()) in text


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    index = SqliteIndex(tmp_path_factory.mktemp("filters") / "index.db")
    with TestClient(create_app(index, HttpOptions(rate_per_s=0)), raise_server_exceptions=False) as c:
        yield c
    index.close()


def _parameters(client: TestClient, path: str) -> dict[str, str]:
    spec = client.get("/openapi.json").json()
    return {p["name"]: p.get("description", "") for p in spec["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize(("path", "filters"), [("/api/claims", CLAIM_FILTERS), ("/api/articles", ARTICLE_FILTERS),
                                               ("/api/claims/export", CLAIM_FILTERS)])
def test_openapi_describes_each_filter_parameter_with_its_help(client: TestClient, path: str,
                                                               filters: tuple) -> None:
    params = _parameters(client, path)
    assert [n for n in params if n in BY_NAME] == [f.name for f in filters]  # only these, in declaration order
    for f in filters:
        assert params[f.name] == f.help
    assert {"q", "limit", "after"} <= set(params)


def test_the_api_validates_each_filter_as_the_spec_does(client: TestClient) -> None:
    assert client.get("/api/claims", params={"stance": "maybe"}).json() == {
        "error": "stance: expected one of assert, deny, got 'maybe'"}
    assert client.get("/api/articles", params={"until": "soon"}).status_code == 400
    assert "speaker: at most" in client.get("/api/claims", params={"speaker": "x" * (MAX_TEXT + 1)}).json()["error"]
    assert client.get("/api/claims", params={"speaker": "x", "entity": "y"}).status_code == 200


def test_the_search_page_form_has_one_field_per_filter(client: TestClient) -> None:
    page = client.get("/", params={"stance": "deny", "since": "2025-01-02"}).text
    for f in CLAIM_FILTERS:
        tag = "select" if f.kind == "choice" else "input"
        assert re.search(rf'<label>{f.label}\s*<{tag} id="{f.name}" name="{f.name}"', page), f.name
    assert '<option value="deny" selected>deny</option>' in page
    assert 'id="since" name="since" type="date" value="2025-01-02"' in page
    active = page[page.index('aria-label="Active filters"'):page.index("</ul>", page.index("Active filters"))]
    assert "stance: deny" in active and "since: 2025-01-02" in active and "speaker:" not in active


def test_a_filter_value_on_the_page_is_escaped(client: TestClient) -> None:
    page = client.get("/", params={"speaker": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in page
    assert 'id="speaker" name="speaker" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_each_facet_links_to_a_filter_of_claims() -> None:
    assert list(FACETS) == [f.facet for f in CLAIM_FILTERS if f.facet]
    assert all(BY_NAME[name].claims for name in FACET_FILTER.values())
    assert set(elastic.FACET_FIELDS) == set(FACETS) == set(sqlite_facets.FACET_COLUMNS)


def test_the_query_types_have_a_field_per_filter() -> None:
    claim_fields = {f.name for f in dataclasses.fields(ClaimQuery)}
    article_fields = {f.name for f in dataclasses.fields(ArticleQuery)}
    assert {f.name for f in CLAIM_FILTERS} <= claim_fields
    assert {f.name for f in ARTICLE_FILTERS} <= article_fields
    assert not {f.name for f in FILTERS if not f.articles} & article_fields  # none an article search would drop


def test_each_backend_maps_every_filter_to_one_clause() -> None:
    assert list(clauses.CLAIM_CLAUSES) == [f.name for f in CLAIM_FILTERS]
    assert list(clauses.ARTICLE_CLAUSES) == [f.name for f in ARTICLE_FILTERS]
    assert set(elastic.CLAUSES) == {f.name for f in FILTERS}


def test_filter_values_are_what_the_backends_read() -> None:
    q = ClaimQuery(text="x", stance="deny", speaker="Ann", until=date(2025, 1, 2))
    assert q.filter_values() == {"speaker": "Ann", "stance": "deny", "until": date(2025, 1, 2)}
    assert clauses.date_range(q) == (None, date(2025, 1, 2))
    assert elastic.filters_of(q)[-1] == {"range": {"published": {"lt": "2025-01-03"}}}
    assert ArticleQuery(source="ex").filter_values() == {"source": "ex"}


def test_parsing_names_the_bad_filter() -> None:
    parsed = parse_all(CLAIM_FILTERS, {"since": "2025-06-04T10:00:00Z", "stance": ""})
    assert list(parsed) == [f.name for f in CLAIM_FILTERS]  # every filter, in declaration order
    assert parsed["since"] == date(2025, 6, 4) and parsed["stance"] is None and parsed["speaker"] is None
    with pytest.raises(InputError, match="^until: expected a date"):
        parse_all(CLAIM_FILTERS, {"until": "tomorrow"})
    with pytest.raises(InputError, match="^source: at most 500 characters"):
        parse_all(ARTICLE_FILTERS, {"source": "s" * 501})
    with pytest.raises(TypeError, match="speaker"):
        parse_all(ARTICLE_FILTERS, {"speaker": "Ann"})  # an article search has no speaker



@pytest.mark.parametrize("raw", ["\x00", "Sul\x00livan", "\x1b[2J", "\x7f", "x\x9b", "\ud800"])
def test_a_text_filter_refuses_control_characters_and_lone_surrogates(raw: str) -> None:
    with pytest.raises(InputError, match="speaker: no control characters"):
        BY_NAME["speaker"].parse(raw)


def test_a_text_filter_folds_whitespace_and_an_empty_one_is_unset() -> None:
    assert BY_NAME["entity"].parse(" Port \t\n Authority ") == "Port Authority"
    assert BY_NAME["entity"].parse(" \t ") is None


def test_a_refused_value_is_echoed_cut() -> None:
    with pytest.raises(InputError) as caught:
        BY_NAME["stance"].parse("y" * 10_000)
    assert len(str(caught.value)) < 200
