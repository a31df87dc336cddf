"""``pipeline search``: claims (or articles) from the index, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap
from dataclasses import asdict
from typing import Any

from pipeline import present, search
from pipeline.backends import index_exists
from pipeline.cli.context import Context
from pipeline.errors import InputError
from pipeline.filters import ARTICLE_FILTERS, CLAIM_FILTERS, FILTERS
from pipeline.index.base import ArticleHit, ArticleRef, ClaimHit, SearchResult
from pipeline.records import to_dict
from pipeline.threads.view import ThreadGroup, group_by_thread


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("search", help="search indexed claims (or --articles)",
                       description="Search claims by text, with filters. Words rank results (any may "
                                   'match); "quoted phrases" must match. Example: pipeline search '
                                   "'Iran drones Russia' --stance deny")
    p.add_argument("query", nargs="?", default="", help="words to look for (empty: every claim)")
    for f in FILTERS:  # every filter of claims or articles; a claims-only one is ignored with --articles
        p.add_argument(f"--{f.name}", metavar=f.metavar, help=f.help)
    p.add_argument("--limit", type=int, default=10, help="hits per page (default 10)")
    p.add_argument("--after", metavar="CURSOR", help="the next page: the cursor a previous page printed")
    p.add_argument("--articles", action="store_true", help="search articles instead of claims")
    p.add_argument("--all-copies", action="store_true",
                   help="show every wire copy (default: each copy under its original, \"also in N outlets\")")
    p.add_argument("--group", choices=["threads"],
                   help="threads: one line per claim thread among the hits, with its size")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not index_exists(ctx.settings):  # a mistyped PIPELINE_DATA_DIR must not look like "no results"
        raise InputError(f"no index yet at {ctx.settings.index_url}: publish articles (`pipeline replay PATH` "
                         "or `pipeline feeds add URL`), then build it with `pipeline run --until-idle`")
    if args.articles:
        query = search.article_query(args.query, limit=args.limit, after=args.after, copies=_copies(args),
                                     **{f.name: getattr(args, f.name) for f in ARTICLE_FILTERS})
        result = ctx.index.search_articles(query)
        print(json.dumps(search.articles_json(result), ensure_ascii=False, indent=1) if args.json
              else format_articles(result))
        return 0
    claim_query = search.claim_query(args.query, limit=args.limit, after=args.after, copies=_copies(args),
                                     **{f.name: getattr(args, f.name) for f in CLAIM_FILTERS})
    result = ctx.index.search_claims(claim_query)
    if args.group == "threads":
        groups = group_by_thread(ctx.index, [h for h in result.hits if isinstance(h, ClaimHit)])
        print(json.dumps(groups_json(groups), ensure_ascii=False, indent=1) if args.json else format_groups(groups))
        return 0
    print(json.dumps(search.claims_json(result), ensure_ascii=False, indent=1) if args.json
          else format_claims(result))
    return 0


def _copies(args: argparse.Namespace) -> str | None:
    return "all" if args.all_copies else None


def copy_lines(copies: tuple[ArticleRef, ...]) -> list[str]:
    """``also in N outlets: A, B`` and one link per copy; nothing for an article without copies."""
    if not copies:
        return []
    outlets = list(dict.fromkeys(present.outlet(r.source) for r in copies))
    lines = [f"      also in {len(outlets)} outlet{'' if len(outlets) == 1 else 's'}: {', '.join(outlets)}"]
    return lines + [f"        {r.url}" for r in copies]


def format_claims(result: SearchResult) -> str:
    """A readable listing: speaker, stance, cue, the claim, and its article."""
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    lines = [f"{present.total(result.total, result.total_exact)} claim(s)"
             + (f", showing {len(result.hits)}" if result.total > len(result.hits) else "")]
    for n, hit in enumerate(result.hits, 1):
        assert isinstance(hit, ClaimHit)
        c = hit.claim
        written = present.as_written(c)
        cue = c.cue.text if c.cue else ""
        lines.append("")
        lines.append(f"{n:>2}. {present.speaker(c)}{' ' + written if written else ''}"
                     f"  [{c.stance}, {present.claim_kind(c)}, cue: {cue}]")
        lines.extend(textwrap.wrap(f'"{c.content.text}"', width - 6, initial_indent="    ",
                                   subsequent_indent="    "))
        a = hit.article
        lines.append(f"    — {present.cut(a.title, width - 30)} ({present.outlet(a.source)}, {present.day(a.published)})")
        lines.append(f"      {a.url}")
        lines.extend(copy_lines(hit.copies))
    lines.extend(_facet_lines(result))
    if result.next_cursor:
        lines.append(f"\nmore: --after {result.next_cursor}")
    return "\n".join(lines)


def format_groups(groups: list[ThreadGroup]) -> str:
    """One line per thread: its size and reach, its best-ranked claim and the thread id."""
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    lines = [f"{len(groups)} thread(s)"]
    for n, g in enumerate(groups, 1):
        t = g.summary
        copied = f", copied by {t.copied_by}" if t.copied_by else ""
        head = (f"{n:>2}. {t.size} claim(s), reported by {t.outlets} outlet(s){copied} · denied by {t.denied_by}"
                f"  [{t.thread_id}]  {present.speaker(g.claim)}: ")
        lines.append(head + present.cut(f'"{g.claim.content.text}"', max(width - len(head), 20)))
    return "\n".join(lines)


def groups_json(groups: list[ThreadGroup]) -> dict[str, Any]:
    """``{"threads": [{"thread", "size", "articles", "outlets", "denied_by", "claim", "article"}]}``."""
    return {"threads": [{"thread": g.summary.thread_id, "size": g.summary.size, "articles": g.summary.articles,
                         "outlets": g.summary.outlets, "copied_by": g.summary.copied_by, "denied_by": g.summary.denied_by,
                         "claim": to_dict(g.claim), "article": asdict(g.article)} for g in groups]}


def _facet_lines(result: SearchResult) -> list[str]:
    lines = []
    for name in ("speakers", "entities"):
        values = result.facets.get(name) or []
        if values:
            lines.append(f"\ntop {name}: " + ", ".join(f"{v} ({n})" for v, n in values[:8]))
    return lines


def format_articles(result: SearchResult) -> str:
    lines = [f"{present.total(result.total, result.total_exact)} article(s)"]
    for n, hit in enumerate(result.hits, 1):
        assert isinstance(hit, ArticleHit)
        a = hit.article
        lines.append(f"{n:>2}. {a.title} ({present.outlet(a.source)}, {present.day(a.published)})")
        if hit.snippet:
            lines.append(f"    {' '.join(hit.snippet.split())}")
        lines.append(f"    {a.url}")
        lines.extend(copy_lines(hit.copies))
    if result.next_cursor:
        lines.append(f"\nmore: --after {result.next_cursor}")
    return "\n".join(lines)
