"""Benchmark of the ResourceSync source: Resource List and Change List generation at N records.

Fills a fresh database with N records (the realistic normalised metadata of bench_provider.py,
one record every 30 seconds, so that the Change Lists span many days; 2% tombstones), then, in
a fresh child process, generates and reads to the end, as a client would:

1. the Resource List Index and every Resource List page (50,000 URLs, 25,000 records each: the
   oai_dc and JSON documents rendered and hashed, md5 and sha-256);
2. the Change List Index and every daily Change List (with its parts).

It prints the time of each, URLs per second, the time of the first and the last page (keyset
paging: the last costs what the first costs), and the child's resident memory after the first
page, after the last page and at its peak (streamed generation: flat, whatever N).

Usage::

    python bench/bench_resourcesync.py --records 100000
    python bench/bench_resourcesync.py --records 1000000                       # the full-size run
    python bench/bench_resourcesync.py --records 1000000 --database-url postgresql+psycopg://u:p@h:port/db
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_provider import fill as fill_records  # noqa: E402
from bench_provider import prepare_database  # noqa: E402

from hub.context import Hub  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
SPACING = timedelta(seconds=30)


def settings(database_url: str, folder: Path) -> dict[str, object]:
    """The benchmark hub's settings (embedded backends in ``folder``)."""
    return {"DATABASE_URL": database_url, "STORAGE_URL": f"file://{folder / 'objects'}",
            "SEARCH_URL": f"sqlite:///{folder / 'search.db'}", "SECRET_KEY": "bench-secret-key",
            "BASE_URL": "https://hub.example.org"}


def thirty_seconds_apart(index: int) -> tuple[datetime, datetime]:
    """(hub datestamp, created at) of bench record ``index``: one every 30 seconds (2,880 a day), a third
    of them created on their day, the others one or two days before (so Change Lists hold updates)."""
    stamp = START + SPACING * index
    return stamp, stamp - timedelta(days=index % 3)


def fill(hub: Hub, count: int) -> None:
    """Insert ``count`` records in bulk with bench_provider's loader, dated :func:`thirty_seconds_apart`."""
    fill_records(hub, count, stamps=thirty_seconds_apart)


def rss_mib(field: str = "VmRSS") -> float:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), MiB (Linux).

    ``VmHWM`` is the peak of this process image; ``getrusage``'s ``ru_maxrss`` is not, as Linux
    carries it over from the parent that filled the database."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def consume(chunks) -> tuple[int, int]:
    """Read a document to its end: (bytes, URLs)."""
    size = urls = 0
    for chunk in chunks:
        size += len(chunk)
        urls += chunk.count("<url>")
    return size, urls


def locs(chunks) -> tuple[list[str], int, int]:
    """The component lists a sitemap index names (none for a list), its URLs and bytes."""
    body = "".join(chunks)
    if "<sitemapindex" not in body[:400]:
        return [], body.count("<url>"), len(body)
    return [part.split("</loc>", 1)[0] for part in body.split("<loc>")[1:]], 0, len(body)


def generate(database_url: str, folder: str, report) -> None:
    """Child process: generate every Resource List and Change List, report the figures (or the error)."""
    try:
        report.put(figures(database_url, folder))
    except Exception as error:  # the parent waits on the queue: it must hear of a failure too
        report.put([f"FAILED: {error!r}"])
        raise


def figures(database_url: str, folder: str) -> list[str]:
    """Generate every Resource List and Change List; the lines of figures."""
    from oai.resourcesync.changes import Changes
    from oai.resourcesync.lists import Source
    from oai.resourcesync.scopes import HUB

    hub = Hub.create(overrides=settings(database_url, Path(folder)), instance_path=folder)
    store = hub.store
    lines = []
    with hub.db.session() as session:
        source = Source(hub.settings, session, HUB, store)
        began = time.perf_counter()
        pages, total_urls, total_bytes = locs(source.resource_list())
        index_time = time.perf_counter() - began
        page_times: list[float] = [index_time] if not pages else []
        rss_first = 0.0
        for url in pages:
            kind, token = url.rsplit("/", 2)[1:]
            token = token.removesuffix(".xml")
            started = time.perf_counter()
            size, urls = consume(source.record_page(token) if kind == "records" else source.file_page(token))
            page_times.append(time.perf_counter() - started)
            total_urls += urls
            total_bytes += size
            rss_first = rss_first or rss_mib()
        elapsed = time.perf_counter() - began
        lines.append(f"Resource List: index of {len(pages)} lists in {index_time:.2f} s; {total_urls:,} URLs "
                     f"({total_bytes / 2**20:,.0f} MiB) in {elapsed:.1f} s = {total_urls / elapsed:,.0f} URLs/s; "
                     f"first page {page_times[0]:.2f} s, last page {page_times[-1]:.2f} s; "
                     f"RSS after first page {rss_first:.0f} MiB, after last {rss_mib():.0f} MiB, "
                     f"peak so far {rss_mib('VmHWM'):.0f} MiB")
        changes = Changes(source)
        began = time.perf_counter()
        parts = locs(changes.index())[0]
        index_time = time.perf_counter() - began
        total_urls = total_bytes = 0
        rss_first = 0.0
        for url in parts:
            tail = url.split("/changelist/", 1)[1].removesuffix(".xml")
            day, _, token = tail.partition("/")
            size, urls = consume(changes.day_list(day, token or None))
            total_urls += urls
            total_bytes += size
            rss_first = rss_first or rss_mib()
        elapsed = time.perf_counter() - began
        lines.append(f"Change Lists: index of {len(parts)} lists in {index_time:.2f} s; {total_urls:,} changes "
                     f"({total_bytes / 2**20:,.0f} MiB) in {elapsed:.1f} s = {total_urls / elapsed:,.0f} URLs/s; "
                     f"RSS after first list {rss_first:.0f} MiB, after last {rss_mib():.0f} MiB")
    lines.append(f"peak RSS of the generating process: {rss_mib('VmHWM'):.0f} MiB")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chair-bench-rs-"))
    url, drop = prepare_database(args.database_url)
    try:
        hub = Hub.create(overrides=settings(url, folder), instance_path=folder)
        fill(hub, args.records)
        hub.db.dispose()
        context = multiprocessing.get_context("spawn")
        report = context.Queue()
        child = context.Process(target=generate, args=(url, str(folder), report))
        child.start()
        lines = report.get()
        child.join()
        print(f"{args.records:,} records ({hub.db.engine.dialect.name}):")
        for line in lines:
            print("  " + line)
    finally:
        drop()


if __name__ == "__main__":
    main()
