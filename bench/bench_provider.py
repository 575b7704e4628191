"""Benchmark of the OAI-PMH provider: keyset paging depth, whole harvests, server memory.

Fills a fresh database with N records (bulk inserts of realistic normalised metadata), then
measures and prints:

1. ListRecords (oai_dc, 100 records a page) and ListIdentifiers (1,000 headers a page, the
   defaults): the first page and the last page (a token whose keyset cursor sits before the last
   page), median of several requests, in-process;
2. a whole-endpoint harvest of ListRecords oai_dc by the ``oaipmh`` client (pyoai, GET requests)
   against the live endpoint (werkzeug in a child process), records/s, and the server's RSS
   during it, with ``OAI_READ_AHEAD`` off (``--read-ahead both``: then on as well);
3. the same client over the same pages saved to files and served by a plain static file server
   (``http.server``; each request's query names its file), the ceiling the client itself
   imposes, and the ratio of the two.

Every figure is printed with the machine's load average (the machine may be shared).

Usage::

    python bench/bench_provider.py --records 100000                       # SQLite in a temp folder
    python bench/bench_provider.py --records 100000 --database-url postgresql+psycopg://u:p@h:port/db
    python bench/bench_provider.py --records 1000000 --database-url ...   # the full-size run
    python bench/bench_provider.py --records 1000000 --database-url ... --keep-database --skip-harvest
    python bench/bench_provider.py --filled-database URL --harvest-records 50000   # reuse it, harvest part

A PostgreSQL URL names a server and an admin-able database: the benchmark creates its own
database next to it and drops it afterwards.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hub.context import Hub  # noqa: E402
from hub.models import Institution, Record, Repository  # noqa: E402
from hub.states import FulltextState  # noqa: E402

START = datetime(2020, 1, 1, tzinfo=UTC)
PAGE = 100  # records per ListRecords page (OAI_PAGE_SIZE_RECORDS' default)
ID_PAGE = 1000  # headers per ListIdentifiers page (OAI_PAGE_SIZE_IDENTIFIERS' default)
SIZES = {"OAI_PAGE_SIZE_RECORDS": PAGE, "OAI_PAGE_SIZE_IDENTIFIERS": ID_PAGE}


def load() -> str:
    """The machine's 1-, 5- and 15-minute load averages, for the record beside each figure."""
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def meta_of(index: int) -> dict:
    """Normalised metadata of record ``index`` (Chinese and English, as the crosswalks produce it)."""
    return {
        "titles": [{"value": f"基于深度学习的城市交通流预测研究 第{index}号", "lang": "zho"},
                   {"value": f"Urban traffic flow prediction with deep learning, no. {index}", "lang": "eng"}],
        "abstracts": [{"value": "本文提出了一种基于多源数据融合的新方法。实验结果表明该方法优于现有方法。", "lang": "zho"},
                      {"value": "We propose a new approach based on multi-source data fusion; experiments "
                                "show that it outperforms existing baselines.", "lang": "eng"}],
        "creators": [{"name": "张伟", "family": "张", "given": "伟", "orcid": "0000-0002-1825-0097"},
                     {"name": "Smith, John", "family": "Smith", "given": "John"}],
        "subjects": [{"value": "人工智能", "lang": "zho"}, {"value": "Artificial Intelligence", "lang": "eng"}],
        "issued": f"{2000 + index % 24}-05-03", "year": 2000 + index % 24, "types": ["期刊论文"],
        "resource_type": "http://purl.org/coar/resource_type/c_6501", "resource_type_label": "journal article",
        "identifiers": [{"scheme": "handle", "value": f"20.500.12345/{index}"}],
        "doi": f"10.12345/bench.{index}", "languages": ["zho"], "publisher": ["科学出版社"],
        "access_rights": "http://purl.org/coar/access_right/c_abf2",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "landing_page": f"http://ir.example.edu.cn/handle/20.500.12345/{index}",
    }


def prepare_database(url: str) -> tuple[str, callable]:
    """A fresh database: a temp SQLite file, or a new PostgreSQL database beside ``url``."""
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="chair-bench-"))
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"chair_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database ``url`` names (a benchmark's own)."""
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))
    admin.dispose()


def five_a_second(index: int) -> tuple[datetime, datetime]:
    """(hub datestamp, created at) of bench record ``index``: five records share each datestamp second."""
    stamp = START + timedelta(seconds=index // 5)
    return stamp, stamp


def fill(hub: Hub, count: int, batch: int = 10_000,
         stamps: Callable[[int], tuple[datetime, datetime]] = five_a_second) -> None:
    """Insert ``count`` records in bulk, dated by ``stamps`` (2% tombstones)."""
    with hub.db.session() as session:
        inst = Institution(slug="bench", name_en="Bench University", name_zh="基准大学")
        session.add(inst)
        session.flush()
        repo = Repository(institution_id=inst.id, platform="oai", base_url="http://ir.example.edu.cn/oai")
        session.add(repo)
        session.flush()
        repo_id = repo.id
    raw = '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:title>t</dc:title></oai_dc:dc>'
    began = time.perf_counter()
    for first in range(0, count, batch):
        rows = []
        for index in range(first, min(count, first + batch)):
            stamp, created = stamps(index)
            rows.append({"repository_id": repo_id, "source_identifier": f"oai:ir.example.edu.cn:{index}",
                         "source_datestamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "hub_datestamp": stamp,
                         "created_at": created, "deleted": index % 50 == 7, "metadata_format": "oai_dc",
                         "raw_metadata": raw, "meta": meta_of(index), "sets": [], "fulltext_links": [],
                         "fulltext_state": FulltextState.NONE, "content_hash": ""})
        with hub.db.session() as session:
            session.execute(insert(Record), rows)
    print(f"filled {count:,} records in {time.perf_counter() - began:.1f} s")
    # A hub that holds a million records has been vacuumed and analysed long since (autovacuum on
    # PostgreSQL, `chair db` maintenance on SQLite); a table read straight after a bulk load is not
    # (PostgreSQL would set hint bits, i.e. write, on the first harvest's reads).
    with hub.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if hub.db.engine.dialect.name == "postgresql" else "ANALYZE"))


def page_times(hub: Hub, repeats: int, verb: str = "ListRecords") -> tuple[float, float]:
    """Median seconds of the first and of the last page of ``verb`` oai_dc (in-process)."""
    from hub.app import create_app
    from oai.provider import tokens
    from oai.provider.listing import to_micros

    size, marker = (PAGE, b"<record>") if verb == "ListRecords" else (ID_PAGE, b"<header")
    app = create_app(hub=hub)
    client = app.test_client()
    with hub.db.session() as session:
        total = session.scalar(select(text("count(*)")).select_from(Record))
        before_last = session.execute(select(Record.hub_datestamp, Record.id).order_by(
            Record.hub_datestamp.desc(), Record.id.desc()).offset(size).limit(1)).one()
    now = datetime.now(UTC)
    token = tokens.ResumptionToken(verb, "oai_dc", "", None, to_micros(now - timedelta(seconds=1)),
                                   to_micros(before_last.hub_datestamp), before_last.id, "", total - size, total,
                                   int(now.timestamp()))
    last_query = {"verb": verb, "resumptionToken": tokens.encode(token, hub.settings["SECRET_KEY"])}
    first_query = {"verb": verb, "metadataPrefix": "oai_dc"}

    def timed(query: dict) -> float:
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            body = client.get("/oai", query_string=query).get_data()
            samples.append(time.perf_counter() - began)
            assert body.count(marker) == size, body[-500:]
        return statistics.median(samples)

    return timed(first_query), timed(last_query)


def quiet_handler():
    """A werkzeug request handler that does not log every request."""
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            return None

    return Quiet


def serve(url: str, port_queue, read_ahead: bool = False) -> None:
    """Child process: serve the hub's app on an ephemeral port."""
    from werkzeug.serving import make_server

    from hub.app import create_app

    hub = Hub.create(overrides={"DATABASE_URL": url, **SIZES, "OAI_READ_AHEAD": read_ahead,
                                "SECRET_KEY": "bench"},
                     instance_path=Path(tempfile.mkdtemp()))
    server = make_server("127.0.0.1", 0, create_app(hub=hub), threaded=True, request_handler=quiet_handler())
    port_queue.put(server.server_port)
    server.serve_forever()


def start_server(context, url: str, read_ahead: bool):
    """A child process serving the hub on an ephemeral port: (its /oai URL, the process)."""
    ports = context.Queue()
    child = context.Process(target=serve, args=(url, ports, read_ahead), daemon=True)
    child.start()
    return f"http://127.0.0.1:{ports.get(timeout=120)}/oai", child


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pyoai_harvest(url: str, limit: int = 0) -> tuple[int, float]:
    """Harvest ListRecords oai_dc with the oaipmh client (GET requests), the whole list or its first
    ``limit`` records (whole pages: the client fetches a page when it needs its first record);
    (records, seconds)."""
    from oaipmh.client import Client
    from oaipmh.metadata import MetadataRegistry, oai_dc_reader

    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(url, registry, force_http_get=True)
    began = time.perf_counter()
    count = 0
    for _ in client.listRecords(metadataPrefix="oai_dc"):
        count += 1
        if count == limit:
            break
    return count, time.perf_counter() - began


def page_file(query: str) -> str:
    """The file name of the page a query string asks for (its arguments in a fixed order)."""
    arguments = urllib.parse.parse_qs(query)
    canonical = urllib.parse.urlencode([(k, arguments[k][0]) for k in ("verb", "metadataPrefix", "resumptionToken")
                                        if k in arguments])
    return hashlib.sha1(canonical.encode()).hexdigest() + ".xml"


def save_pages(url: str, folder: Path, limit: int = 0) -> tuple[int, int, float]:
    """Every page of ListRecords oai_dc (or the first ``limit`` records' pages) fetched without
    parsing and saved in ``folder`` under :func:`page_file` names; (pages, bytes, seconds)."""
    import re

    arguments = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    pages = size = 0
    began = time.perf_counter()
    while True:
        encoded = urllib.parse.urlencode(arguments)
        with urllib.request.urlopen(f"{url}?{encoded}") as response:
            body = response.read()
        (folder / page_file(encoded)).write_bytes(body)
        pages, size = pages + 1, size + len(body)
        match = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not match or (limit and pages * PAGE >= limit):
            return pages, size, time.perf_counter() - began
        arguments = {"verb": "ListRecords", "resumptionToken": match.group(1).decode()}


class StaticPages(http.server.SimpleHTTPRequestHandler):
    """Python's static file server; the request's query string names the file (:func:`page_file`)."""

    def translate_path(self, path: str) -> str:
        return str(Path(self.directory) / page_file(urllib.parse.urlsplit(path).query))

    def log_message(self, *args) -> None:
        return None


def static_server(folder: Path) -> http.server.ThreadingHTTPServer:
    """A plain static file server of the saved pages on an ephemeral port (in a thread)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticPages, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp folder)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-harvest", action="store_true")
    parser.add_argument("--read-ahead", choices=("off", "both"), default="off",
                        help="harvest with OAI_READ_AHEAD off only, or off and then on")
    parser.add_argument("--harvest-records", type=int, default=0,
                        help="harvest the first N records of the list only (a multiple of 100; 0: all)")
    parser.add_argument("--keep-database", action="store_true", help="leave the filled database (prints its URL)")
    parser.add_argument("--filled-database", default="",
                        help="a database an earlier --keep-database run filled: no fill, dropped at the end")
    options = parser.parse_args()
    if options.filled_database:
        url = options.filled_database
        drop = functools.partial(drop_database, url) if url.startswith("postgresql") else (lambda: None)
    else:
        url, drop = prepare_database(options.database_url)
    if options.keep_database:
        print(f"database kept: {url}")
        drop = lambda: None  # noqa: E731 - nothing to drop
    backend = make_url(url).get_backend_name()
    pages_folder = Path(tempfile.mkdtemp(prefix="chair-bench-pages-"))
    try:
        hub = Hub.create(overrides={"DATABASE_URL": url, **SIZES, "SECRET_KEY": "bench"},
                         instance_path=Path(tempfile.mkdtemp()))
        if not options.filled_database:
            fill(hub, options.records)
        with hub.db.session() as session:
            options.records = session.scalar(select(text("count(*)")).select_from(Record))
        for verb, size in (("ListRecords", PAGE), ("ListIdentifiers", ID_PAGE)):
            first, last = page_times(hub, options.repeats, verb)
            print(f"[{backend}] {verb} oai_dc, {size}/page, {options.records:,} records: first page "
                  f"{first * 1000:.1f} ms, last page {last * 1000:.1f} ms, last/first {last / first:.2f}x ({load()})")
        hub.db.dispose()
        if options.skip_harvest:
            return
        context = multiprocessing.get_context("spawn")
        rates = {}
        for read_ahead in (False, True) if options.read_ahead == "both" else (False,):
            live, child = start_server(context, url, read_ahead)
            idle = rss_kib(child.pid)
            peak = [idle]
            done = threading.Event()

            def watch(pid: int = child.pid, done: threading.Event = done, peak: list[int] = peak) -> None:
                while not done.wait(0.1):
                    peak[0] = max(peak[0], rss_kib(pid))

            threading.Thread(target=watch, daemon=True).start()
            count, seconds = pyoai_harvest(live, options.harvest_records)
            done.set()
            rates[read_ahead] = count / seconds
            print(f"[{backend}] oaipmh client, live endpoint, OAI_READ_AHEAD {'on' if read_ahead else 'off'}: "
                  f"{count:,} records in {seconds:.1f} s = {count / seconds:,.0f} records/s; server RSS "
                  f"{idle / 1024:.0f} MiB idle, {peak[0] / 1024:.0f} MiB peak during the harvest ({load()})")
            if read_ahead or options.read_ahead == "off":
                break
            child.terminate()
        pages, size, fetched = save_pages(live, pages_folder, options.harvest_records)
        child.terminate()
        print(f"[{backend}] the same list fetched without parsing (urllib): {pages:,} pages, {size / 2**20:,.0f} MiB "
              f"in {fetched:.1f} s = {count / fetched:,.0f} records/s ({load()})")
        server = static_server(pages_folder)
        static_count, static_seconds = pyoai_harvest(f"http://127.0.0.1:{server.server_port}/oai",
                                                     options.harvest_records)
        server.shutdown()
        assert static_count == count, (static_count, count)
        static_rate = static_count / static_seconds
        ratios = ", ".join(f"{rate / static_rate:.2f} (read-ahead {'on' if on else 'off'})"
                           for on, rate in rates.items())
        print(f"[{backend}] oaipmh client, static pages (http.server): {static_count:,} records in "
              f"{static_seconds:.1f} s = {static_rate:,.0f} records/s; live/static throughput {ratios} ({load()})")
    finally:
        drop()
        for saved in pages_folder.glob("*.xml"):
            saved.unlink()
        pages_folder.rmdir()
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                path = url.split("///", 1)[1] + suffix
                if os.path.exists(path):
                    os.remove(path)


if __name__ == "__main__":
    main()
