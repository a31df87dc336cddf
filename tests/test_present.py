"""The presenter: one wording for claims, speakers, outlets and dates, on the CLI, the page and the feed."""

from __future__ import annotations

from pipeline import present
from pipeline.cli.search_cmd import format_claims
from pipeline.http.app import templates
from pipeline.index.base import ArticleRef, ClaimHit, SearchResult
from pipeline.records import Claim, Span, Speaker
from pipeline.search import articles_json, claims_json


def claim(speaker: Speaker | None = None, quote: bool = False) -> Claim:
    return Claim(id="a1:0", article_id="a1", ordinal=0, speaker=speaker, cue=None,
                 content=Span(0, 14, "drones were sent"), quote=quote)


SULLIVAN = Speaker(0, 8, "Sullivan", "Jake Sullivan", "PERSON")


def test_cut_keeps_what_fits_and_cuts_at_a_word() -> None:
    assert present.cut("short enough", 12) == "short enough"
    assert present.cut("the harbour was closed", 14) == "the harbour…"  # not "the harbour wa…"
    assert present.cut("unbroken", 4) == "unbr…"  # no space to cut at: cut in the word


def test_speaker_and_as_written() -> None:
    assert present.speaker(claim(SULLIVAN)) == "Jake Sullivan"
    assert present.speaker(claim()) == present.UNATTRIBUTED == "Unattributed"
    assert present.as_written(claim(SULLIVAN)) == "(“Sullivan”)"
    same = Speaker(0, 13, "Jake Sullivan", "Jake Sullivan")
    assert present.as_written(claim(same)) == "" and present.as_written(claim()) == ""


def test_kind_day_and_outlet() -> None:
    assert present.claim_kind(claim(quote=True)) == "quote" and present.claim_kind(claim()) == "reported"
    assert present.day("2025-06-04T10:00:00Z") == "2025-06-04"
    assert present.day(None) == present.day("") == "undated"
    assert present.outlet("Harbour Times") == "Harbour Times"
    assert present.outlet("") == present.outlet(None) == "unknown outlet"


def test_the_templates_get_the_presenter_as_filters_and_escape_what_it_returns() -> None:
    env = templates().env
    for name, function in present.JINJA_FILTERS.items():
        assert env.filters[name] is function
    hostile = Speaker(0, 8, "<b>x</b>", "<script>x</script>")
    shown = env.from_string("{{ c|speaker }} {{ c|as_written }} {{ none|day }}").render(c=claim(hostile), none=None)
    assert shown == "&lt;script&gt;x&lt;/script&gt; (“&lt;b&gt;x&lt;/b&gt;”) undated"


def test_the_cli_listing_uses_the_page_wording() -> None:
    ref = ArticleRef("a1", "A title", "https://example.test/a1", None, "")
    result = SearchResult(2, [ClaimHit(claim(), ref, 1.0), ClaimHit(claim(SULLIVAN, quote=True), ref, 0.5)])
    text = format_claims(result)
    assert " 1. Unattributed  [assert, reported, cue: ]" in text
    assert " 2. Jake Sullivan (“Sullivan”)  [assert, quote, cue: ]" in text
    assert "(unknown outlet, undated)" in text


def test_a_bounded_total_reads_as_a_lower_bound_everywhere() -> None:
    assert present.total(1234) == "1,234" and present.total(10_000, exact=False) == "10,000+"
    ref = ArticleRef("a1", "A title", "https://example.test/a1", None, "")
    bounded = SearchResult(10_000, [ClaimHit(claim(), ref, 1.0)], total_exact=False)
    assert format_claims(bounded).startswith("10,000+ claim(s), showing 1")
    assert format_claims(SearchResult(1, [ClaimHit(claim(), ref, 1.0)])).startswith("1 claim(s)")
    shown = templates().env.from_string("{{ r.total|total(r.total_exact) }}").render(r=bounded)
    assert shown == "10,000+"
    assert claims_json(bounded)["total_exact"] is False and articles_json(SearchResult(0, []))["total_exact"] is True
