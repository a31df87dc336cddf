"""Hypothesis over the routes outside the OpenAPI schema (the pages) and the feeds and exports' output.

Any text in any parameter, sent as a client sends it (UTF-8, percent-encoded; a lone surrogate as the
bytes a lax encoder makes of it), gets a defined answer: never a 5xx or a traceback, and well-formed
output (HTML that ends, an Atom feed that parses as XML, CSV and JSON Lines rows that parse).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from fuzzing import HOSTILE, fuzz_settings
from hypothesis import example, given
from hypothesis import strategies as st

from pipeline.http.export import CSV_COLUMNS

SEARCH_PARAMS = ("q", "speaker", "entity", "stance", "source", "since", "until", "limit", "after", "interval")
FORGED_CURSOR = "WzkyMjMzNzIwMzY4NTQ3NzU4MDhd"  # [9223372036854775808]: issue 20.6
PARAMS = st.dictionaries(st.sampled_from(SEARCH_PARAMS), HOSTILE, max_size=4)
# Each route outside the schema, with the path parameter it takes ("{}"), if any.
PAGE_ROUTES = ("/", "/articles/{}", "/claims/{}/thread")


@pytest.fixture(scope="module")
def client(seeded_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(seeded_app, raise_server_exceptions=False) as c:
        yield c


def encoded(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def url(path: str, params: dict[str, str]) -> str:
    return path + ("?" + "&".join(f"{k}={encoded(v)}" for k, v in params.items()) if params else "")


def defined(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500 and "Traceback" not in response.text, response.text[:300]


@fuzz_settings(60)
@given(params=PARAMS)
@example(params={"q": "drones", "speaker": "nobody"})  # issue 20.1
@example(params={"q": "drones", "after": FORGED_CURSOR})  # issue 20.6
@example(params={"speaker": "\x00"})
def test_the_search_page_answers_any_parameters(client: TestClient, params: dict[str, str]) -> None:
    got = client.get(url("/", params))
    defined(got)
    assert got.headers["content-type"].startswith("text/html") and got.text.rstrip().endswith("</html>")
    assert "<script" not in got.text.lower()  # whatever was sent, it is shown escaped


@fuzz_settings(60)
@given(route=st.sampled_from(PAGE_ROUTES[1:]), value=HOSTILE.filter(bool))
@example(route="/articles/{}", value="x" * 10_000)
def test_the_record_pages_answer_any_id(client: TestClient, route: str, value: str) -> None:
    got = client.get(route.format(encoded(value)))
    defined(got)
    assert got.status_code in (200, 404) and got.text.rstrip().endswith("</html>")


@fuzz_settings(40)
@given(params=PARAMS)
@example(params={"after": FORGED_CURSOR})
@example(params={"entity": "zz", "q": "drones"})
def test_the_atom_feed_answers_any_parameters_with_xml(client: TestClient, params: dict[str, str]) -> None:
    got = client.get(url("/api/claims/feed", params))
    defined(got)
    if got.status_code == 200:
        ET.fromstring(got.content)  # parses: every text and URL in it is XML 1.0-clean
    else:
        assert set(got.json()) == {"error"}


@fuzz_settings(40)
@given(params=PARAMS, fmt=st.sampled_from(["csv", "jsonl"]))
@example(params={"after": FORGED_CURSOR}, fmt="csv")
@example(params={"source": "zz", "q": "drones"}, fmt="jsonl")
def test_the_exports_answer_any_parameters_with_rows_that_parse(client: TestClient, params: dict[str, str],
                                                                 fmt: str) -> None:
    got = client.get(url("/api/claims/export", {**params, "format": fmt}))
    defined(got)
    if got.status_code != 200:
        assert set(got.json()) == {"error"}
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(got.text, newline="")))
        assert rows[0] == list(CSV_COLUMNS) and all(len(r) == len(CSV_COLUMNS) for r in rows)
    else:
        assert all("claim" in json.loads(line) for line in got.text.splitlines())
