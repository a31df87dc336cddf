#!/usr/bin/env python3
"""Soak: a steady article rate through the embedded and the distributed pipeline, then the books.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 2] [--only embedded|distributed]

Bounded: ``--minutes`` (default 10) is shared by the two deployments, half each,
plus the time to drain what is still queued when publishing stops (at most
``--drain-s``). Per deployment:

- embedded: ``pipeline run`` (every stage in one process), SQLite bus and index
  in a temporary folder;
- distributed: ``pipeline nlp`` and ``pipeline index`` processes on Kafka
  (127.0.0.1:9092) and Elasticsearch (127.0.0.1:9200), with a topic namespace
  and an index prefix of their own (the indices are removed afterwards).

Invented articles (about 1,200 characters, a few reported claims each, a fresh
URL each) are published at ``--rate`` per second. Prints each service's resident
memory (RSS) after the warm-up (a quarter of the phase, at most a minute, and
the services keeping up) and at the end (target: less than 10 % growth), the articles published and indexed, and
how many were lost or duplicated (target: 0 and 0).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.backends import open_bus, open_index  # noqa: E402
from pipeline.bus.base import ENRICHED, RAW  # noqa: E402
from pipeline.config import Settings, load_settings  # noqa: E402
from pipeline.records import Article, encode  # noqa: E402
from pipeline.replay.files import json_article  # noqa: E402

PEOPLE = ["Maria Lopez", "Ahmed Karimi", "Olga Petrova", "John Smith", "Aiko Tanaka", "the finance minister",
          "a government spokesman", "Senator Alan Reed"]
THINGS = ["the harbour plan", "the new budget", "the border treaty", "the vaccine rollout", "the gas pipeline",
          "the rail strike", "the election law", "the drone programme"]
VERBS = ["said", "claimed", "denied", "warned", "told reporters", "insisted"]


def article_text(rng: random.Random, n: int) -> str:
    """About 1,200 characters of invented news with reported speech (claims for the NLP stage)."""
    parts = [f"Report number {n}."]
    while sum(map(len, parts)) < 1200:
        who, what, verb = rng.choice(PEOPLE), rng.choice(THINGS), rng.choice(VERBS)
        amount = rng.randint(2, 900)
        parts.append(rng.choice([
            f"{who.capitalize()} {verb} on Tuesday that {what} would cost {amount} million dollars.",
            f'"We will not accept {what} in its current form," {who} {verb}.',
            f"According to {who}, {what} has been delayed by {amount} days.",
            f"Critics of {what} met in the capital, where {who} {verb} that the plan had failed.",
        ]))
    return " ".join(parts)


def articles(tag: str, seed: int = 7) -> iter:
    rng = random.Random(seed)
    n = 0
    while True:
        yield json_article({"text": article_text(rng, n), "title": f"Soak report {n}",
                            "url": f"https://soak.test/{tag}/{n}", "source": "Soak Wire"})
        n += 1


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Phase:
    name: str
    env: dict[str, str]
    stages: list[str]  # one process per entry: "run", "nlp", "index"
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return load_settings(None, {k: v for k, v in self.env.items() if k.startswith("PIPELINE_")})

    def start(self, logs: Path) -> None:
        for stage in self.stages:
            with (logs / f"{self.name}-{stage}.log").open("w") as log:
                self.procs[stage] = subprocess.Popen([sys.executable, "-m", "pipeline", stage], cwd=REPO,
                                                     env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def rss(self) -> dict[str, float]:
        for stage, proc in self.procs.items():
            if proc.poll() is not None:
                raise SystemExit(f"{self.name}: `pipeline {stage}` exited {proc.returncode} (see its log)")
        return {stage: rss_mb(proc.pid) for stage, proc in self.procs.items()}

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_phase(phase: Phase, seconds: float, rate: float, drain_s: float, logs: Path) -> bool:
    """Publish at ``rate`` for ``seconds``, drain, and print the figures. True when the targets were met."""
    settings = phase.settings
    bus, index = open_bus(settings), open_index(settings)
    index.ensure_schema()
    bus.ensure_topics([RAW, ENRICHED])
    producer = bus.producer()
    phase.start(logs)
    warmup_s = min(60.0, seconds / 4)
    published: list[Article] = []
    source = articles(uuid.uuid4().hex[:8])
    warm: dict[str, float] = {}
    warmed_s = 0.0
    started = time.monotonic()
    try:
        while (elapsed := time.monotonic() - started) < seconds:
            if not warm and elapsed >= warmup_s and index.counts()["articles"] >= len(published) // 2:
                warm = phase.rss()  # models loaded and the services keeping up: the baseline
                warmed_s = elapsed
            article = next(source)
            producer.publish(RAW, article.id, encode(article))
            producer.flush()
            published.append(article)
            time.sleep(max(0.0, started + len(published) / rate - time.monotonic()))
        if not warm:  # the services never kept up: the baseline is what they hold now
            warm, warmed_s = phase.rss(), time.monotonic() - started
        last_publish = time.monotonic()
        while index.counts()["articles"] < len(published) and time.monotonic() - last_publish < drain_s:
            phase.rss()  # a service that died ends the soak here, with its exit status
            time.sleep(0.5)
        index.refresh()
        drained_s = time.monotonic() - last_publish
        end = phase.rss()
        found = sum(1 for a in published if index.get_article(a.id) is not None)
        total = index.counts()["articles"]
    finally:
        phase.stop()
        producer.close()
        bus.close()
        drop = getattr(index, "drop", None)
        if drop is not None:
            drop()
        index.close()
    lost, duplicated = len(published) - found, total - found
    print(f"{phase.name}: published {len(published)} articles at {rate:g}/s over {seconds:.0f} s; "
          f"indexed {found} ({lost} lost, {duplicated} duplicated); queue drained {drained_s:.1f} s "
          f"after the last publish")
    worst = 0.0
    for stage in phase.procs:
        growth = (end[stage] - warm[stage]) / warm[stage] * 100
        worst = max(worst, growth)
        print(f"  RSS `pipeline {stage}`: {warm[stage]:.1f} MB after the {warmed_s:.0f} s warm-up, "
              f"{end[stage]:.1f} MB at the end: {growth:+.1f} %")
    return lost == 0 and duplicated == 0 and worst < 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="total publishing time (default 10)")
    parser.add_argument("--rate", type=float, default=2.0, help="articles published per second (default 2)")
    parser.add_argument("--drain-s", type=float, default=300.0,
                        help="longest wait for the queue to drain after publishing stops (default 300)")
    parser.add_argument("--only", choices=["embedded", "distributed"], help="one deployment only")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix=f"soak-{tag}-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    phases = []
    if args.only in (None, "embedded"):
        phases.append(Phase("embedded", {**base, "PIPELINE_DATA_DIR": str(work / "embedded")}, ["run"]))
    if args.only in (None, "distributed"):
        phases.append(Phase("distributed", {
            **base, "PIPELINE_CONFIG": str(REPO / "config" / "distributed.toml"),
            "PIPELINE_DATA_DIR": str(work / "distributed"), "PIPELINE_BUS__NAMESPACE": f"soak{tag}.",
            "PIPELINE_INDEX__PREFIX": f"soak{tag}-"}, ["nlp", "index"]))
    seconds = args.minutes * 60 / len(phases)
    print(f"soak: {args.minutes:g} minute(s) of publishing at {args.rate:g} articles/s; logs in {work}")
    ok = [run_phase(p, seconds, args.rate, args.drain_s, work) for p in phases]
    print("targets (0 lost, 0 duplicated, RSS growth < 10 %): " + ("met" if all(ok) else "NOT met"))
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
