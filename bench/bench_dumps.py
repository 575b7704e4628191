"""Benchmark: a full copy of the hub through its bulk dump against a full OAI-PMH harvest.

Fills a fresh database with N records (bench_provider's bulk loader: realistic bilingual
metadata, one record in 50 a tombstone), builds the dumps (``chair dumps build``: first build, then
a rebuild with nothing changed), serves the hub (werkzeug in a child process, bench_provider's
server) and, from this same machine, makes two full copies of it:

1. the dump: GET ``/data/dumps/hub.jsonl.gz``, gunzipped and every line parsed as JSON, streamed;
2. OAI-PMH: ListRecords oai_dc through every resumption token with the ``oaipmh`` client (pyoai,
   of the test extra), 100 records a page (each record parsed by the client).

and prints the seconds of each and their ratio.

Usage::

    python bench/bench_dumps.py --records 100000                 # SQLite in a temp folder
    python bench/bench_dumps.py --records 100000 --database-url postgresql+psycopg://u:p@h:port/db
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_provider import PAGE, fill, prepare_database, pyoai_harvest, start_server  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hub.context import Hub  # noqa: E402
from hub.exchange.dumps.build import build_dumps  # noqa: E402


def dump_copy(url: str) -> tuple[int, int, float]:
    """Download and parse the whole-hub dump, streamed; (records, bytes downloaded, seconds)."""
    began = time.perf_counter()
    records = 0
    with urllib.request.urlopen(url) as response:
        size = int(response.headers["Content-Length"])
        with gzip.GzipFile(fileobj=response) as lines:
            for line in lines:
                json.loads(line)
                records += 1
    return records, size, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp folder)")
    options = parser.parse_args()
    url, drop = prepare_database(options.database_url)
    backend = make_url(url).get_backend_name()
    objects = Path(tempfile.mkdtemp(prefix="chair-bench-objects-"))
    os.environ["CHAIR_STORAGE_URL"] = f"file://{objects}"  # the served hub (a child process) reads the same store
    try:
        hub = Hub.create(overrides={"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=Path(tempfile.mkdtemp()))
        fill(hub, options.records)
        began = time.perf_counter()
        report = build_dumps(hub)
        built = time.perf_counter() - began
        began = time.perf_counter()
        again = build_dumps(hub)
        rebuilt = time.perf_counter() - began
        print(f"[{backend}] chair dumps build: {built:.1f} s ({report.line()}); "
              f"rebuild with nothing changed: {rebuilt:.2f} s ({again.line()})")
        hub.db.dispose()
        context = multiprocessing.get_context("spawn")
        oai_url, child = start_server(context, url, False)
        try:
            base = oai_url.removesuffix("/oai")
            count, size, dump_seconds = dump_copy(f"{base}/data/dumps/hub.jsonl.gz")
            print(f"[{backend}] dump: {count:,} records ({size / 1e6:.1f} MB gzip) downloaded and parsed in "
                  f"{dump_seconds:.1f} s = {count / dump_seconds:,.0f} records/s")
            oai_count, oai_seconds = pyoai_harvest(oai_url)
            print(f"[{backend}] OAI-PMH ListRecords oai_dc ({PAGE}/page, oaipmh client): {oai_count:,} records in "
                  f"{oai_seconds:.1f} s = {oai_count / oai_seconds:,.0f} records/s")
            print(f"[{backend}] full copy of {options.records:,} records: OAI-PMH / dump = "
                  f"{oai_seconds / dump_seconds:.1f}x")
        finally:
            child.terminate()
    finally:
        drop()
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                path = url.split("///", 1)[1] + suffix
                if os.path.exists(path):
                    os.remove(path)


if __name__ == "__main__":
    main()
