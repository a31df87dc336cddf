"""The request guard (one ASGI middleware): refusals are counted and secured like any answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pipeline.http import HttpOptions, create_app
from pipeline.http.middleware import CSP
from pipeline.runtime.prometheus import PrometheusSensor


def metric_lines(client: TestClient) -> list[str]:
    return client.get("/metrics").text.splitlines()


def test_a_refused_request_is_counted_and_carries_the_headers(filled_index: object) -> None:
    app = create_app(filled_index, HttpOptions(rate_per_s=0.001, burst=1), PrometheusSensor())  # type: ignore[arg-type]
    with TestClient(app) as c:
        assert c.get("/api/claims").status_code == 200
        refused = c.get("/api/claims")
        metrics = c.get("/metrics")  # refused as well: the bucket is empty
    assert refused.status_code == 429 and metrics.status_code == 429
    assert refused.headers["content-security-policy"] == CSP and refused.headers["x-frame-options"] == "DENY"
    lines = app.state.sensor.export()[1].decode().splitlines()
    assert 'pipeline_http_requests_total{route="/api/claims",status="200"} 1.0' in lines
    assert 'pipeline_http_requests_total{route="unmatched",status="429"} 2.0' in lines


def test_routes_are_counted_by_their_template(filled_index: object) -> None:
    app = create_app(filled_index, HttpOptions(rate_per_s=0), PrometheusSensor())  # type: ignore[arg-type]
    with TestClient(app) as c:
        assert c.get("/static/style.css").status_code == 200
        assert c.get("/api/claims/no-such-claim").status_code == 404
        assert c.get("/no/such/page").status_code == 404
        lines = metric_lines(c)
    assert 'pipeline_http_requests_total{route="/static",status="200"} 1.0' in lines
    assert 'pipeline_http_requests_total{route="/api/claims/{claim_id}",status="404"} 1.0' in lines
    assert 'pipeline_http_requests_total{route="unmatched",status="404"} 1.0' in lines


def test_a_token_refusal_is_secured_and_a_browser_login_keeps_the_query(filled_index: object) -> None:
    app = create_app(filled_index, HttpOptions(token="s3cret", rate_per_s=0))  # type: ignore[arg-type]
    with TestClient(app) as c:
        refused = c.get("/api/claims")
        login = c.get("/", params={"q": "drones", "token": "s3cret", "speaker": "Tehran"}, follow_redirects=False)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.headers["content-security-policy"] == CSP
    assert login.status_code == 303 and login.headers["location"] == "/?q=drones&speaker=Tehran"
    assert "pipeline_token=s3cret" in login.headers["set-cookie"] and login.headers["content-security-policy"] == CSP


def test_head_answers_every_get_route_as_get_without_a_body(client: TestClient) -> None:
    for path in ("/health", "/api/claims?q=drones", "/", "/api/claims/feed", "/api/claims/export?format=csv",
                 "/static/style.css"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-security-policy"] == CSP
    assert client.head("/api/claims/no-such-claim").status_code == 404
    assert client.post("/health").status_code == 405  # only HEAD joins GET
