"""``pipeline run | nlp | index``: the stages as services (or all in one process)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pipeline.bus.base import CONSUMER_GROUPS, ENRICHED, PIPELINE_TOPICS, RAW
from pipeline.cli.context import Context
from pipeline.poller.service import Poller
from pipeline.runtime.loop import Steppable, serve
from pipeline.runtime.metrics import Sensor
from pipeline.runtime.reports import LagReport, SummaryReport
from pipeline.runtime.worker import Handler, Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.nlp import Enricher, NlpHandler


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


def _worker(ctx: Context, topic: str, handler: Handler, sensor: Sensor, until_idle: bool) -> Worker:
    consumer = ctx.closing(ctx.bus.consumer(CONSUMER_GROUPS[topic], [topic]))
    producer = ctx.closing(ctx.bus.producer())
    # A one-shot run reports an outage (exit 3) after the configured attempts; a service waits it out.
    give_up_after = ctx.settings.worker.outage_attempts if until_idle else None
    return Worker(consumer, producer, handler, ctx.settings.worker, ctx.stop, sensor, give_up_after)


def nlp_worker(ctx: Context, sensor: Sensor, until_idle: bool = False) -> Worker:
    return _worker(ctx, RAW, NlpHandler(Enricher(ctx.settings.nlp)), sensor, until_idle)


def index_worker(ctx: Context, sensor: Sensor, until_idle: bool = False) -> Worker:
    ctx.index.ensure_schema()
    handler = IndexHandler(ctx.index) if ctx.settings.index.threads else IndexHandler(ctx.index, threads=None)
    return _worker(ctx, ENRICHED, handler, sensor, until_idle)


def run_nlp(args: argparse.Namespace, ctx: Context) -> int:
    sensor = ctx.sensor(args.metrics_port)
    return _serve(ctx, args, [(nlp_worker(ctx, sensor, args.until_idle), RAW)])


def run_index(args: argparse.Namespace, ctx: Context) -> int:
    sensor = ctx.sensor(args.metrics_port)
    return _serve(ctx, args, [(index_worker(ctx, sensor, args.until_idle), ENRICHED)])


def run_all(args: argparse.Namespace, ctx: Context) -> int:
    sensor = ctx.sensor(args.metrics_port)
    ctx.bus.ensure_topics(PIPELINE_TOPICS)
    poller = _poller(ctx, sensor)
    consumers = [(nlp_worker(ctx, sensor, args.until_idle), RAW),
                 (index_worker(ctx, sensor, args.until_idle), ENRICHED)]
    return _serve(ctx, args, consumers, [poller] if poller else [])


def _poller(ctx: Context, sensor: Sensor) -> Poller | None:
    """The poller, when there are feeds to follow."""
    if not ctx.feeds.feeds():
        return None
    producer = ctx.closing(ctx.bus.producer())
    return ctx.closing(Poller(ctx.feeds, producer, ctx.settings.poller, sensor=sensor))


def _serve(ctx: Context, args: argparse.Namespace, consumers: list[tuple[Worker, str]],
           others: Sequence[Steppable] = ()) -> int:
    """Serve the workers (each with the topic it consumes) and any other stages until stopped or idle."""
    runners = [*others, *(w for w, _ in consumers)]
    ctx.bus.ensure_topics(PIPELINE_TOPICS)
    serve(runners, ctx.stop, ctx.settings.worker.poll_timeout_s,
          idle_exit_s=ctx.settings.worker.idle_exit_s if args.until_idle else None,
          reporters=[LagReport(ctx.bus, consumers), SummaryReport(runners)])
    return 0
