"""The JSON API over both index backends: the same documents as the CLI, bounded parameters, exports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from http_corpus import FORMULA_SPEAKER, HOSTILE_URL, all_claims, corpus

from pipeline import search
from pipeline.http import export

ATOM = "{http://www.w3.org/2005/Atom}"


def test_claims_are_the_query_services_json(client: TestClient, filled_index: object) -> None:
    got = client.get("/api/claims", params={"q": "drones Russia", "stance": "deny"})
    assert got.status_code == 200
    expected = search.claims_json(filled_index.search_claims(  # type: ignore[attr-defined]
        search.claim_query("drones Russia", stance="deny")))
    assert got.json() == json.loads(json.dumps(expected))
    assert [h["claim"]["speaker"]["canonical"] for h in got.json()["hits"]] == ["Tehran"]


def test_speaker_filter_and_facets_follow_the_corpus(client: TestClient) -> None:
    body = client.get("/api/claims", params={"speaker": "sullivan"}).json()
    want = {c.id for c, _ in all_claims() if c.speaker and "sullivan" in c.speaker.canonical.lower()}
    assert {h["claim"]["id"] for h in body["hits"]} == want
    assert body["total"] == len(want)
    stances = Counter(c.stance for c, _ in all_claims() if c.id in want)
    assert {f["value"]: f["count"] for f in body["facets"]["stances"]} == dict(stances)


def test_paging_with_next_visits_every_claim_once(client: TestClient) -> None:
    seen, params = [], {"limit": "3"}
    while True:
        body = client.get("/api/claims", params=params).json()
        seen += [h["claim"]["id"] for h in body["hits"]]
        if not body["next"]:
            break
        params["after"] = body["next"]
    assert sorted(seen) == sorted(c.id for c, _ in all_claims())


def test_one_claim_and_one_article_with_offsets(client: TestClient) -> None:
    claim, article = all_claims()[1]
    got = client.get(f"/api/claims/{claim.id}").json()
    assert got["claim"]["id"] == claim.id and got["article"]["title"] == article.title
    body = client.get(f"/api/articles/{article.id}").json()
    text = body["article"]["text"]
    assert text == article.text
    assert [c["id"] for c in body["claims"]] == [c.id for e in corpus() if e.article.id == article.id
                                                  for c in e.claims]
    for c in body["claims"]:
        assert text[c["content"]["start"]:c["content"]["end"]] == c["content"]["text"]
    assert body["entities"] and all(text[e["start"]:e["end"]] == e["text"] for e in body["entities"])


@pytest.mark.parametrize("path", ["/api/claims/nope-0001", "/api/articles/nope"])
def test_unknown_records_are_404_json(client: TestClient, path: str) -> None:
    got = client.get(path)
    assert got.status_code == 404 and "nope" in got.json()["error"]


def test_articles_search(client: TestClient) -> None:
    body = client.get("/api/articles", params={"source": "globe"}).json()
    assert [h["article"]["id"] for h in body["hits"]] == ["h2"]


@pytest.mark.parametrize(("params", "names"), [
    ({"limit": "101"}, "limit"), ({"limit": "ten"}, "limit"), ({"stance": "maybe"}, "stance"),
    ({"since": "2024-13-45"}, "since"), ({"since": "2024-05-01", "until": "2024-04-01"}, "since"),
    ({"q": "x" * 501}, "q"), ({"speaker": "y" * 501}, "speaker"), ({"after": "not-a-cursor"}, "cursor"),
])
def test_bad_parameters_are_400_json_naming_the_problem(client: TestClient, params: dict, names: str) -> None:
    got = client.get("/api/claims", params=params)
    assert got.status_code == 400
    assert names in got.json()["error"] and "Traceback" not in got.text


@pytest.mark.parametrize(("path", "params"), [
    ("/api/claims/histogram", {"interval": "year"}), ("/api/claims/export", {"format": "xml"}),
    ("/api/articles", {"limit": "0"}),
])
def test_other_bad_parameters(client: TestClient, path: str, params: dict) -> None:
    got = client.get(path, params=params)
    assert got.status_code == 400 and next(iter(params)) in got.json()["error"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_streams_every_match_through_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                  fmt: str) -> None:
    monkeypatch.setattr(export, "EXPORT_PAGE", 2)  # several cursor pages even for this small corpus
    got = client.get("/api/claims/export", params={"format": fmt, "q": "harbor", "limit": "1"})
    assert got.status_code == 200
    want = search.claim_query("harbor")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(got.text)))
        ids = [r["claim_id"] for r in rows]
        formula = [r for r in rows if "HYPERLINK" in r["speaker"]]
        assert formula and formula[0]["speaker"] == "'" + FORMULA_SPEAKER  # never a live formula
    else:
        ids = [json.loads(line)["claim"]["id"] for line in got.text.splitlines()]
    harbor = {c.id for c, _ in all_claims() if "harbor" in c.content.text.lower() or "harbor" in (c.sentence.text.lower())}
    assert sorted(ids) == sorted(harbor) and len(ids) == len(set(ids))
    assert want.text == "harbor"


def test_feed_is_atom_with_stable_entry_ids(client: TestClient) -> None:
    got = client.get("/api/claims/feed", params={"speaker": "Sullivan"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(got.content)
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    want = {c.id for c, _ in all_claims() if c.speaker and c.speaker.canonical == "Jake Sullivan"}
    assert sorted(ids) == sorted(f"urn:news-claims-pipeline:claim:{i}" for i in want)
    assert client.get("/api/claims/feed", params={"speaker": "Sullivan"}).content.count(b"<entry>") == len(want)


def test_feed_of_hostile_records_parses_and_never_links_javascript(client: TestClient) -> None:
    got = client.get("/api/claims/feed", params={"q": "harbor"})
    root = ET.fromstring(got.content)  # markup in titles is escaped, so the XML stays well-formed
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert any("<script>" in t for t in titles)  # shown as text
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert HOSTILE_URL not in hrefs and all(h.startswith("http") for h in hrefs)


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_histogram_counts_per_period(client: TestClient, interval: str) -> None:
    body = client.get("/api/claims/histogram", params={"interval": interval, "q": "drones"}).json()
    want: Counter = Counter()
    for c, a in all_claims():
        if a.published and "drone" in c.content.text.lower():
            day = date.fromisoformat(a.published[:10])
            start = {"day": day, "week": day - timedelta(days=day.weekday()), "month": day.replace(day=1)}[interval]
            want[start.isoformat()] += 1
    assert {p["start"]: p["count"] for p in body["periods"]} == dict(want)
    assert body["total"] == sum(want.values()) and body["interval"] == interval


def test_health_metrics_and_schema(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["counts"]["claims"] == len(all_claims())
    client.get("/api/claims", params={"limit": "999"})
    metrics = client.get("/metrics").text
    assert 'pipeline_http_requests_total{route="/api/claims",status="400"} 1.0' in metrics
    assert 'pipeline_http_request_seconds_count{route="/health"}' in metrics
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/claims", "/api/articles", "/api/claims/{claim_id}", "/api/articles/{article_id}",
                 "/api/claims/export", "/api/claims/feed", "/api/claims/histogram"):
        assert path in paths


FORGED_CURSORS = {  # base64 of JSON a backend cannot take: past 64-bit integers, nulls, an object
    "past-int64": "WzkyMjMzNzIwMzY4NTQ3NzU4MDhd", "sort-past-int64": "WzkyMjMzNzIwMzY4NTQ3NzU4MDgsIngiXQ==",
    "nulls": "W251bGwsbnVsbF0=", "object": "eyJhIjoxfQ==",
}


@pytest.mark.parametrize("path", ["/api/claims", "/api/articles", "/api/claims/export", "/"])
@pytest.mark.parametrize("cursor", list(FORGED_CURSORS.values()), ids=list(FORGED_CURSORS))
def test_a_forged_cursor_is_a_400(client: TestClient, path: str, cursor: str) -> None:
    got = client.get(path, params={"q": "drones", "after": cursor})
    assert got.status_code == 400 and "invalid page cursor" in got.text and "Traceback" not in got.text


@pytest.mark.parametrize("name", ["speaker", "entity", "source"])
def test_a_filter_that_matches_no_name_is_an_empty_answer(client: TestClient, name: str) -> None:
    for q in ("drones", ""):
        body = client.get("/api/claims", params={"q": q, name: "zz-nobody"}).json()
        assert body["total"] == 0 and body["hits"] == [] and body["next"] is None
    export_rows = client.get("/api/claims/export", params={"q": "drones", name: "zz-nobody", "format": "csv"}).text
    assert len(export_rows.splitlines()) == 1  # the header only


@pytest.mark.parametrize("path", ["/api/claims/{}", "/api/articles/{}", "/api/claims/{}/thread", "/claims/{}/thread",
                                  "/articles/{}"])
def test_a_404_shows_a_long_id_cut(client: TestClient, path: str) -> None:
    got = client.get(path.format("x" * 10_000))
    assert got.status_code == 404 and got.text.count("x") < 200


@pytest.mark.parametrize("value", ["\x00", "Sullivan\x00", "\x1b[31m", "\x7f"])
def test_a_control_character_in_a_filter_is_a_400(client: TestClient, value: str) -> None:
    for path in ("/api/claims", "/api/articles"):
        got = client.get(path, params={"q": "drones", "source": value})
        assert got.status_code == 400 and "control characters" in got.json()["error"]
    assert client.get("/api/claims", params={"speaker": value}).status_code == 400


def test_whitespace_in_a_filter_is_folded(client: TestClient) -> None:
    folded = client.get("/api/claims", params={"speaker": "  jake \t sullivan\n"}).json()
    assert folded["total"] == client.get("/api/claims", params={"speaker": "jake sullivan"}).json()["total"] > 0
