"""The claim-form features of the stance decision: quotation marks and debunking words."""

from __future__ import annotations

import pytest

from pipeline.threads import text as tx
from pipeline.threads.features import prepare_claim


@pytest.mark.parametrize(("text", "quoted"), [
    ("Argentina's president 'adopts' godson", True),
    ("President adopts godson to “stop him turning into a werewolf”", True),
    ('He said "no" to the deal', True),
    ("Argentina's president adopts godson", False),
    ("The drones' range is 2,000 km", False),
])
def test_quotation_is_an_opening_mark_not_an_apostrophe(text: str, quoted: bool) -> None:
    assert tx.has_quotation(text) is quoted


def test_debunking_words_leave_out_purpose_clauses() -> None:
    assert prepare_claim("Sorry, the president didn’t actually adopt a werewolf", None, 64).debunking == 2
    assert prepare_claim("The president adopts a boy so he won't turn into a werewolf", None, 64).debunking == 0
    assert prepare_claim("The president adopts a boy so he won't turn into a werewolf", None, 64).refuting == 1
