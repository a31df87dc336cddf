"""Schemathesis over the JSON API, from the app's own OpenAPI schema: no input gets a 5xx or a traceback.

Every operation of /openapi.json, in process (ASGI, no network), over a seeded index of each backend.
The schema is read once at import from an app whose index the ``serving`` fixture sets (the schema does
not depend on the index; Schemathesis' fixture-based loader does not run on this pytest).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fuzzing import fuzz_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from pipeline.http import HttpOptions, create_app

APP = create_app(None, HttpOptions(rate_per_s=0))  # type: ignore[arg-type]  # the index comes per backend
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def serving(seeded_index: object) -> Iterator[None]:
    APP.state.index = seeded_index
    yield
    APP.state.index = None


@schema.parametrize()
@fuzz_settings(40)
def test_no_input_gets_a_server_error(case, serving) -> None:  # type: ignore[no-untyped-def]
    # Every check but one: the schema types each parameter as any string, which the app may refuse (400).
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500 and "Traceback" not in response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}  # the one error document
