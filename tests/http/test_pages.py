"""The web page without a browser: escaping, links, state in the URL, security headers, refusals."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from http_corpus import HOSTILE_TITLE, HOSTILE_URL, all_claims

from pipeline.errors import BackendUnavailable
from pipeline.http import HttpOptions, create_app
from pipeline.index.sqlite import SqliteIndex

NO_LIMIT = HttpOptions(rate_per_s=0)


class Links(HTMLParser):
    """Every href/src/action in a page, and whether any <script> element appears."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.urls += [v or "" for k, v in attrs if k in ("href", "src", "action")]
        self.handlers += [k for k, _ in attrs if k.startswith("on")]


def parsed(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def test_hostile_records_show_as_text(client: TestClient) -> None:
    page = client.get("/", params={"q": "harbor"})
    assert page.status_code == 200
    links = parsed(page.text)
    assert links.scripts == 0 and links.handlers == []
    assert "&lt;script&gt;alert(&#39;speaker&#39;)&lt;/script&gt;" in page.text  # the speaker, as text
    assert all(u.startswith(("/", "http://", "https://", "#")) for u in links.urls), links.urls
    assert HOSTILE_URL not in links.urls and HOSTILE_URL in page.text.replace("&#39;", "'")  # shown, not linked


def test_article_view_marks_claims_and_escapes_the_title(client: TestClient) -> None:
    page = client.get("/articles/h4")
    links = parsed(page.text)
    assert page.status_code == 200 and links.scripts == 0 and links.handlers == []
    assert HOSTILE_TITLE not in page.text and "&lt;script&gt;alert(&#39;title&#39;)" in page.text
    for claim, article in all_claims():
        if article.id == "h4":
            assert f'id="claim-{claim.id}"' in page.text


def test_facet_links_filter_and_keep_the_query(client: TestClient) -> None:
    page = client.get("/", params={"q": "drones"})
    facet = [u for u in parsed(page.text).urls if "speaker=Tehran" in u]
    assert facet
    query = parse_qs(urlsplit(facet[0]).query)
    assert query == {"q": ["drones"], "speaker": ["Tehran"]}
    filtered = client.get(facet[0])
    assert "Tehran" in filtered.text and "1</strong> claim" in filtered.text


def test_next_page_link_carries_the_cursor(client: TestClient) -> None:
    page = client.get("/", params={"limit": "2"})
    nxt = [u for u in parsed(page.text).urls if "after=" in u]
    assert len(nxt) == 1 and parse_qs(urlsplit(nxt[0]).query)["limit"] == ["2"]
    assert client.get(nxt[0]).status_code == 200


def test_every_answer_carries_the_csp(client: TestClient) -> None:
    for path in ("/", "/api/claims", "/articles/h1", "/api/claims?limit=0", "/static/style.css"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'none'" in csp and "default-src 'none'" in csp


def test_bad_page_parameter_is_a_400_page(client: TestClient) -> None:
    page = client.get("/", params={"since": "yesterday"})
    assert page.status_code == 400 and "since" in page.text and page.headers["content-type"].startswith("text/html")


def test_rate_limit_answers_429_with_retry_after(filled_index: object) -> None:
    app = create_app(filled_index, HttpOptions(rate_per_s=0.001, burst=2))  # type: ignore[arg-type]
    with TestClient(app) as c:
        codes = [c.get("/api/claims").status_code for _ in range(3)]
        refused = c.get("/api/claims")
    assert codes == [200, 200, 429] and refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1 and "error" in refused.json()


def test_token_protects_everything_but_health(filled_index: object) -> None:
    app = create_app(filled_index, HttpOptions(token="s3cret", rate_per_s=0))  # type: ignore[arg-type]
    with TestClient(app) as c:
        assert c.get("/api/claims").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/health").status_code == 200
        assert c.get("/api/claims", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/claims", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/api/claims/feed", params={"token": "s3cret"}).status_code == 200  # feed readers
        login = c.get("/", params={"token": "s3cret", "q": "drones"}, follow_redirects=False)
        assert login.status_code == 303 and login.headers["location"] == "/?q=drones"
        assert c.get("/?q=drones").status_code == 200  # the cookie from the redirect


class DownIndex(SqliteIndex):
    """A real SQLite index whose reads fail as an unreachable backend does."""

    def search_claims(self, query):  # type: ignore[no-untyped-def]
        raise BackendUnavailable("index file on a lost disk")

    def counts(self):  # type: ignore[no-untyped-def]
        raise BackendUnavailable("index file on a lost disk")


@pytest.mark.parametrize("path", ["/api/claims", "/", "/health"])
def test_index_down_is_503_with_retry_after(tmp_path, path: str) -> None:  # type: ignore[no-untyped-def]
    index = DownIndex(tmp_path / "index.db")
    with TestClient(create_app(index, NO_LIMIT)) as c:
        got = c.get(path)
    index.close()
    assert got.status_code == 503 and int(got.headers["retry-after"]) > 0
    assert "lost disk" not in got.text  # the reason goes to the log, not to strangers


@pytest.mark.elastic
def test_elasticsearch_unreachable_is_503(free_port: int) -> None:
    from pipeline.index.elastic import ElasticIndex

    index = ElasticIndex(f"http://127.0.0.1:{free_port}", timeout_s=2.0)
    with TestClient(create_app(index, NO_LIMIT)) as c:
        got = c.get("/api/claims", params={"q": "drones"})
    index.close()
    assert got.status_code == 503 and int(got.headers["retry-after"]) > 0 and "error" in got.json()
