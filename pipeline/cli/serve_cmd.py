"""``pipeline serve``: the HTTP API and the web page over the configured index."""

from __future__ import annotations

import argparse
import logging

from pipeline.backends import open_shared_index
from pipeline.cli.context import Context
from pipeline.runtime.shutdown import install_signal_handlers

log = logging.getLogger("pipeline.serve")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="the HTTP API and web page (search in a browser)",
                       description="Serve the web page at / and the JSON API under /api (schema at "
                                   "/openapi.json) until SIGTERM or Ctrl-C. Binds 127.0.0.1 unless told "
                                   "otherwise; set PIPELINE_HTTP__TOKEN before exposing it.")
    p.add_argument("--host", help="address to bind (default: [http] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: [http] port, 8080; 0 picks a free one)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Imported here: the other commands need neither FastAPI nor uvicorn.
    from pipeline.http import HttpOptions, create_app, serve
    from pipeline.http.server import bind, is_loopback
    from pipeline.runtime.prometheus import PrometheusSensor

    http = ctx.settings.http
    host = args.host or http.host
    port = http.port if args.port is None else args.port
    token = http.token.get_secret_value()
    if not is_loopback(host) and not token:
        log.warning("serving on %s without an access token: anyone who can reach it can use it "
                    "(set PIPELINE_HTTP__TOKEN)", host)
    sock = bind(host, port)
    index = ctx.closing(open_shared_index(ctx.settings))
    options = HttpOptions(token=token, rate_per_s=http.rate_per_s, burst=http.burst)
    app = create_app(index, options, PrometheusSensor())
    # uvicorn stops on SIGTERM/SIGINT, then re-raises the signal to the handler found before it:
    # ours only sets the stop flag, so the command ends normally (exit 0) after a clean stop.
    install_signal_handlers(ctx.stop)
    print(f"serving on http://{host}:{sock.getsockname()[1]}/ (Ctrl-C stops)", flush=True)
    serve(app, sock)
    return 0
