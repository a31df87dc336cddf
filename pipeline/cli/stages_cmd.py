"""``pipeline run | nlp | index | threads``: the stages as services (or all in one process)."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence

from pipeline.bus.base import ENRICHED, INDEX_GROUP, NLP_GROUP, PIPELINE_TOPICS, RAW, THREADS_GROUP
from pipeline.cli.context import Context
from pipeline.errors import ConfigError
from pipeline.nlp.enricher import Enricher
from pipeline.poller.service import Poller
from pipeline.runtime.hardstop import killed_if_stuck
from pipeline.runtime.loop import Steppable, serve
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.reports import LagReport, SummaryReport
from pipeline.runtime.worker import Handler, Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.nlp import NlpHandler
from pipeline.stages.threader import ThreadHandler

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="run every stage in this process",
                         description="Run the poller (when feeds are configured), the NLP worker, the "
                                     "indexer and (with [index] threads on) the thread stage in one process "
                                     "(the embedded default's main job). Stops within seconds on SIGTERM/SIGINT; "
                                     "the batch in hand is left uncommitted and redelivered.")
    _common(run)
    run.set_defaults(func=run_all)
    for name, func, text in (("nlp", run_nlp, "NLP worker: articles.raw → articles.enriched"),
                             ("index", run_index, "indexer: articles.enriched → search index"),
                             ("threads", run_threads, "thread stage: articles.enriched → claim threads "
                                                      "(after the indexer has indexed them)")):
        p = sub.add_parser(name, help=f"run the {text}", description=f"Run the {text} as a long-running "
                           "service. Several NLP workers share the partitions of one consumer group. "
                           "Stops within seconds on SIGTERM/SIGINT; the batch in hand is left "
                           "uncommitted and redelivered.")
        _common(p)
        p.set_defaults(func=func)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--until-idle", action="store_true", help="exit when no work is left")
    p.add_argument("--metrics-port", type=int, default=None,
                   help="serve /metrics (Prometheus) and /health on this port (0: off; default from config)")


Consuming = tuple[Worker, str, str]  # a worker, the topic it reads and its consumer group


def _worker(ctx: Context, topic: str, group: str, handler: Handler, sensor: Sensor,
            until_idle: bool) -> Consuming:
    consumer = ctx.closing(ctx.bus.consumer(group, [topic]))
    producer = ctx.closing(ctx.bus.producer())
    # A one-shot run reports an outage (exit 3) after the configured attempts; a service waits it out.
    give_up_after = ctx.settings.worker.outage_attempts if until_idle else None
    return Worker(consumer, producer, handler, ctx.settings.worker, ctx.stop, sensor, give_up_after), topic, group


def nlp_worker(ctx: Context, sensor: Sensor, until_idle: bool = False) -> Consuming:
    return _worker(ctx, RAW, NLP_GROUP, NlpHandler(Enricher(ctx.settings.nlp)), sensor, until_idle)


def index_worker(ctx: Context, sensor: Sensor, until_idle: bool = False) -> Consuming:
    ctx.index.ensure_schema()
    return _worker(ctx, ENRICHED, INDEX_GROUP, IndexHandler(ctx.index), sensor, until_idle)


def threads_worker(ctx: Context, sensor: Sensor, until_idle: bool = False) -> Consuming:
    """The thread stage: it waits for the indexer's group, whose progress it reads from the bus."""
    ctx.index.ensure_schema()
    handler = ThreadHandler(ctx.index, lambda: ctx.bus.committed(INDEX_GROUP, ENRICHED))
    return _worker(ctx, ENRICHED, THREADS_GROUP, handler, sensor, until_idle)


def run_nlp(args: argparse.Namespace, ctx: Context) -> int:
    sensor = ctx.sensor(args.metrics_port)
    return _serve(ctx, args, [nlp_worker(ctx, sensor, args.until_idle)])


def run_index(args: argparse.Namespace, ctx: Context) -> int:
    sensor = ctx.sensor(args.metrics_port)
    return _serve(ctx, args, [index_worker(ctx, sensor, args.until_idle)])


def run_threads(args: argparse.Namespace, ctx: Context) -> int:
    if not ctx.settings.index.threads:
        raise ConfigError("claim threads are off ([index] threads = false, PIPELINE_INDEX__THREADS): "
                          "there is nothing for `pipeline threads` to do")
    _lower_priority(ctx.settings.index.threads_nice)
    sensor = ctx.sensor(args.metrics_port)
    return _serve(ctx, args, [threads_worker(ctx, sensor, args.until_idle)])


def _lower_priority(nice: int) -> None:
    """Run this process ``nice`` steps nicer (threads follow: searchable claims get the CPU first)."""
    if nice > 0:
        try:
            os.nice(nice)
        except OSError as exc:  # not fatal: the service only runs at the usual priority
            log.warning("threads: cannot lower the CPU priority by %d: %s", nice, exc)


def run_all(args: argparse.Namespace, ctx: Context) -> int:
    sensor = ctx.sensor(args.metrics_port)
    ctx.bus.ensure_topics(PIPELINE_TOPICS)
    poller = _poller(ctx, sensor)
    consumers = [nlp_worker(ctx, sensor, args.until_idle), index_worker(ctx, sensor, args.until_idle)]
    if ctx.settings.index.threads:  # stepped after the indexer, so it rarely has to wait for it
        consumers.append(threads_worker(ctx, sensor, args.until_idle))
    return _serve(ctx, args, consumers, [poller] if poller else [])


def _poller(ctx: Context, sensor: Sensor) -> Poller | None:
    """The poller, when there are feeds to follow."""
    if not ctx.feeds.feeds():
        return None
    producer = ctx.closing(ctx.bus.producer())
    return ctx.closing(Poller(ctx.feeds, producer, ctx.settings.poller, sensor=sensor))


def _serve(ctx: Context, args: argparse.Namespace, consumers: list[Consuming],
           others: Sequence[Steppable] = ()) -> int:
    """Serve the workers (each with the topic and group it consumes) and any other stages until stopped or idle."""
    runners = [*others, *(w for w, _, _ in consumers)]
    ctx.bus.ensure_topics(PIPELINE_TOPICS)
    # A batch stuck in C code (the GIL held) cannot see the stop flag: a watchdog process ends it (hardstop).
    with killed_if_stuck(ctx.stop, ctx.settings.worker.stop_grace_s):
        serve(runners, ctx.stop, ctx.settings.worker.poll_timeout_s,
              idle_exit_s=ctx.settings.worker.idle_exit_s if args.until_idle else None,
              reporters=[LagReport(ctx.bus, consumers), SummaryReport(runners)],
              backlog=lambda: _backlog(ctx, consumers), backlog_wait_s=ctx.settings.worker.idle_backlog_wait_s)
    return 0


def _backlog(ctx: Context, consumers: list[Consuming]) -> int:
    """Records the workers' groups have not committed yet, over every partition they read."""
    return sum(ctx.bus.lag(stats, group) for _, topic, group in consumers for stats in ctx.bus.stats([topic]))
