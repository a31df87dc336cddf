"""``pipeline prune``: the run over index and bus (stopped and resumed), dead letters, and the command."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from support import run_cli

from pipeline.bus.base import DLQ_TOPICS
from pipeline.bus.sqlite import SqliteBus
from pipeline.index.sqlite import SqliteIndex
from pipeline.upkeep import prune as upkeep

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))
from test_prune_contract import BEFORE, CORPUS, KEPT, OLD, expected_claims, fill  # noqa: E402

OLD_MS, NEW_MS = upkeep.epoch_ms(date(2023, 6, 1)), upkeep.epoch_ms(date(2024, 6, 1))


def dead_letters(bus: SqliteBus, old: int, new: int) -> None:
    producer = bus.producer()
    for n in range(old + new):
        producer.publish(DLQ_TOPICS[n % 2], f"k{n}", b"{}")
    producer.publish("articles.raw", "raw", b"{}")  # old but not a dead letter: never pruned here
    producer.close()
    # Publish time is the bus's own clock: date the records as if they had been written then.
    bus._conn.execute("UPDATE records SET ts = CASE WHEN offset <= ? OR topic = 'articles.raw' THEN ? ELSE ? END",
                      (old, OLD_MS, NEW_MS))


def open_state(tmp_path: Path) -> tuple[SqliteIndex, SqliteBus]:
    index, bus = SqliteIndex(tmp_path / "index.db"), SqliteBus(tmp_path / "bus.db")
    fill(index)
    dead_letters(bus, old=7, new=3)
    return index, bus


def test_a_stopped_prune_reports_so_and_a_second_run_finishes(tmp_path: Path) -> None:
    index, bus = open_state(tmp_path)
    batches: list[int] = []
    first = upkeep.prune(index, bus, BEFORE, batch=1, stop=lambda: len(batches) >= 1, progress=batches.append)
    assert not first.complete and first.counts.articles == 1 and first.compacted == ""
    assert first.dead_letters == 7 and bus.count_before(DLQ_TOPICS, upkeep.epoch_ms(BEFORE)) == 0
    second = upkeep.prune(index, bus, BEFORE, batch=1, progress=batches.append)
    assert second.complete and second.counts.articles == len(OLD) - 1 and "merge" in second.compacted
    assert batches == [1] * len(OLD)
    assert index.counts() == {"articles": len(KEPT), "claims": len(expected_claims(KEPT))}
    assert sum(len(bus.read(t, 100)) for t in DLQ_TOPICS) == 3 and len(bus.read("articles.raw")) == 1


def test_dead_letters_are_pruned_in_batches_oldest_first(tmp_path: Path) -> None:
    bus = SqliteBus(tmp_path / "bus.db")
    dead_letters(bus, old=7, new=3)
    before = upkeep.epoch_ms(BEFORE)
    assert bus.count_before(DLQ_TOPICS, before) == 7
    assert bus.prune_before(DLQ_TOPICS, before, 5) == 5
    assert bus.prune_before(DLQ_TOPICS, before, 5) == 2 and bus.prune_before(DLQ_TOPICS, before, 5) == 0
    assert sorted(m.key for t in DLQ_TOPICS for m in bus.read(t)) == ["k7", "k8", "k9"]


def test_a_bus_with_its_own_retention_is_left_alone() -> None:
    class KafkaLike:  # no count_before / prune_before: Kafka's topics expire by retention.ms
        pass

    assert upkeep.dead_letter_count(KafkaLike(), BEFORE) is None  # type: ignore[arg-type]


def test_the_command_shows_a_dry_run_then_prunes(tmp_path: Path) -> None:
    index, bus = open_state(tmp_path)
    index.close()
    bus.close()
    dry = json.loads(run_cli(tmp_path, "prune", "--before", "2024-01-01", "--dry-run", "--json").stdout)
    assert dry["counts"]["articles"] == len(OLD) and dry["dead_letters"] == 7 and dry["undated_kept"] == 2
    out = run_cli(tmp_path, "prune", "--before", "2024-01-01", "--vacuum").stdout
    assert f"deleted {len(OLD)} article(s), {len(expected_claims(OLD))} claim(s), 4 thread link(s)" in out
    assert "7 dead letter(s)" in out and "vacuumed" in out
    again = SqliteIndex(tmp_path / "index.db")
    assert again.counts()["articles"] == len(CORPUS) - len(OLD)
    assert again._conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental from now on
    assert "free pages returned" in run_cli(tmp_path, "prune", "--before", "2024-01-01").stdout


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    bad = run_cli(tmp_path, "prune", "--before", "last tuesday", check=False)
    assert bad.returncode == 2 and "not a date (YYYY-MM-DD): 'last tuesday'" in bad.stderr
    assert run_cli(tmp_path, "prune", "--before", "2024-01-01", "--batch", "0", check=False).returncode == 2
    assert "--before DATE" in run_cli(tmp_path, "prune", "--help").stdout
