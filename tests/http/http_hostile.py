"""Invented articles for the web tests: a few ordinary ones and some carrying markup and script.

The hostile strings set ``document.documentElement.dataset.pwned`` if they
ever run, so a browser test can ask the page whether any did.
"""

from __future__ import annotations

import json
from pathlib import Path

PWN = "document.documentElement.dataset.pwned='{}'"
HOSTILE_TITLE = f"<script>{PWN.format('title')}</script><img src=x onerror=\"{PWN.format('img')}\">Bridge row"
HOSTILE_URL = f"javascript:{PWN.format('url')}"
HOSTILE_OUTLET = f"<b onmouseover=\"{PWN.format('outlet')}\">Evil Outlet</b>"
# The speaker's name as written carries markup; the extractor keeps it in the claim's text.
HOSTILE_TEXT = (f"Mayor Karla <script>{PWN.format('text')}</script> Voss said that the harbor bridge "
                "<img src=x onerror=alert(1)> will open in May. "
                "The ministry denied that the harbor bridge had been delayed by the storms.")

ORDINARY = [
    ("https://news.test/a/1", "News Test", "2024-05-01T12:00:00Z", "Budget vote delayed",
     "Finance minister Olga Petrova said on Monday that the budget vote would be delayed by a week. "
     "The opposition denied that it had blocked the budget vote."),
    ("https://news.test/a/2", "News Test", "2024-05-08T09:00:00Z", "Ferries resume",
     "Harbor chief Aiko Tanaka said that the ferries would resume service on Friday. "
     "\"We have fixed the engines,\" Tanaka told reporters."),
    ("https://other.test/b/3", "Other Daily", "2024-06-02T18:30:00Z", "Drone sales questioned",
     "Officials claimed that drones had been sold to the coast guard. "
     "The coast guard denied that any drones had been delivered."),
]


def write_hostile_corpus(path: Path) -> Path:
    """JSONL for ``pipeline replay``: the ordinary articles plus the hostile one."""
    lines = [{"url": u, "source": s, "published": p, "title": t, "text": x} for u, s, p, t, x in ORDINARY]
    lines.append({"url": HOSTILE_URL, "source": {"name": HOSTILE_OUTLET, "domain": "evil.test"},
                  "published": "2024-05-09T10:00:00Z", "title": HOSTILE_TITLE, "text": HOSTILE_TEXT})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path
