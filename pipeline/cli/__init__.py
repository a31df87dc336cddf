"""``pipeline``: the command line. Thin: parses, wires backends, prints."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pipeline.cli import (
    backup_cmd,
    dlq_cmd,
    extract_cmd,
    feeds_cmd,
    poll_cmd,
    prune_cmd,
    replay_cmd,
    search_cmd,
    serve_cmd,
    stages_cmd,
    stance_cmd,
    status_cmd,
    thread_cmd,
)
from pipeline.cli.context import Context
from pipeline.config import load_settings
from pipeline.errors import BackendUnavailable, ConfigError, InputError
from pipeline.runtime.logs import setup_logging
from pipeline.version import VERSION

COMMANDS = (replay_cmd, stages_cmd, search_cmd, thread_cmd, extract_cmd, stance_cmd, status_cmd, dlq_cmd,
            feeds_cmd, poll_cmd, serve_cmd, prune_cmd, backup_cmd)
EXIT_INPUT, EXIT_BACKEND, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 2, 3, 130, 141
log = logging.getLogger("pipeline")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Turn news into searchable claims: replay or poll articles, extract entities and "
                    "attributed claims (who claimed, said, denied ... what), and search them.",
        epilog="Configuration: built-in defaults, overridden by --config FILE or PIPELINE_CONFIG (a TOML "
               "file; none by default) and by PIPELINE_SECTION__KEY=value for any setting. "
               "PIPELINE_DATA_DIR sets where the embedded state lives (default: the user data "
               "directory, ~/.local/share/news-claims-pipeline on Linux; `pipeline status` shows it).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    parser.add_argument("--config", help="configuration file (TOML) laid over the built-in defaults")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pipeline`` console script. Returns the exit status."""
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        settings = load_settings(args.config, os.environ)
        ctx = Context(settings, args.verbose)
        try:
            return int(args.func(args, ctx) or 0)
        finally:
            ctx.close()
    except (InputError, ConfigError) as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BackendUnavailable as exc:
        print(f"pipeline: backend unavailable: {exc}", file=sys.stderr)
        return EXIT_BACKEND
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
