"""A small invented corpus as enriched records (no NLP), for API tests over both index backends.

Expected results come from these lists through plain Python, never from a backend.
"""

from __future__ import annotations

from invented import ClaimSpec, invented_article

from pipeline.records import Article, Claim, EnrichedArticle

HOSTILE_TITLE = "<script>alert('title')</script><img src=x onerror=alert(1)>Harbor"
HOSTILE_URL = "javascript:alert('url')"
FORMULA_SPEAKER = "=HYPERLINK(\"http://evil.test\",\"x\")"

ARTICLES: list[tuple[str, str, str, str | None, str, str, list[ClaimSpec]]] = [
    ("h1", "Daily Planet", "https://dailyplanet.test/h1", "2024-03-04T09:00:00Z", "Drone deal denied", [
        ("Jake Sullivan", "Sullivan", "assert", False, "Iran is selling drones to Russia",
         [("Iran", "Iran", "GPE"), ("Russia", "Russia", "GPE")]),
        ("Tehran", "Tehran", "deny", False, "it sent any drones to Russia", [("Russia", "Russia", "GPE")]),
    ]),
    ("h2", "Globe Herald", "https://globeherald.test/h2", "2024-03-06T12:00:00Z", "Harbor project delayed", [
        ("Maria Lopez", "Lopez", "assert", True, "the harbor project is on schedule", []),
        ("Port Authority", "the Authority", "deny", False, "any contract was signed by the Authority", [("Port Authority", "the Authority", "ORG")]),
    ]),
    ("h3", "Metro Times", "https://metrotimes.test/h3", "2024-03-11T23:00:00Z", "Drones over the city", [
        ("Jake Sullivan", "Jake Sullivan", "assert", False, "drones were seen over the harbor", []),
        (None, None, "assert", False, "ferry fares will rise next year", []),
    ]),
    ("h4", "<b>Evil</b> Outlet", HOSTILE_URL, "2024-04-02T08:00:00Z", HOSTILE_TITLE, [
        ("<script>alert('speaker')</script>", "<script>alert('speaker')</script>", "assert", True,
         "<img src=x onerror=alert('content')> the harbor is closed", []),
        (FORMULA_SPEAKER, FORMULA_SPEAKER, "deny", False, "=1+1 the harbor is open", []),
    ]),
    ("h5", "Wire Service", "https://wire.test/h5", None, "Budget talks resume", [
        ("Maria Lopez", "Lopez", "assert", False, "talks on the budget will resume on Monday", []),
    ]),
]


def corpus() -> list[EnrichedArticle]:
    return [invented_article(*spec) for spec in ARTICLES]


def all_claims() -> list[tuple[Claim, Article]]:
    return [(c, e.article) for e in corpus() for c in e.claims]
