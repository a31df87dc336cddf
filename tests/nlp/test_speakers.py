"""Who says it: subjects found where the parse hides them, and non-subjects refused."""

from __future__ import annotations

from pipeline.nlp.claims import learned_candidates
from pipeline.nlp.entities import extract_entities


def speakers_of(parse, text: str, cue: str) -> set[str | None]:
    doc = parse(text)
    return {None if c.speaker is None else c.speaker.text
            for c in learned_candidates(doc, extract_entities(doc)) if c.cue.text == cue}


def test_after_saying_takes_the_main_clause_subject(parse):
    assert speakers_of(parse, "After saying the economy was strong, she left the stage.", "saying") == {"she"}


def test_a_contraction_is_never_a_speaker(parse):
    for text, cue in (("But Attorney General Eric Schneiderman isn’t saying if the foundation broke any laws.",
                       "saying"),
                      ("Trump didn’t apologize for his past statements about the birth certificate.", "apologize")):
        found = speakers_of(parse, text, cue)
        assert not found & {"n’t", "’s", "n't", "'s"}, found


def claim_speakers(claims_of, text: str) -> dict[str, str | None]:
    """Cue text -> speaker span text of the final claims."""
    return {c.cue.text: None if c.speaker is None else c.speaker.text for c in claims_of(text)}


def test_fallback_takes_the_subject_a_participle_cue_hangs_on(claims_of):
    text = ("A complaint was filed in March challenging the zoning rule and alleging "
            "that the council ignored its own experts.")
    assert claim_speakers(claims_of, text)["alleging"] == "A complaint"


def test_fallback_takes_the_noun_a_participle_cue_modifies(claims_of):
    text = "The mayor received 300 letters saying the bridge was unsafe."
    assert claim_speakers(claims_of, text)["saying"] == "300 letters"


def test_fallback_takes_the_noun_after_a_cue_that_follows_its_content(claims_of):
    text = '"The budget is a fantasy," added another council member.'
    assert claim_speakers(claims_of, text)["added"] == "another council member"


def test_fallback_never_picks_inside_the_content(claims_of):
    text = "A complaint was filed in March alleging that the council and Carla Mendes ignored the experts."
    for c in claims_of(text):
        if c.speaker is not None:
            assert not (c.content.start <= c.speaker.start < c.content.end), c


def test_a_description_with_a_name_after_it_resolves_to_the_name(claims_of):
    for text, cue in (("The club's treasurer, Carla Mendes, said the accounts were in order.", "said"),
                      ("Acme Corp. chief financial officer and treasurer Carla Mendes called the forecast "
                       "too optimistic.", "called")):
        (claim,) = [c for c in claims_of(text) if c.cue.text == cue]
        assert "Carla Mendes" in claim.speaker.text and claim.speaker.canonical == "Carla Mendes"


def test_fallback_leaves_an_agentless_raising_passive_unattributed(claims_of):
    # "X are expected to ...": no one is said to expect it; nor is the main clause's subject the speaker
    text = ("The talks resume as the two ministers are expected to sign a grain deal. "
            "The delegations are expected to hold separate meetings as well.")
    found = {c.content.text: c.speaker for c in claims_of(text) if c.cue.lemma == "expect"}
    assert found and all(speaker is None for speaker in found.values()), found
