"""Record types and their versioned JSON codec.

Every message on the wire is a JSON object carrying ``schema`` and ``v``.
``decode`` never returns a half-built record: any problem raises
:class:`~pipeline.errors.MalformedRecord`, which routes the message to a
dead-letter topic. Records are plain dataclasses; nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import Any

from pipeline.errors import MalformedRecord

SCHEMA_VERSION = 1
MAX_TEXT_CHARS = 1_000_000  # longer texts are refused (replay) or cut (poller)
STANCES = ("assert", "deny")


_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")  # how JSON spells a surrogate code point


def clean_text(text: str) -> str:
    """``text`` as valid Unicode: split surrogate pairs joined, lone surrogates replaced by U+FFFD.

    Text that is already valid comes back as it is, so ids of ordinary input never change.
    A Python ``str`` may hold lone surrogates (a JSON ``"\\ud800"``); UTF-8 cannot encode
    them, and every store downstream would refuse them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def utf8(text: str) -> bytes:
    """UTF-8 bytes of ``clean_text(text)``: never raises."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return clean_text(text).encode("utf-8")


def stable_id(*parts: str) -> str:
    """A short hex id that depends only on ``parts``: same input, same id (a lone surrogate hashes as U+FFFD)."""
    digest = hashlib.sha256(utf8("\x1f".join(parts))).hexdigest()
    return digest[:20]


def content_hash(text: str) -> str:
    """Hash of the text with white space folded, for duplicate detection."""
    return hashlib.sha256(utf8(" ".join(text.split()))).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an article came from: outlet name, its domain, and the feed if any."""

    name: str
    domain: str = ""
    feed_url: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A news article as published on ``articles.raw``; ``id`` is stable."""

    id: str
    url: str
    canonical_url: str
    source: Source
    title: str
    text: str
    summary: str = ""
    language: str = "en"
    published: str | None = None  # ISO 8601, UTC
    published_estimated: bool = False  # True: the feed gave no date, fetch time stands in
    fetched: str | None = None
    authors: tuple[str, ...] = ()
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity; ``start``/``end`` are end-exclusive offsets into the article text."""

    text: str
    label: str
    start: int
    end: int
    canonical: str


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the article text, end-exclusive offsets."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who made a claim: the span as written plus the name it resolves to."""

    start: int
    end: int
    text: str
    canonical: str
    label: str | None = None  # entity label (PERSON, ORG, GPE, ...) when known


@dataclass(frozen=True, slots=True)
class Cue:
    """The words that mark attribution ("said", "denied", "according to")."""

    start: int
    end: int
    text: str
    lemma: str


@dataclass(frozen=True, slots=True)
class Claim:
    """One attributed claim. ``id`` is the article id plus the ordinal: stable."""

    id: str
    article_id: str
    ordinal: int
    speaker: Speaker | None
    cue: Cue | None
    content: Span
    stance: str = "assert"
    quote: bool = False  # True: direct quotation; False: reported speech
    sentence: Span | None = None
    entities: tuple[Entity, ...] = ()
    # The content's pieces when its own cue clause interrupts it ('"Q1," he said, "Q2"': PolNeAR's
    # content is both quotations, without "he said"); empty when the content is ``content`` whole.
    content_parts: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class EnrichedArticle:
    """An article with its entities and claims, and what produced them."""

    article: Article
    entities: tuple[Entity, ...] = ()
    claims: tuple[Claim, ...] = ()
    model: str = ""
    extractor: str = ""


def url_article_id(canonical: str) -> str:
    """The article id of a canonical URL (``urls.canonical_url``'s result, or the poller's tag for a
    linkless feed entry). The poller and replay both take ids from here, so the same URL gets the
    same id whichever source brings it."""
    return stable_id("url", canonical)


def claim_id(article_id: str, ordinal: int) -> str:
    return f"{article_id}-{ordinal:04d}"


# --- codec -------------------------------------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(f.name for f in fields(kind)) for kind in (Source, Article, Entity, Span, Speaker, Cue, Claim,
                                                           EnrichedArticle)}
_SCHEMAS: dict[type, str] = {
    Article: "article",
    EnrichedArticle: "enriched_article",
    Claim: "claim",
}


def to_dict(record: Any) -> dict[str, Any]:
    """The record as plain JSON-ready data, with ``schema`` and ``v``."""
    return {"schema": _SCHEMAS[type(record)], "v": SCHEMA_VERSION, **plain(record)}


def plain(value: Any) -> Any:
    """What ``dataclasses.asdict`` gives for a record (or a part of one), a few times faster.

    Records hold only strings, numbers, booleans, None, tuples and other records: the leaves
    are immutable, so they are shared rather than deep-copied as ``asdict`` does.
    """
    names = _FIELDS.get(type(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return type(value)(plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):  # not a record's part: the general conversion
        return asdict(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def encode(record: Any) -> bytes:
    """UTF-8 JSON bytes for the wire; any record encodes (lone surrogates as U+FFFD, see ``clean_text``)."""
    return utf8(json.dumps(to_dict(record), ensure_ascii=False, separators=(",", ":")))


def decode(payload: bytes | str, expect: type | None = None) -> Any:
    """Parse wire bytes into a record; raises MalformedRecord on any defect.

    Strings of the record are valid Unicode: a surrogate escaped in the JSON becomes U+FFFD.
    """
    if isinstance(payload, str):
        payload = utf8(payload)  # a raw lone surrogate becomes U+FFFD here
    try:
        data = json.loads(payload)
        if _ESCAPED_SURROGATE.search(payload):  # rare: only then pay for the walk
            data = _cleaned(data)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also a 5,000-digit number
        raise MalformedRecord(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedRecord("not a JSON object")
    return from_dict(data, expect)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v) for k, v in value.items()}
    return value


def from_dict(data: dict[str, Any], expect: type | None = None) -> Any:
    schema, version = data.get("schema"), data.get("v")
    builder = _BUILDERS.get(schema) if isinstance(schema, str) else None  # a list or object: unknown, not a crash
    if builder is None:
        raise MalformedRecord(f"unknown schema {schema!r}")
    if version != SCHEMA_VERSION:
        raise MalformedRecord(f"unsupported {schema} version {version!r}")
    try:
        record = builder(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedRecord(f"invalid {schema}: {exc!r}") from exc
    if expect is not None and not isinstance(record, expect):
        raise MalformedRecord(f"expected {_SCHEMAS[expect]}, got {schema}")
    return record


def _article(d: dict[str, Any]) -> Article:
    src = d["source"]
    if not isinstance(d["id"], str) or not d["id"] or not isinstance(d["text"], str):
        raise ValueError("article needs a non-empty string id and a string text")
    return Article(
        id=d["id"], url=d["url"], canonical_url=d["canonical_url"],
        source=Source(src["name"], src.get("domain", ""), src.get("feed_url")),
        title=d.get("title") or "", text=d["text"], summary=d.get("summary") or "",
        language=d.get("language") or "en", published=d.get("published"),
        published_estimated=bool(d.get("published_estimated", False)),
        fetched=d.get("fetched"), authors=tuple(d.get("authors") or ()),
        content_hash=d.get("content_hash") or "",
    )


def entity_from_dict(d: dict[str, Any]) -> Entity:
    """An entity from ``plain(entity)``'s dict (entities travel inside records, without a schema)."""
    return Entity(d["text"], d["label"], int(d["start"]), int(d["end"]), d["canonical"])


def _span(d: dict[str, Any] | None) -> Span | None:
    return None if d is None else _span_of(d)


def _span_of(d: dict[str, Any]) -> Span:
    return Span(int(d["start"]), int(d["end"]), d["text"])


def _claim(d: dict[str, Any]) -> Claim:
    sp, cue = d.get("speaker"), d.get("cue")
    stance = d.get("stance", "assert")
    if stance not in STANCES:
        raise ValueError(f"unknown stance {stance!r}")
    return Claim(
        id=d["id"], article_id=d["article_id"], ordinal=int(d["ordinal"]),
        speaker=None if sp is None else Speaker(
            int(sp["start"]), int(sp["end"]), sp["text"], sp["canonical"], sp.get("label")),
        cue=None if cue is None else Cue(int(cue["start"]), int(cue["end"]), cue["text"], cue["lemma"]),
        content=_span_of(d["content"]),  # required: a null content is a malformed claim
        stance=stance, quote=bool(d.get("quote", False)), sentence=_span(d.get("sentence")),
        entities=tuple(entity_from_dict(e) for e in d.get("entities") or ()),
        content_parts=tuple(_span_of(p) for p in d.get("content_parts") or ()),  # absent before claims-2.1
    )


def _enriched(d: dict[str, Any]) -> EnrichedArticle:
    return EnrichedArticle(
        article=_article(d["article"]),
        entities=tuple(entity_from_dict(e) for e in d.get("entities") or ()),
        claims=tuple(_claim(c) for c in d.get("claims") or ()),
        model=d.get("model", ""), extractor=d.get("extractor", ""),
    )


_BUILDERS = {"article": _article, "enriched_article": _enriched, "claim": _claim}
