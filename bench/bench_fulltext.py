"""Full-text benchmarks: print figures, never run in the test suite.

1. Extraction throughput through the hub (TikaExtractor) vs posting the same PDFs straight to Tika
   in the same run: the hub's overhead should stay under 10 %.
2. Peak memory (ru_maxrss of a fresh process) while storing and extracting a 1 GB file (< 200 MB).
3. N PDFs from a local repository downloaded, stored and extracted: files/s and MB/s, for
   embedded + local directory, and Tika + S3.

Usage: ``eval "$(scripts/services env)"; python bench/bench_fulltext.py [--files 1000] [--skip-gigabyte]``.
Tika and S3 parts run when CHAIR_TEST_TIKA_URL / CHAIR_TEST_STORAGE_URL are set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.config import Settings  # noqa: E402
from hub.context import Hub  # noqa: E402
from hub.models import Institution, Record, Repository  # noqa: E402
from hub.samples.pdf import PdfLine, build_pdf  # noqa: E402
from hub.states import FulltextState  # noqa: E402
from tests.fulltext.conftest import FileServer  # noqa: E402
from tests.storage.backends import cleanup_store, fresh_s3_url  # noqa: E402

TIKA = os.environ.get("CHAIR_TEST_TIKA_URL", "")
S3 = os.environ.get("CHAIR_TEST_STORAGE_URL", "")


def sample_pdf(i: int) -> bytes:
    lines = [PdfLine(f"第{i}号论文：基于深度学习的古籍文字识别研究", 16),
             PdfLine(f"Paper {i}: optical character recognition of ancient books", 12)]
    lines += [PdfLine(f"本文第{k}段讨论了图书馆数字化中的方法与实验结果，编号{i}-{k}。") for k in range(20)]
    lines += [PdfLine(f"Paragraph {k} of paper {i} reports the results of the study in the library.") for k in range(20)]
    return build_pdf(lines, title=f"Paper {i}")


def bench_tika_overhead(n: int) -> None:
    from storage.extract.tika import TikaExtractor

    folder = Path(tempfile.mkdtemp())
    paths = []
    for i in range(n):
        path = folder / f"{i}.pdf"
        path.write_bytes(sample_pdf(i))
        paths.append(path)
    extractor = TikaExtractor(Settings(TIKA_URL=TIKA, EXTRACT_TIMEOUT=120.0, EXTRACT_MAX_CHARS=10_000_000))
    session = requests.Session()
    for path in paths[:10]:  # warm both paths
        extractor.extract(path, "application/pdf")
    # Interleaved per file (alternating which goes first) so that the load of a shared machine
    # hits both sides alike; three rounds, totals compared.
    totals = {"direct": 0.0, "hub": 0.0}

    def direct_one(path: Path) -> None:
        with open(path, "rb") as fh:
            # The same request the hub sends (no OCR on the first pass), minus the hub's work around it.
            session.put(f"{TIKA}/rmeta/text", data=fh, headers=extractor._headers(False)).json()

    def hub_one(path: Path) -> None:
        extractor.extract(path, "application/pdf")

    for round_number in range(3):
        for i, path in enumerate(paths):
            pair = [("direct", direct_one), ("hub", hub_one)]
            if (i + round_number) % 2:
                pair.reverse()
            for name, call in pair:
                start = time.perf_counter()
                call(path)
                totals[name] += time.perf_counter() - start
    files = 3 * n
    direct, hub = totals["direct"], totals["hub"]
    print(f"[extract] {n} PDFs x 3 rounds: Tika direct {files / direct:,.1f} files/s, through the hub "
          f"{files / hub:,.1f} files/s, overhead {100 * (hub - direct) / direct:+.1f} % (interleaved per file)")


CHILD = textwrap.dedent("""
    import json, resource, sys

    def hwm():
        # Peak RSS of this process image in kB (VmHWM restarts at exec, unlike ru_maxrss).
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    from hub.fulltext.fetch import download
    from hub.http import HttpClient
    from storage import open_store
    from storage.base import file_key
    from storage.extract import make_extractor
    url, store_url, tika = sys.argv[1], sys.argv[2], sys.argv[3]
    settings = {"ALLOW_PRIVATE_ADDRESSES": True, "HTTP_READ_TIMEOUT": 60.0, "USER_AGENT": "bench",
                "TIKA_URL": tika, "EXTRACT_TIMEOUT": 600.0, "EXTRACT_MAX_BYTES": 2 * 1024 ** 3,
                "EXTRACT_MAX_CHARS": 10_000_000}
    store = open_store(store_url)
    got = download(HttpClient(settings), store, url, max_bytes=2 * 1024 ** 3, declared_mime="text/plain")
    after_store = hwm()
    error = ""
    try:
        with store.local_copy(file_key(got.sha256)) as path:
            result = make_extractor(Settings.from_mapping(settings)).extract(path, "text/plain")
        chars = len(result.text)
    except Exception as exc:
        chars, error = 0, f"{type(exc).__name__}: {exc}"[:200]
    from storage.extract.embedded import close_pools
    close_pools()  # the children are waited for, so RUSAGE_CHILDREN holds their peak
    print(json.dumps({"size": got.size, "store_kb": after_store, "chars": chars, "error": error,
                      "peak_kb": hwm(),
                      "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""")


def bench_gigabyte() -> None:
    server = FileServer()
    from werkzeug.wrappers import Response

    def handler(request):
        text_chunks = (b"library word " * 80660 + b"\n" for _ in range(1024))  # ~1 GB of text
        response = Response(text_chunks, content_type="text/plain", direct_passthrough=True)
        response.headers["Content-Length"] = str(1024 * (13 * 80660 + 1))
        return response

    server.routes["/huge.txt"] = handler
    combos = [("embedded", "local", "")] + ([("tika", "s3", TIKA)] if TIKA and S3 else [])
    try:
        for name, kind, tika in combos:
            target = f"file://{tempfile.mkdtemp()}/objects" if kind == "local" else fresh_s3_url()
            try:
                done = subprocess.run([sys.executable, "-c", CHILD, server.base + "/huge.txt", target, tika],
                                      capture_output=True, text=True, cwd=ROOT, timeout=3600)
                if done.returncode:
                    print(f"[1 GB] {name}+{kind}: failed: {done.stderr[-500:]}")
                    continue
                data = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"[1 GB] {name}+{kind}: {data['size'] / 1e9:.2f} GB stored, peak RSS after storing "
                      f"{data['store_kb'] / 1024:.0f} MB, after extracting {data['peak_kb'] / 1024:.0f} MB "
                      f"(hub process); embedded child peak {data['children_kb'] / 1024:.0f} MB; "
                      f"{data['chars']:,} chars kept" + (f"; extraction: {data['error']}" if data["error"] else ""))
            finally:
                cleanup_store(target)
    finally:
        server.close()


def bench_repository(n: int, backend: str) -> None:
    server = FileServer()
    pdfs = [sample_pdf(i) for i in range(n)]
    for i, data in enumerate(pdfs):
        server.add_file(f"/bitstream/{i}/paper.pdf", data)
    folder = Path(tempfile.mkdtemp())
    storage = f"file://{folder / 'objects'}" if backend == "embedded+local" else fresh_s3_url()
    hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{folder / 'chair.db'}", "STORAGE_URL": storage,
                                "TIKA_URL": TIKA if backend == "tika+s3" else "", "ALLOW_PRIVATE_ADDRESSES": True,
                                "BROKER_URL": ""}, instance_path=folder)
    with hub.db.session() as session:
        inst = Institution(slug="bench", name_en="Bench")
        session.add(inst)
        session.flush()
        repo = Repository(institution_id=inst.id, platform="oai", base_url=server.base)
        session.add(repo)
        session.flush()
        session.add_all([Record(repository_id=repo.id, source_identifier=f"oai:bench:{i}",
                                fulltext_links=[{"url": f"{server.base}/bitstream/{i}/paper.pdf", "access": "open",
                                                 "mime_type": "application/pdf"}],
                                fulltext_state=FulltextState.FOUND) for i in range(n)])
    from hub.fulltext.pipeline import fetch_pending

    start = time.perf_counter()
    report = fetch_pending(hub)
    elapsed = time.perf_counter() - start
    total = sum(len(p) for p in pdfs)
    with hub.db.session() as session:
        extracted = session.query(Record).filter(Record.fulltext_state == FulltextState.EXTRACTED).count()
    print(f"[repository] {backend}: {n} PDFs ({total / 1e6:.1f} MB) downloaded, stored and extracted in "
          f"{elapsed:.1f} s: {n / elapsed:,.1f} files/s, {total / 1e6 / elapsed:.2f} MB/s; "
          f"{report.outcomes['stored']} stored, {extracted} records extracted")
    server.close()
    cleanup_store(storage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--tika-files", type=int, default=200)
    parser.add_argument("--skip-gigabyte", action="store_true")
    args = parser.parse_args()
    if TIKA:
        bench_tika_overhead(args.tika_files)
    if not args.skip_gigabyte:
        bench_gigabyte()
    bench_repository(args.files, "embedded+local")
    if TIKA and S3:
        bench_repository(args.files, "tika+s3")


if __name__ == "__main__":
    main()
