"""The stance decision on invented examples of each class, and on bad input."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError
from pipeline.threads.decide import MAX_CLAIM_CHARS, STANCES, check_claim_text

CLAIM = "Iran is selling hundreds of drones to Russia"

AGREE = ("Iran has sold hundreds of drones to Russia, satellite images and officials confirm. "
         "The first shipment of Iranian drones arrived in Russia last month, and Russian forces "
         "have already used the Iranian drones in Ukraine. The sale of hundreds of drones is the "
         "largest arms deal between Iran and Russia in years.")
DISAGREE = ("Iran's foreign ministry on Sunday denied reports that Tehran is selling drones to Russia, "
            "calling the claims baseless and false. \"Iran has not sold any drones to Russia,\" the "
            "ministry's spokesman said, rejecting the allegation as a fabrication. Officials dismissed "
            "the report that hundreds of drones would be sold to Russia as a hoax.")
DISCUSS = ("US officials said on Monday that Iran may be preparing to sell hundreds of drones to Russia, "
           "according to intelligence reports. The report has yet to be independently verified. "
           "Analysts said talks between Iran and Russia about the drones are reportedly continuing, "
           "and the officials expect more details in the coming weeks.")
UNRELATED = ("The city council approved a new budget for the public library on Tuesday. The library "
             "will extend its opening hours and buy new children's books. Council members praised "
             "the volunteers who organised the summer reading programme.")


@pytest.mark.parametrize(("body", "expected"), [(AGREE, "agree"), (DISAGREE, "disagree"),
                                                (DISCUSS, "discuss"), (UNRELATED, "unrelated")],
                         ids=["agree", "disagree", "discuss", "unrelated"])
def test_invented_examples(decider, body_of, body: str, expected: str) -> None:
    assert decider.decide(CLAIM, body_of(body)).stance == expected


def test_a_debunking_claim_is_agreed_with_by_the_denial(decider, body_of) -> None:
    """A headline that itself debunks the story is agreed with by the body that denies it."""
    debunking = "Sorry, Iran is not selling hundreds of drones to Russia"
    assert decider.decide(debunking, body_of(DISAGREE)).stance == "agree"
    assert decider.decide(CLAIM, body_of(DISAGREE)).stance == "disagree"


def test_a_denial_is_decided_by_the_denying_claim(decider, body_of) -> None:
    decision = decider.decide(CLAIM, body_of(DISAGREE))
    assert decision.claim is not None and decision.claim.stance == "deny"
    assert decider.decide(CLAIM, body_of(UNRELATED)).claim is None


def test_deterministic_and_batched_like_single(decider, body_of) -> None:
    bodies = [body_of(t) for t in (AGREE, DISAGREE, DISCUSS, UNRELATED)]
    batch = decider.decide_many([(CLAIM, b) for b in bodies])
    assert batch == [decider.decide(CLAIM, b) for b in bodies]


@pytest.mark.parametrize("claim", ["", "   ", "?!", "the of and"])
def test_claims_without_content_words_are_unrelated(decider, body_of, claim: str) -> None:
    assert decider.decide(claim, body_of(AGREE)).stance == "unrelated"


def test_an_enormous_claim_is_cut_not_refused(decider, body_of) -> None:
    assert decider.decide(CLAIM + " drones" * MAX_CLAIM_CHARS, body_of(AGREE)).stance in STANCES


def test_a_body_without_sentences_is_unrelated(decider) -> None:
    for text in ("", "   \n\n  "):
        assert decider.decide(CLAIM, decider.prepare(text)).stance == "unrelated"


@pytest.mark.parametrize(("text", "message"), [("", "empty"), ("   ", "empty"), ("!!!", "no words"),
                                               ("word " * MAX_CLAIM_CHARS, "at most")])
def test_check_claim_text(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_claim_text(text)
    assert check_claim_text(f"  {CLAIM} ") == CLAIM
