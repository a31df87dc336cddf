"""``pipeline run | nlp | index``: the stages as services (or all in one process)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from typing import Protocol

from pipeline.bus.base import ENRICHED, INDEX_GROUP, NLP_GROUP, RAW, dlq_topic
from pipeline.cli.context import Context
from pipeline.cli.feeds_cmd import open_store
from pipeline.errors import BackendUnavailable
from pipeline.poller.service import Poller
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.shutdown import install_signal_handlers
from pipeline.runtime.worker import Stopped, Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.nlp import Enricher, NlpHandler

TOPICS = (RAW, ENRICHED, dlq_topic(RAW), dlq_topic(ENRICHED))
LAG_EVERY_S = 10.0
log = logging.getLogger(__name__)


class Steppable(Protocol):
    stage: str
    sensor: Sensor

    @property
    def busy(self) -> bool:
        """Work in flight that a later step will finish."""

    def step(self, timeout_s: float | None = None) -> int: ...


@dataclass
class Service:
    """A stage run by the service loop, with the group and topic whose lag it reports."""

    runner: Steppable
    group: str | None = None
    topic: str | None = None


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run every stage in this process",
                         description="Run the poller (when feeds are configured), the NLP worker and the "
                                     "indexer in one process (the embedded default's main job). Stops on "
                                     "SIGTERM/SIGINT after the current batch.")
    _common(run)
    run.set_defaults(func=run_all)
    for name, func, text in (("nlp", run_nlp, "NLP worker: articles.raw → articles.enriched"),
                             ("index", run_index, "indexer: articles.enriched → search index")):
        p = sub.add_parser(name, help=f"run the {text}", description=f"Run the {text} as a long-running "
                           "service. Several NLP workers share the partitions of one consumer group. "
                           "Stops on SIGTERM/SIGINT after the current batch.")
        _common(p)
        p.set_defaults(func=func)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--until-idle", action="store_true", help="exit when no work is left")
    p.add_argument("--metrics-port", type=int, default=None,
                   help="serve /metrics (Prometheus) and /health on this port (0: off; default from config)")


def make_sensor(ctx: Context, port: int | None) -> Sensor:
    """A Prometheus-exporting sensor when a metrics port is set, else the in-memory one."""
    port = ctx.settings.metrics.port if port is None else port
    if not port:
        return Sensor()
    from pipeline.runtime.prometheus import PrometheusSensor, serve_metrics

    sensor = PrometheusSensor()
    server = serve_metrics(sensor, ctx.settings.metrics.host, port)
    ctx.on_close(server.server_close)
    ctx.on_close(server.shutdown)
    return sensor


def nlp_service(ctx: Context, sensor: Sensor) -> Service:
    enricher = Enricher(ctx.settings.nlp)
    consumer = ctx.closing(ctx.bus.consumer(NLP_GROUP, [RAW]))
    producer = ctx.closing(ctx.bus.producer())
    worker = Worker(consumer, producer, NlpHandler(enricher), ctx.settings.worker, ctx.stop, sensor)
    return Service(worker, NLP_GROUP, RAW)


def index_service(ctx: Context, sensor: Sensor) -> Service:
    ctx.index.ensure_schema()
    consumer = ctx.closing(ctx.bus.consumer(INDEX_GROUP, [ENRICHED]))
    producer = ctx.closing(ctx.bus.producer())
    worker = Worker(consumer, producer, IndexHandler(ctx.index), ctx.settings.worker, ctx.stop, sensor)
    return Service(worker, INDEX_GROUP, ENRICHED)


def poll_service(ctx: Context, sensor: Sensor) -> Service | None:
    """The poller, when there are feeds to follow."""
    store = open_store(ctx)
    if not store.feeds():
        return None
    producer = ctx.closing(ctx.bus.producer())
    return Service(ctx.closing(Poller(store, producer, ctx.settings.poller, sensor=sensor)))


def run_nlp(args: argparse.Namespace, ctx: Context) -> int:
    sensor = make_sensor(ctx, args.metrics_port)
    return serve(ctx, [nlp_service(ctx, sensor)], args.until_idle)


def run_index(args: argparse.Namespace, ctx: Context) -> int:
    sensor = make_sensor(ctx, args.metrics_port)
    return serve(ctx, [index_service(ctx, sensor)], args.until_idle)


def run_all(args: argparse.Namespace, ctx: Context) -> int:
    sensor = make_sensor(ctx, args.metrics_port)
    ctx.bus.ensure_topics(TOPICS)
    poller = poll_service(ctx, sensor)
    services = [nlp_service(ctx, sensor), index_service(ctx, sensor)]
    return serve(ctx, [poller, *services] if poller else services, args.until_idle)


def serve(ctx: Context, services: list[Service], until_idle: bool) -> int:
    """Round-robin the services in this thread; with ``until_idle``, stop once all are idle."""
    install_signal_handlers(ctx.stop)
    ctx.bus.ensure_topics(TOPICS)
    started = idle_since = time.monotonic()
    next_lag = started
    timeout = ctx.settings.worker.poll_timeout_s / max(1, len(services))
    while not ctx.stop.is_set():
        done = sum(_step(s.runner, timeout) for s in services)
        if done or any(s.runner.busy for s in services):
            idle_since = time.monotonic()
        elif until_idle and time.monotonic() - idle_since >= ctx.settings.worker.idle_exit_s:
            break
        if time.monotonic() >= next_lag:
            _report_lag(ctx, services)
            next_lag = time.monotonic() + LAG_EVERY_S
    _summary(services, time.monotonic() - started)
    return 0


def _step(runner: Steppable, timeout: float) -> int:
    runner.sensor.tick(runner.stage)
    try:
        return runner.step(timeout)
    except Stopped:
        log.info("%s: stopped while retrying; the batch will be redelivered", runner.stage)
        return 0


def _report_lag(ctx: Context, services: list[Service]) -> None:
    for s in services:
        if s.group is None or s.topic is None:
            continue
        try:
            lag = sum(ctx.bus.lag(st, s.group) for st in ctx.bus.stats([s.topic]))
        except BackendUnavailable as exc:
            log.warning("%s: cannot read consumer lag: %s", s.runner.stage, exc)
            continue
        s.runner.sensor.lag(s.runner.stage, lag)


def _summary(services: list[Service], seconds: float) -> None:
    parts = []
    for s in services:
        stage, c = s.runner.stage, s.runner.sensor.counts
        parts.append(f"{stage}: {c[f'{stage}.in']} in, {c[f'{stage}.out']} out, "
                     f"{c[f'{stage}.dead_lettered']} dead-lettered")
    print(f"{'; '.join(parts)} ({seconds:.1f}s)", file=sys.stderr)
