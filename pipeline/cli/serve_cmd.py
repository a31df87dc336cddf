"""``pipeline serve``: the HTTP API and the web page over the configured index."""

from __future__ import annotations

import argparse
import logging

from pipeline.backends import open_shared_index
from pipeline.cli.context import Context
from pipeline.errors import InputError
from pipeline.runtime.shutdown import install_signal_handlers

log = logging.getLogger("pipeline.serve")
MAX_WORKERS = 64


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="the HTTP API and web page (search in a browser)",
                       description="Serve the web page at / and the JSON API under /api (schema at "
                                   "/openapi.json) until SIGTERM or Ctrl-C. Binds 127.0.0.1 unless told "
                                   "otherwise; set PIPELINE_HTTP__TOKEN before exposing it.")
    p.add_argument("--host", help="address to bind (default: [http] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: [http] port, 8080; 0 picks a free one)")
    p.add_argument("--workers", type=int, help="server processes sharing the port, each with its own index "
                                              "connections and counters (default: [http] workers, 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here: the other commands need neither FastAPI nor uvicorn.
    from pipeline.http import HttpOptions, create_app, serve
    from pipeline.http.server import bind, is_loopback
    from pipeline.http.workers import run_workers
    from pipeline.runtime.prometheus import PrometheusSensor

    http = ctx.settings.http
    host = args.host or http.host
    port = http.port if args.port is None else args.port
    workers = http.workers if args.workers is None else args.workers
    if not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"--workers: expected 1 to {MAX_WORKERS}, got {workers}")
    token = http.token.get_secret_value()
    if not is_loopback(host) and not token:
        log.warning("serving on %s without an access token: anyone who can reach it can use it "
                    "(set PIPELINE_HTTP__TOKEN)", host)
    sock = bind(host, port)
    options = HttpOptions(token=token, rate_per_s=http.rate_per_s, burst=http.burst)

    def serve_one() -> None:
        """One worker: its own index connections, app and counters (opened after any fork)."""
        index = open_shared_index(ctx.settings)
        try:
            serve(create_app(index, options, PrometheusSensor()), sock)
        finally:
            index.close()

    # uvicorn stops on SIGTERM/SIGINT, then re-raises the signal to the handler found before it:
    # ours only sets the stop flag, so the command ends normally (exit 0) after a clean stop.
    install_signal_handlers(ctx.stop)
    # A bad index fails here, before "serving on" is printed; closed again before any fork.
    open_shared_index(ctx.settings).close()
    address = f"http://{host}:{sock.getsockname()[1]}/"
    run_workers(workers, serve_one, started=lambda: print(f"serving on {address} (Ctrl-C stops)", flush=True))
    return 0
