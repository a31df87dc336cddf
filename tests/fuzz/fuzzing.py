"""What the fuzz suites share: bounded Hypothesis settings (derandomized in CI), hostile text, the seeded app.

Import as ``from fuzzing import ...`` (this folder is on sys.path while its tests run).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from support import in_ci

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))

# Every example is cheap (an in-process request or a pure function); the totals stay well under a minute.
# In CI the examples are derived from the test's name (derandomize): a failure there is reproducible.
# FUZZ_EXAMPLES=N explores further by hand.
SCALE = int(os.environ.get("FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(max_examples: int) -> settings:
    return settings(max_examples=SCALE or max_examples, deadline=None, derandomize=in_ci(), database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


# Any code point: controls, NUL, lone surrogates, non-characters, right-to-left marks.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=60)
HUGE_TEXT = st.builds(lambda c, n: c * n, ANY_CHAR, st.integers(200, 1000))  # long, yet a URL httpx sends
HOSTILE = st.one_of(
    ANY_TEXT, HUGE_TEXT,
    st.sampled_from(["\x00", "%00", "\ud800", '"', '""', "*", "-", "NEAR(a b)", "a OR", "^x", "x:y", "{content}:x",
                     "'", "\\", "%", "_", "[", "]]", "<script>", "&amp;", "\x0b", "\ufffe", "９", "İ", "ß"]),
)
