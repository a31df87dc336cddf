"""Records per second of WARC replay (read, extract, build articles), on a WARC this script writes.

    PYTHONPATH=. python scripts/bench_warc.py [PAGES]

Writes PAGES (default 2,000) HTML responses plus a request record each, gzip'd per
record, to a temporary folder, then times ``read_articles`` over it on one core.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "replay"))
from warcs import Archive, page  # noqa: E402 - the tests' WARC writer

from pipeline.records import Article  # noqa: E402
from pipeline.replay.files import read_articles  # noqa: E402


def main(pages: int) -> None:
    archive = Archive()
    for n in range(pages):
        archive.other("request", f"https://news.test/{n}").response(f"https://news.test/{n}", page(f"Story {n}"))
    with tempfile.TemporaryDirectory() as folder:
        path = archive.write(Path(folder) / "bench.warc.gz")
        start = time.perf_counter()
        items = list(read_articles(path))
        elapsed = time.perf_counter() - start
    articles = sum(isinstance(i, Article) for i in items)
    print(f"{len(items):,} records ({articles:,} articles) in {elapsed:.2f} s: "
          f"{len(items) / elapsed:,.0f} records/s, {articles / elapsed:,.0f} articles/s "
          )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
