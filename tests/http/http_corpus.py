"""A small invented corpus as enriched records (no NLP), for API tests over both index backends.

Expected results come from these lists through plain Python, never from a backend.
"""

from __future__ import annotations

from pipeline.records import Article, Claim, Cue, EnrichedArticle, Entity, Source, Span, Speaker, claim_id

# (speaker canonical, as written, stance, quote, content, [(entity canonical, as written, label)])
Spec = tuple[str | None, str | None, str, bool, str, list[tuple[str, str, str]]]

HOSTILE_TITLE = "<script>alert('title')</script><img src=x onerror=alert(1)>Harbor"
HOSTILE_URL = "javascript:alert('url')"
FORMULA_SPEAKER = "=HYPERLINK(\"http://evil.test\",\"x\")"

ARTICLES: list[tuple[str, str, str, str | None, str, str, list[Spec]]] = [
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


def build(article_id: str, outlet: str, url: str, published: str | None, title: str,
          specs: list[Spec]) -> EnrichedArticle:
    """An article whose text holds one sentence per claim, with true offsets for every span."""
    sentences = [f"{written or 'Officials'} said {content}." for _, written, _, _, content, _ in specs]
    text = " ".join(sentences)
    article = Article(article_id, url, url, Source(outlet, url.split("/")[2] if "//" in url else ""), title,
                      text, published=published)
    claims, entities = [], []
    at = 0
    for n, (canonical, written, stance, quote, content, ents) in enumerate(specs):
        sentence = sentences[n]
        start = at + sentence.index(content)
        speaker = Speaker(at, at + len(written), written, canonical, "PERSON") if canonical and written else None
        cue_at = at + sentence.index("said")
        mentioned = tuple(Entity(t, label, start + content.index(t), start + content.index(t) + len(t), name)
                          for name, t, label in ents)
        entities.extend(mentioned)
        claims.append(Claim(claim_id(article_id, n), article_id, n, speaker, Cue(cue_at, cue_at + 4, "said", "say"),
                            Span(start, start + len(content), content), stance, quote,
                            Span(at, at + len(sentence), sentence), mentioned))
        at += len(sentence) + 1
    return EnrichedArticle(article, tuple(entities), tuple(claims), model="test", extractor="test")


def corpus() -> list[EnrichedArticle]:
    return [build(*spec) for spec in ARTICLES]


def all_claims() -> list[tuple[Claim, Article]]:
    return [(c, e.article) for e in corpus() for c in e.claims]
