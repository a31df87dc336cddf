import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, replace

import pytest
from support import REPO

from pipeline.errors import MalformedRecord
from pipeline.records import (
    Article,
    Claim,
    Cue,
    EnrichedArticle,
    Entity,
    Source,
    Span,
    Speaker,
    claim_id,
    decode,
    encode,
    plain,
    stable_id,
    to_dict,
)


def make_enriched() -> EnrichedArticle:
    article = Article(id="a1", url="https://x.test/a", canonical_url="https://x.test/a",
                      source=Source("X", "x.test"), title="T", text="Jake Sullivan said Iran sells drones.",
                      published="2022-07-16T00:00:00+00:00", authors=("A. Writer",))
    ent = Entity("Iran", "GPE", 19, 23, "Iran")
    claim = Claim(id=claim_id("a1", 0), article_id="a1", ordinal=0,
                  speaker=Speaker(0, 13, "Jake Sullivan", "Jake Sullivan", "PERSON"),
                  cue=Cue(14, 18, "said", "say"), content=Span(19, 36, "Iran sells drones"),
                  stance="assert", quote=False, sentence=Span(0, 37, article.text), entities=(ent,))
    return EnrichedArticle(article, (ent,), (claim,), "m", "x1")


def test_round_trip_keeps_every_field():
    enriched = make_enriched()
    assert decode(encode(enriched)) == enriched


def test_content_parts_round_trip_and_default_to_whole():
    enriched = make_enriched()
    claim = enriched.claims[0]
    split = EnrichedArticle(enriched.article, enriched.entities,
                            (replace(claim, content_parts=(Span(19, 23, "Iran"), Span(24, 36, "sells drones"))),),
                            "m", "x1")
    assert decode(encode(split)) == split
    old = to_dict(enriched)
    del old["claims"][0]["content_parts"]  # a record written before content_parts
    assert decode(json.dumps(old)).claims[0].content_parts == ()


def test_plain_data_is_what_asdict_gives():
    enriched = make_enriched()
    unnamed = Claim(id="a1-0001", article_id="a1", ordinal=1, speaker=None, cue=None, content=Span(0, 4, "Jake"))
    for record in (enriched, enriched.article, enriched.claims[0], unnamed):
        body = to_dict(record)
        assert json.dumps(body) == json.dumps({"schema": body["schema"], "v": body["v"], **asdict(record)})
        assert plain(record) == asdict(record)
    assert isinstance(plain(enriched)["claims"], tuple)  # as asdict keeps them


def test_plain_converts_other_dataclasses_and_leaves_values_alone():
    @dataclass
    class Ref:
        id: str
        tags: list

    assert plain(Ref("x", ["a"])) == {"id": "x", "tags": ["a"]}
    assert plain({"k": (Span(0, 1, "a"),)}) == {"k": ({"start": 0, "end": 1, "text": "a"},)}
    assert plain("text") == "text" and plain(None) is None


def test_wire_format_is_versioned_json():
    data = json.loads(encode(make_enriched()))
    assert (data["schema"], data["v"]) == ("enriched_article", 1)
    assert data["claims"][0]["speaker"]["canonical"] == "Jake Sullivan"


@pytest.mark.parametrize("payload, reason", [
    (b"\xff\xfe not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"schema": "nope", "v": 1}', "unknown schema"),
    (b'{"schema": ["claim"], "v": 1}', "unknown schema"),  # unhashable: once a TypeError escaped
    (b'{"schema": "article", "v": 99}', "unsupported"),
    (b'{"schema": "article", "v": 1, "id": "x"}', "invalid article"),
])
def test_malformed_payloads_raise_with_a_reason(payload, reason):
    with pytest.raises(MalformedRecord, match=reason):
        decode(payload)


def test_decode_checks_the_expected_type():
    with pytest.raises(MalformedRecord, match="expected article"):
        decode(encode(make_enriched()), expect=Article)


def test_a_claim_without_content_is_malformed():
    data = json.loads(encode(make_enriched()))
    data["claims"][0]["content"] = None  # once decoded into a Claim whose content was None
    with pytest.raises(MalformedRecord, match="invalid enriched_article"):
        decode(json.dumps(data))


def test_unknown_stance_is_malformed():
    data = json.loads(encode(make_enriched()))
    data["claims"][0]["stance"] = "maybe"
    with pytest.raises(MalformedRecord, match="stance"):
        decode(json.dumps(data))


def test_stable_id_is_the_same_in_every_process():
    """Ids must survive restarts and differ by nothing but their parts (no per-process hash seed)."""
    script = "from pipeline.records import stable_id; print(stable_id('url', 'https://a/'))"
    ids = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO,
                          env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert ids == {stable_id("url", "https://a/")}


def test_stable_id_depends_only_on_its_parts():
    assert stable_id("url", "https://a/") != stable_id("url", "https://b/")
    assert stable_id("a", "bc") != stable_id("ab", "c")
