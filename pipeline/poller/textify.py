"""HTML to clean text: what reaches the index never carries markup or scripts.

``html_to_text`` keeps the words a reader sees, with paragraph breaks, and
drops tags, comments, and the content of script/style-like elements. Entities
are decoded. Input that is not HTML at all comes back with white space tidied.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never reader-visible text.
SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                  "math", "head", "title", "select", "button", "form", "canvas", "audio", "video"})
BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                   "blockquote", "pre", "section", "article", "header", "footer", "table", "dd",
                   "dt", "figure", "figcaption", "hr", "aside", "main", "nav"})
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr", "source"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BREAKS = re.compile(r"\n\s*\n+")
_TAG = re.compile(r"</?[a-zA-Z!?][^>]*>?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP and tag not in VOID:
            self.skipping.append(tag)
        elif tag in BLOCK:
            self.parts.append("\n\n" if tag not in ("br", "li", "tr") else "\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag in SKIP and tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass
        elif tag in BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Reader-visible text of ``markup`` with blank lines between blocks. Never raises."""
    text = markup or ""
    # Markup that arrived entity-escaped (&lt;script&gt;…) decodes into tags on the first pass;
    # it must not reach the index as tags either, so strip again (a bounded number of times).
    for _ in range(3):
        text = _strip_once(text)
        if "<" not in text or not _TAG.search(text):
            return tidy(text)
    return tidy(_TAG.sub(" ", text))


def _strip_once(markup: str) -> str:
    collector = _Collector()
    try:
        collector.feed(markup)
        collector.close()
    except (AssertionError, ValueError):  # HTMLParser's reaction to some broken markup
        return _TAG.sub(" ", markup)
    return "".join(collector.parts)


def tidy(text: str) -> str:
    """Fold runs of spaces, keep paragraph breaks, drop control characters."""
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str) -> str:
    """Text for a title: markup removed, all white space folded to single spaces."""
    return " ".join(html_to_text(text).split())
