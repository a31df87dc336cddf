"""``pipeline thread``: the articles that agree with, deny or discuss a claim (or any text)."""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap

from pipeline import present
from pipeline.cli.context import Context
from pipeline.errors import InputError
from pipeline.threads.claimreview import claim_review
from pipeline.threads.decide import StanceDecider
from pipeline.threads.view import (
    THREAD_STANCES,
    Entry,
    ThreadView,
    thread_for_claim,
    thread_for_text,
    view_json,
)

_HEADINGS = {"agree": "agree (report it as true)", "disagree": "disagree (deny or refute it)",
             "discuss": "discuss (report it without taking a side)"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("thread", help="who reports a claim, who denies it",
                       description="The claim's thread: the articles that agree, disagree or discuss it, each "
                                   "with the claim that decides it, its speaker, outlet and date. Give a claim "
                                   "id (from `pipeline search --json`) or --text with any claim.")
    p.add_argument("claim_id", nargs="?", help="an indexed claim's id")
    p.add_argument("--text", help="any claim text instead of a claim id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--claimreview", action="store_true",
                   help="a schema.org ClaimReview JSON-LD draft of the thread for a fact-checker (the review's "
                        "url, author, date and rating are left to fill: search it for FILL IN)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if (args.claim_id is None) == (args.text is None):
        raise InputError("give either a CLAIM_ID or --text, not both or neither")
    if args.text is not None:
        view = thread_for_text(ctx.index, StanceDecider(), args.text)
    else:
        view = thread_for_claim(ctx.index, args.claim_id)
    if args.claimreview:
        print(json.dumps(claim_review(view), ensure_ascii=False, indent=1))
    else:
        print(json.dumps(view_json(view), ensure_ascii=False, indent=1) if args.json else format_view(view))
    return 0


def _copied(n: int) -> str:
    """``, copied by N`` when wire copies carry the thread; else nothing."""
    return f", copied by {n}" if n else ""


def format_view(view: ThreadView) -> str:
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    head = f"thread {view.thread_id}: {view.size} claim(s)" if view.thread_id else f"{view.size} related article(s)"
    lines = [f"{head}; reported by {view.outlets} outlet(s){_copied(view.copied_by)} · denied by {view.denied_by}"]
    lines.extend(textwrap.wrap(f'"{view.text}"', width - 4, initial_indent="  ", subsequent_indent="  "))
    for stance in THREAD_STANCES:
        entries = view.of(stance)
        lines.append("")
        lines.append(f"{_HEADINGS[stance]}: {len(entries)}")
        for entry in entries:
            lines.extend(_entry_lines(entry, width))
    return "\n".join(lines)


def _entry_lines(entry: Entry, width: int) -> list[str]:
    a = entry.article
    lines = [f"  - {present.outlet(a.source)}, {present.day(a.published)}: {present.cut(a.title or a.url, width - 30)}"]
    c = entry.claim
    if c is not None:
        cue = f" [{c.cue.text}]" if c.cue else ""
        lines.extend(textwrap.wrap(f'{present.speaker(c)}{cue}: "{c.content.text}"', width - 6, initial_indent="      ",
                                   subsequent_indent="      "))
        lines.append(f"      claim {c.id}" + (f", denies {', '.join(entry.denies)}" if entry.denies else ""))
    return lines
