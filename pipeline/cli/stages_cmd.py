"""``pipeline run | nlp | index``: the stages as services (or all in one process)."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from pipeline.bus.base import ENRICHED, RAW, dlq_topic
from pipeline.cli.context import Context
from pipeline.runtime.shutdown import install_signal_handlers
from pipeline.runtime.worker import Stopped, Worker
from pipeline.stages.indexer import IndexHandler
from pipeline.stages.nlp import Enricher, NlpHandler

NLP_GROUP, INDEX_GROUP = "nlp", "indexer"
TOPICS = (RAW, ENRICHED, dlq_topic(RAW), dlq_topic(ENRICHED))
log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run every stage in this process",
                         description="Run the NLP worker and the indexer in one process (the embedded "
                                     "default's main job). Stops on SIGTERM/SIGINT after the current batch.")
    run.add_argument("--until-idle", action="store_true", help="exit when no work is left")
    run.set_defaults(func=run_all)
    for name, func, text in (("nlp", run_nlp, "NLP worker: articles.raw → articles.enriched"),
                             ("index", run_index, "indexer: articles.enriched → search index")):
        p = sub.add_parser(name, help=f"run the {text}", description=f"Run the {text} as a long-running "
                           "service. Several NLP workers share the partitions of one consumer group.")
        p.add_argument("--until-idle", action="store_true", help="exit when no work is left")
        p.set_defaults(func=func)


def nlp_worker(ctx: Context) -> Worker:
    enricher = Enricher(ctx.settings.nlp)
    consumer = ctx.closing(ctx.bus.consumer(NLP_GROUP, [RAW]))
    producer = ctx.closing(ctx.bus.producer())
    return Worker(consumer, producer, NlpHandler(enricher), ctx.settings.worker, ctx.stop)


def index_worker(ctx: Context) -> Worker:
    ctx.index.ensure_schema()
    consumer = ctx.closing(ctx.bus.consumer(INDEX_GROUP, [ENRICHED]))
    producer = ctx.closing(ctx.bus.producer())
    return Worker(consumer, producer, IndexHandler(ctx.index), ctx.settings.worker, ctx.stop)


def run_nlp(args: argparse.Namespace, ctx: Context) -> int:
    return _serve(ctx, [nlp_worker(ctx)], args.until_idle)


def run_index(args: argparse.Namespace, ctx: Context) -> int:
    return _serve(ctx, [index_worker(ctx)], args.until_idle)


def run_all(args: argparse.Namespace, ctx: Context) -> int:
    ctx.bus.ensure_topics(TOPICS)
    return _serve(ctx, [nlp_worker(ctx), index_worker(ctx)], args.until_idle)


def _serve(ctx: Context, workers: list[Worker], until_idle: bool) -> int:
    """Round-robin the workers in this thread; with ``until_idle``, stop once all are idle."""
    install_signal_handlers(ctx.stop)
    ctx.bus.ensure_topics(TOPICS)
    started, idle_since = time.monotonic(), time.monotonic()
    handled = 0
    timeout = ctx.settings.worker.poll_timeout_s / max(1, len(workers))
    while not ctx.stop.is_set():
        done = sum(_step(w, timeout) for w in workers)
        handled += done
        if done:
            idle_since = time.monotonic()
        elif until_idle and time.monotonic() - idle_since >= ctx.settings.worker.idle_exit_s:
            break
    _report(workers, handled, time.monotonic() - started)
    return 0


def _step(worker: Worker, timeout: float) -> int:
    try:
        return worker.step(timeout)
    except Stopped:
        log.info("%s: stopped while retrying; the batch will be redelivered", worker.stage)
        return 0


def _report(workers: list[Worker], handled: int, seconds: float) -> None:
    parts = []
    for w in workers:
        c = w.sensor.counts
        parts.append(f"{w.stage}: {c[f'{w.stage}.in']} in, {c[f'{w.stage}.out']} out, "
                     f"{c[f'{w.stage}.dead_lettered']} dead-lettered")
    print(f"{'; '.join(parts)} ({seconds:.1f}s)", file=sys.stderr)
