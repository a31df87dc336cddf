"""Constructions the claim extractor must handle, pinned with invented sentences."""

from __future__ import annotations

import pytest

from pipeline.records import claim_id


def one(claims, cue_text: str):
    """The single claim whose cue text is ``cue_text``."""
    found = [c for c in claims if c.cue is not None and c.cue.text == cue_text]
    assert len(found) == 1, [(c.cue.text if c.cue else None, c.content.text) for c in claims]
    return found[0]


def test_said_that_clause(claims_of):
    c = one(claims_of("Maria Lopez said on Monday that the bridge would reopen in May."), "said")
    assert c.speaker.text == "Maria Lopez" and c.speaker.canonical == "Maria Lopez"
    assert c.content.text.endswith("the bridge would reopen in May")
    assert c.stance == "assert" and c.quote is False
    assert c.cue.lemma == "say"


def test_offsets_and_ids_are_consistent(claims_of):
    text = "The mayor said the budget is balanced. Critics claimed the numbers were wrong."
    claims = claims_of(text, "art1")
    assert [c.ordinal for c in claims] == list(range(len(claims))) and len(claims) == 2
    for c in claims:
        assert c.id == claim_id("art1", c.ordinal)
        for span in (c.speaker, c.cue, c.content, c.sentence):
            assert text[span.start:span.end] == span.text
    assert claims[0].content.start < claims[1].content.start
    assert claims == claims_of(text, "art1")  # deterministic


@pytest.mark.parametrize("verb", ["insisted", "warned", "acknowledged", "argued", "predicted", "conceded"])
def test_many_reporting_verbs(claims_of, verb):
    c = one(claims_of(f"The senator {verb} that the vote would fail."), verb)
    assert c.speaker.text == "The senator"
    assert c.content.text.endswith("the vote would fail")


def test_according_to(claims_of):
    c = one(claims_of("The factory will close next year, according to the company."), "according to")
    assert c.speaker.text == "the company"
    assert c.content.text == "The factory will close next year"
    assert c.cue.lemma == "according to"


def test_according_to_first(claims_of):
    c = one(claims_of("According to Dana Whitfield, the plant will stay open."), "According to")
    assert c.speaker.canonical == "Dana Whitfield"
    assert c.content.text == "the plant will stay open"


def test_noun_cue_claim_that(claims_of):
    claims = claims_of("Critics rejected the mayor's claim that the tunnel is safe.")
    c = one(claims, "claim")
    assert c.content.text == "that the tunnel is safe"  # PolNeAR convention: the complementizer is kept
    assert c.speaker.text == "the mayor"


def test_noun_cue_statement_that(claims_of):
    text = "Nora Vance spoke on Sunday. Her statement that taxes would fall angered the unions."
    c = one(claims_of(text), "statement")
    assert c.content.text == "that taxes would fall"
    assert c.speaker.text == "Her" and c.speaker.canonical == "Nora Vance"


def test_noun_cue_folds_into_same_speaker_verb(claims_of):
    # "repeated her statement that X": one claim by Nora Vance, not two (nested attributions fold)
    claims = claims_of("Nora Vance repeated on Sunday her statement that taxes would fall.")
    assert len(claims) == 1 and claims[0].speaker.canonical == "Nora Vance"
    assert claims[0].content.text.endswith("taxes would fall")


def test_passive_alleged_to(claims_of):
    c = one(claims_of("The minister is alleged to have accepted bribes from a builder."), "alleged")
    assert c.speaker is None
    assert "accepted bribes" in c.content.text and c.content.text.startswith("The minister")


def test_passive_was_reported_to(claims_of):
    c = one(claims_of("The general was reported to have resigned."), "reported")
    assert c.speaker is None and "resigned" in c.content.text


def test_direct_quote_speaker_after(claims_of):
    text = "“We will rebuild the school,” the governor said."
    c = one(claims_of(text), "said")
    assert c.quote is True
    assert c.content.text == "“We will rebuild the school,”"
    assert c.speaker.text == "the governor"


def test_inverted_said_speaker(claims_of):
    c = one(claims_of("“Nothing has changed,” said Omar Haddad, a spokesman."), "said")
    assert c.speaker.text == "Omar Haddad" and c.quote is True


def test_multi_sentence_quote(claims_of):
    text = "“Prices are rising. Families are worried. We must act now,” Ellen Park said."
    c = one(claims_of(text), "said")
    assert c.content.start == 0 and c.content.text.endswith("act now,”")
    assert c.quote is True


def test_quote_split_around_cue(claims_of):
    text = "“The plan is dead,” she said. “Nobody in the council supports it.”\nThe vote is on Friday."
    c = one(claims_of(text), "said")
    assert c.content.text.startswith("“The plan is dead")
    assert c.content.text.endswith("supports it.”")
    assert c.quote is True


def test_pronoun_speaker_resolved(claims_of):
    text = "Laura Benn visited the port on Tuesday. She said the cranes were too old."
    c = one(claims_of(text), "said")
    assert c.speaker.text == "She" and c.speaker.canonical == "Laura Benn"
    assert c.speaker.label == "PERSON"


def test_surname_and_alias_canonical(claims_of):
    text = ("Peter Adeyemi met the press. Adeyemi said the talks failed. "
            "The US said the talks would resume.")
    claims = claims_of(text)
    by_speaker = {c.speaker.text: c.speaker.canonical for c in claims if c.speaker}
    assert by_speaker["Adeyemi"] == "Peter Adeyemi"
    assert by_speaker["The US"] == "United States"


def test_denial_is_deny(claims_of):
    c = one(claims_of("The ministry denied that it had paid the hackers."), "denied")
    assert c.stance == "deny" and c.content.text.endswith("it had paid the hackers")


def test_rejected_is_deny(claims_of):
    c = one(claims_of("Ankara rejected the accusation."), "rejected")
    assert c.stance == "deny" and c.speaker.text == "Ankara"


def test_no_evidence_is_deny(claims_of):
    c = one(claims_of("The inspector said there was no evidence of fraud in the election."), "said")
    assert c.stance == "deny"


def test_content_negation_still_asserts(claims_of):
    c = one(claims_of("The coach said the team would not travel."), "said")
    assert c.stance == "assert"


def test_negated_belief_is_deny(claims_of):
    c = one(claims_of("The minister does not believe that the strike will end soon."), "believe")
    assert c.stance == "deny"


def test_negated_say_is_not_a_claim(claims_of):
    claims = claims_of("The senator did not say that the bill would pass.")
    assert not [c for c in claims if c.cue.text == "say"]


def test_entities_inside_content(claims_of):
    c = one(claims_of("Anna Kowalski said Germany would send tanks to Poland."), "said")
    names = {e.text for e in c.entities}
    assert {"Germany", "Poland"} <= names and "Anna Kowalski" not in names
    assert all(c.content.start <= e.start and e.end <= c.content.end for e in c.entities)


def test_participle_cue_shares_subject(claims_of):
    claims = claims_of("The union called off the strike, saying the offer was fair.")
    c = one(claims, "saying")
    assert c.speaker.text == "The union" and c.content.text == "the offer was fair"


def test_told_with_quote_before(claims_of):
    text = "“The border stays closed,” Ruth Ngata told reporters on Friday."
    c = one(claims_of(text), "told")
    assert c.speaker.canonical == "Ruth Ngata" and c.quote is True


def test_belief_and_expectation_cues(claims_of):
    claims = claims_of("Analysts believe the bank will cut rates. Traders expect a rally in March.")
    assert one(claims, "believe").speaker.text == "Analysts"
    assert one(claims, "expect").content.text == "a rally in March"


def test_no_claim_without_cue(claims_of):
    assert claims_of("The river flooded the valley after three days of rain.") == []


def test_headline_colon(claims_of):
    claims = claims_of("Okafor: The Budget Will Be Balanced by 2026.\n\nThe finance minister spoke in Lagos.")
    c = one(claims, ":")
    assert c.speaker.text == "Okafor" and c.content.text == "The Budget Will Be Balanced by 2026"


def test_dash_signed_quote(claims_of):
    text = "Readers wrote in.\n“The new park changed our street for the better.” ― Lena Ortiz\nMore letters follow."
    c = one(claims_of(text), "―")
    assert c.speaker.text == "Lena Ortiz" and c.quote is True
    assert c.content.text == "“The new park changed our street for the better.”"


def test_dash_signed_quote_with_misprinted_opener_and_no_break_space(claims_of):
    text = "Readers wrote in.\n\n”The bridge is too narrow for the buses.”\u00a0―\u00a0Ana Reyes\u00a0\nMore letters follow."
    c = one(claims_of(text), "―")
    assert c.speaker.text == "Ana Reyes" and c.content.text == "”The bridge is too narrow for the buses.”"


def test_transcript_turns(claims_of):
    text = ("Host Dana Cole asked Mayor Ruiz about the budget.\n\n\"COLE: Will taxes rise next year?\n\n"
            "\"RUIZ: No, the budget is balanced without new taxes.\n\nUPDATE: This story was corrected.")
    turns = [c for c in claims_of(text) if c.cue.text == ":"]
    assert [(c.speaker.text, c.content.text) for c in turns] == [
        ("COLE", "Will taxes rise next year?"), ("RUIZ", "No, the budget is balanced without new taxes.")]


def test_colon_then_quote_paragraph(claims_of):
    text = "The coach continued:\n\n“We trained hard all winter and the results will come.”\n\nThe season starts soon."
    c = one(claims_of(text), "continued")
    assert c.speaker.text == "The coach" and c.quote is True
    assert c.content.text.startswith("“We trained hard")


def test_relative_pronoun_speaker(claims_of):
    text = "The plan was drafted by Carla Mendes, who said the costs would double."
    c = one(claims_of(text), "said")
    assert c.speaker.text == "who" and c.speaker.canonical == "Carla Mendes"


def test_content_stays_in_its_paragraph(claims_of):
    text = "Officials said the road would reopen\n\nTraffic was heavy all day."
    c = one(claims_of(text), "said")
    assert "\n" not in c.content.text and c.content.text == "the road would reopen"


@pytest.mark.parametrize(("text", "cue", "speaker", "content"), [
    ("The campaign released data on Monday that suggest voters are tired of the war.", "released",
     "The campaign", "voters are tired of the war"),
    ("The ministry published a report that shows the economy grew by 3 percent.", "published",
     "The ministry", "the economy grew by 3 percent"),
])
def test_what_a_released_thing_states_is_the_releasers_claim(claims_of, text, cue, speaker, content):
    claims = claims_of(text)
    c = one(claims, cue)
    assert c.speaker.text == speaker and c.content.text == content and len(claims) == 1


def test_a_criticized_report_keeps_its_own_finding_out_of_the_critics_claim(claims_of):
    # only verbs that put a thing out relay what it states: criticizing a report is no claim that it is right
    c = one(claims_of("He criticized the report that found the plan would fail."), "criticized")
    assert c.content.text == "the report that found the plan would fail"


@pytest.mark.parametrize(("text", "cue", "content"), [
    ("The teachers' union called for a new vote on the contract.", "called", "a new vote on the contract"),
    ("The council member referred to the mayor as a reliable partner.", "referred to", "the mayor as a reliable partner"),
])
def test_a_preposition_the_cue_selects_goes_with_the_cue(claims_of, text, cue, content):
    assert one(claims_of(text), cue).content.text == content  # PolNeAR: "called for" is the cue


def test_an_adjective_after_a_copula_goes_with_the_cue(claims_of):
    # the rules move the adjective; the learned start moves its preposition too, as PolNeAR marks the cue
    c = one(claims_of("Residents are unhappy with the new parking rules downtown."), "are unhappy with")
    assert c.content.text.startswith("the new parking rules")


def test_the_infinitive_marker_stays_in_the_content(claims_of):
    c = one(claims_of("The company threatened to close the plant in Ohio."), "threatened")
    assert c.content.text == "to close the plant in Ohio"  # PolNeAR keeps "to", as it keeps "that"


def test_a_quote_split_around_its_cue_is_two_pieces(claims_of):
    text = '"The pier is safe," the mayor said, "and it will reopen soon."'
    c = one(claims_of(text), "said")
    assert c.content.text == text  # the whole range stays the content
    assert [p.text for p in c.content_parts] == ['"The pier is safe,"', '"and it will reopen soon."']
    for p in c.content_parts:
        assert text[p.start:p.end] == p.text


def test_a_parenthetical_cue_splits_the_content(claims_of):
    c = one(claims_of("The fee, the company says, would rise next year."), "says")
    assert [p.text for p in c.content_parts] == ["The fee", "would rise next year"]


def test_a_content_after_its_cue_is_whole(claims_of):
    assert one(claims_of("Maria Lopez said the bridge would reopen in May."), "said").content_parts == ()


@pytest.mark.parametrize(("text", "cue", "pieces"), [
    ("Obama is expected to join Clinton on the campaign trail soon.", "expected",
     ["Obama", "to join Clinton on the campaign trail soon"]),
    ("Clinton still seems not to have found a comfortable voice.", "seems",
     ["Clinton still", "not to have found a comfortable voice"]),
])
def test_a_raising_verb_reports_its_subject_and_complement_and_names_no_speaker(claims_of, text, cue, pieces):
    c = one(claims_of(text), cue)
    assert [p.text for p in c.content_parts] == pieces and c.speaker is None
    assert c.content.start == c.content_parts[0].start and c.content.end == c.content_parts[-1].end


def test_a_raised_subject_of_a_reporting_verb_stays_its_speaker(claims_of):
    claims = claims_of("Trump seemed to deny that the meeting took place.")
    assert any(c.speaker is not None and c.speaker.text == "Trump" for c in claims)
    assert not any(c.content.text.startswith("Trump") for c in claims)
