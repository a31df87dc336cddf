"""The Atom feed stays XML 1.0 whatever the records hold: control characters in URLs and in text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from invented import invented_article
from support import close_test_index, open_test_index

from pipeline.http import HttpOptions, create_app

ATOM = "{http://www.w3.org/2005/Atom}"
CONTROL_URL = "https://controls.test/a\x01b\x0bc?d=\x1fe"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    article = invented_article("x1", "Out\x01let", CONTROL_URL, "2024-05-01T10:00:00Z", "Bridge \x0bnews\x01", [
        ("Ann \x01Lee", "Ann \x01Lee", "assert", False, "the bridge\x0b opens\x1f soon", []),
    ])
    index = open_test_index("sqlite", tmp_path / "index.db")
    assert index.upsert([article]) == []  # type: ignore[attr-defined]
    with TestClient(create_app(index, HttpOptions(rate_per_s=0)), raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c
    close_test_index(index)


def test_control_characters_in_urls_and_text_leave_the_feed_parseable(client: TestClient) -> None:
    got = client.get("/api/claims/feed", params={"q": "bridge"})
    assert got.status_code == 200
    root = ET.fromstring(got.content)  # an XML parser: one forbidden character and this raises
    (entry,) = root.findall(f"{ATOM}entry")
    related = [link.get("href") for link in entry.iter(f"{ATOM}link") if link.get("rel") == "related"]
    assert related == ["https://controls.test/a%01b%0Bc?d=%1Fe"]  # the same resource, percent-encoded
    assert entry.findtext(f"{ATOM}title").startswith("Ann Lee (assert): the bridge opens soon")


def test_the_xml_helpers_leave_nothing_xml_1_0_forbids() -> None:
    from pipeline.http.render import xml_text, xml_url

    hostile = "".join(chr(c) for c in range(0x20)) + "\x7f\ud800\udfff\ufffe\uffff ok"
    for cleaned in (xml_text(hostile), xml_url(hostile)):
        ET.fromstring(f"<a b=\"{cleaned.replace('&', '')}\">{cleaned.replace('&', '')}</a>")
    assert xml_url("http://h/\x01") == "http://h/%01" and xml_text("a\x0bb") == "ab"
