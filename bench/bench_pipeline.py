"""Pipeline throughput (issue 16): the whole ``chair harvest``, its stages, and extraction alone.

The sample server (its own process) holds one DSpace-style repository of N records, every
``--no-file-every``-th without a full text (4: 3 in 4 records carry a small PDF, 15,000 of
20,000). Parts, each printed with the machine's load (``uptime``) at its start:

1. ``embedded``: a bare ``sickle`` client fetches and parses every ListRecords page of the
   endpoint; then ``chair harvest 1`` runs in a fresh instance on the embedded defaults (SQLite,
   local directory, in-process stages, pure-Python extraction, SQLite search). Prints records/s of
   the whole command and of each stage (from the stage lines the command prints), and the
   metadata stage's time over sickle's.
2. ``services``: the same harvest with PostgreSQL, Redis + two ``chair worker`` processes, Tika
   and S3 (``eval "$(scripts/services env)"`` first). The stages run on the workers; the bench
   watches the database until every stage is done and prints when each stage finished, its
   records/s and which stage bounds the pipeline.
3. ``extract``: ``--extract-files`` small PDFs stored, then extracted by the extract stage's batch
   function with 1 and 4 files in flight: embedded (``EXTRACT_WORKERS``) and, with
   ``CHAIR_TEST_TIKA_URL``, Tika (``TIKA_IN_FLIGHT``). Prints files/s.

    python bench/bench_pipeline.py --records 20000 --parts embedded,extract
    eval "$(scripts/services env)"; python bench/bench_pipeline.py --records 20000 --parts services

Needs ``sickle`` (``pip install -e .[bench]``) for the comparison of part 1.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = """
import sys
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve
repo = demo_repositories(int(sys.argv[1]))[0]
repo.no_file_every = int(sys.argv[2])
repo.duplicates_of = None
server, thread, url = serve([repo], port=0)
print(repo.base_url(url), flush=True)
thread.join()
"""
STAGE_LINE = re.compile(r"^\s*(files|extract|works|index|people|showcase): (\d+) given.* in (?:(\d+) min )?([\d.]+) s$")
RECORDS_LINE = re.compile(r"^repository \d+: (\w+), (\d+) seen.* in (?:(\d+) min )?([\d.]+) s")


def load() -> str:
    """The machine's load averages, as uptime prints them."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()


def start_server(records: int, no_file_every: int) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(records), str(no_file_every)],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return server, server.stdout.readline().strip()


def sickle_harvest(url: str) -> tuple[int, float]:
    """Fetch and parse every record (metadata included) with a bare sickle client; (records, seconds)."""
    from sickle import Sickle

    started = time.perf_counter()
    count = 0
    for _record in Sickle(url, max_retries=3).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False):
        count += 1  # each Record is parsed (header, and metadata into a dict) as it is built
    return count, time.perf_counter() - started


def register(overrides: dict, instance: str, url: str) -> int:
    """A member and the sample repository in a fresh hub; the repository's id."""
    from hub.context import Hub
    from hub.members import add_institution, add_repository

    hub = Hub.create(overrides={"ALLOW_PRIVATE_ADDRESSES": True, **overrides}, instance_path=instance)
    with hub.db.session() as session:
        add_institution(session, "bench", "Bench University")
        repo_id = add_repository(session, hub.pm, hub.settings, member="bench", platform="oai", base_url=url).id
    hub.close()
    return repo_id


def seconds_of(minutes: str | None, seconds: str) -> float:
    return int(minutes or 0) * 60 + float(seconds)


def part_embedded(args: argparse.Namespace) -> None:
    print(f"[embedded] load {load()}", flush=True)
    server, url = start_server(args.records, args.no_file_every)
    try:
        client = None
        try:
            client = sickle_harvest(url)
            print(f"[embedded] bare sickle: {client[0]:,} records fetched and parsed in {client[1]:.1f} s = "
                  f"{client[0] / client[1]:,.0f} records/s", flush=True)
        except ImportError:
            print("[embedded] sickle not installed (pip install -e .[bench]): no comparison")
        with tempfile.TemporaryDirectory() as instance:
            repo_id = register({"BROKER_URL": ""}, instance, url)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "CHAIR_INSTANCE_PATH": instance,
                   "CHAIR_ALLOW_PRIVATE_ADDRESSES": "1", "CHAIR_BROKER_URL": "", "CHAIR_DATABASE_URL": "",
                   "CHAIR_STORAGE_URL": "", "CHAIR_TIKA_URL": "", "CHAIR_SEARCH_URL": ""}
            env = {k: v for k, v in env.items() if v != "" or not k.startswith("CHAIR_")}
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()", "harvest", str(repo_id)],
                                  capture_output=True, text=True, env=env, cwd=instance)
            elapsed = time.perf_counter() - started
            if done.returncode:
                print(f"[embedded] chair harvest failed ({done.returncode}): {done.stderr[-2000:]}")
                return
            seen, stages = 0, []
            for line in done.stdout.splitlines():
                if match := RECORDS_LINE.match(line):
                    seen = int(match[2])
                    stages.append(("records", seen, seconds_of(match[3], match[4])))
                elif match := STAGE_LINE.match(line):
                    stages.append((match[1], int(match[2]), seconds_of(match[3], match[4])))
            print(f"[embedded] chair harvest: {seen:,} records in {elapsed:.1f} s = {seen / elapsed:,.1f} records/s "
                  f"(whole command, process start included)")
            for name, given, seconds in stages:
                print(f"[embedded]   {name:8s} {given:7,} in {seconds:7.1f} s = {given / max(seconds, 1e-9):9,.1f}/s")
            if client:
                records = next(s for s in stages if s[0] == "records")
                print(f"[embedded] metadata stage / bare sickle = {records[2] / client[1]:.2f}x")
            print("[embedded] " + "\n[embedded] ".join(done.stdout.strip().splitlines()), flush=True)
    finally:
        server.terminate()
        server.wait()


def _fresh_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"chair_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(make_url(admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _progress(hub) -> dict[str, int]:
    """How far each stage got: records imported, files stored, files extracted, records grouped, indexed,
    authorships linked to researchers, records with showcase facts."""
    from sqlalchemy import func, select

    from hub.fulltext.states import ExtractState, FileState
    from hub.models import Authorship, Record, RecordFacts, RecordFile, StoredFile, WorkMember

    with hub.db.session() as session:
        counts = {
            "records": session.scalar(select(func.count()).select_from(Record)) or 0,
            "files": session.scalar(select(func.count()).where(RecordFile.state == FileState.STORED)) or 0,
            "extract": session.scalar(select(func.count()).where(
                StoredFile.extract_state == ExtractState.EXTRACTED)) or 0,
            "works": session.scalar(select(func.count()).select_from(WorkMember)) or 0,
            "people": session.scalar(select(func.count()).where(Authorship.researcher_id.is_not(None))) or 0,
            "showcase": session.scalar(select(func.count()).select_from(RecordFacts)) or 0,
        }
    counts["index"] = hub.search.count() if hasattr(hub.search, "count") else 0
    return counts


def part_services(args: argparse.Namespace) -> None:
    needed = ["CHAIR_TEST_DATABASE_URL", "CHAIR_TEST_BROKER_URL", "CHAIR_TEST_TIKA_URL", "CHAIR_TEST_STORAGE_URL"]
    if any(not os.environ.get(n) for n in needed):
        print('[services] skipped: eval "$(scripts/services env)" first')
        return
    import redis

    from hub.context import Hub
    from hub.tasks import make_celery
    from tests.storage.backends import cleanup_store, fresh_s3_url

    print(f"[services] load {load()}", flush=True)
    server, url = start_server(args.records, args.no_file_every)
    broker = os.environ["CHAIR_TEST_BROKER_URL"].rsplit("/", 1)[0] + "/10"
    storage = fresh_s3_url()
    procs: list[subprocess.Popen] = []
    try:
        with tempfile.TemporaryDirectory() as instance:
            db_url = _fresh_database(os.environ["CHAIR_TEST_DATABASE_URL"])
            search = f"sqlite:///{instance}/search.db"
            overrides = {"DATABASE_URL": db_url, "BROKER_URL": broker, "STORAGE_URL": storage,
                         "TIKA_URL": os.environ["CHAIR_TEST_TIKA_URL"], "SEARCH_URL": search}
            repo_id = register(overrides, instance, url)
            redis.Redis.from_url(broker).flushdb()
            env = {**os.environ, "PYTHONPATH": str(ROOT), "CHAIR_INSTANCE_PATH": instance, "CHAIR_SECRET_KEY": "bench",
                   "CHAIR_ALLOW_PRIVATE_ADDRESSES": "1", **{f"CHAIR_{k}": v for k, v in overrides.items()}}
            procs = [subprocess.Popen([sys.executable, "-c", "from hub.cli import main; main()", "worker", "-c", "1",
                                       "-n", f"bench{i}@%h"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True) for i in range(2)]
            time.sleep(8)  # workers up
            hub = Hub.create(overrides={"ALLOW_PRIVATE_ADDRESSES": True, **overrides}, instance_path=instance)
            started = time.perf_counter()
            make_celery({"BROKER_URL": broker}).send_task("hub.tasks.harvest", args=(repo_id, False))
            last: dict[str, int] = {}
            finished: dict[str, float] = {}
            first: dict[str, float] = {}
            quiet_since = time.perf_counter()
            while time.perf_counter() - quiet_since < args.settle:
                time.sleep(2)
                now = _progress(hub)
                for stage, n in now.items():
                    if n != last.get(stage, 0):
                        finished[stage] = time.perf_counter() - started
                        first.setdefault(stage, finished[stage] - 2)  # progress since the previous poll
                        quiet_since = time.perf_counter()
                last = now
            print(f"[services] PostgreSQL + Redis, 2 workers x 1 process, Tika, S3 (search: SQLite); "
                  f"{last.get('records', 0):,} records:")
            for stage in ("records", "files", "extract", "works", "index", "people", "showcase"):
                if stage in finished:
                    n = last[stage]
                    busy = max(finished[stage] - first[stage], 1e-9)
                    print(f"[services]   {stage:8s} {n:7,} busy from {first[stage]:6.1f} s to {finished[stage]:6.1f} s "
                          f"after the start = {n / busy:8,.1f}/s while busy, {n / finished[stage]:8,.1f}/s overall")
            rates = {stage: last[stage] / max(finished[stage] - first[stage], 1e-9) for stage in finished}
            bound = min(rates, key=rates.get) if rates else "?"
            print(f"[services] slowest stage while busy (the bound): {bound}; whole pipeline "
                  f"{last.get('records', 0) / max(finished.values() or [1]):,.1f} records/s", flush=True)
            hub.close()
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        server.terminate()
        server.wait()
        cleanup_store(storage)


def _stored_pdfs(hub, n: int) -> list[str]:
    """``n`` distinct small PDFs put in the hub's store, with their StoredFile rows; their digests."""
    from bench.bench_fulltext import sample_pdf
    from hub.fulltext.states import ExtractState
    from hub.models import StoredFile

    shas = []
    with hub.db.session() as session:
        for i in range(n):
            sha, info = hub.store.put_stream([sample_pdf(i)], content_type="application/pdf")
            shas.append(sha)
            session.add(StoredFile(sha256=sha, size=info.size, mime_type="application/pdf",
                                   extract_state=ExtractState.PENDING, extract_attempts=0, extract_error_kind="",
                                   extract_error="", extractor="", text_chars=0, text_language="",
                                   text_quality=0.0, needs_ocr=False, ocr=False))
    return shas


def part_extract(args: argparse.Namespace) -> None:
    from sqlalchemy import update

    from hub.context import Hub
    from hub.fulltext.extract import extract_files
    from hub.fulltext.states import ExtractState
    from hub.models import StoredFile
    from storage.extract.embedded import close_pools

    tika = os.environ.get("CHAIR_TEST_TIKA_URL", "")
    with tempfile.TemporaryDirectory() as instance:
        hub = Hub.create(overrides={"BROKER_URL": "", "TIKA_URL": ""}, instance_path=instance)
        shas = _stored_pdfs(hub, args.extract_files)
        for name, setting, url in [("embedded", "EXTRACT_WORKERS", ""), ("tika", "TIKA_IN_FLIGHT", tika)]:
            if name == "tika" and not url:
                print("[extract] tika skipped: CHAIR_TEST_TIKA_URL not set")
                continue
            for in_flight in (1, 4):
                hub.configure(TIKA_URL=url, **{setting: in_flight})
                hub.__dict__.pop("extractor", None)  # built again on the new settings
                with hub.db.session() as session:
                    session.execute(update(StoredFile).values(extract_state=ExtractState.PENDING, extract_attempts=0))
                extract_files(hub, shas[:8])  # children started, connections open
                with hub.db.session() as session:
                    session.execute(update(StoredFile).values(extract_state=ExtractState.PENDING, extract_attempts=0))
                print(f"[extract] load {load()}", flush=True)
                started = time.perf_counter()
                states = {}
                for start in range(0, len(shas), 100):  # the extract stage's batches
                    states.update(extract_files(hub, shas[start:start + 100]))
                elapsed = time.perf_counter() - started
                ok = sum(1 for s in states.values() if s is ExtractState.EXTRACTED)
                print(f"[extract] {name}, {in_flight} in flight: {len(shas)} PDFs in {elapsed:.1f} s = "
                      f"{len(shas) / elapsed:,.1f} files/s ({ok} extracted)", flush=True)
                close_pools()
        hub.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--no-file-every", type=int, default=4, help="every k-th record has no full text")
    parser.add_argument("--parts", default="embedded,services,extract")
    parser.add_argument("--extract-files", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=30.0,
                        help="services: seconds without progress after which the pipeline counts as done")
    args = parser.parse_args()
    parts = {"embedded": part_embedded, "services": part_services, "extract": part_extract}
    for name in args.parts.split(","):
        parts[name](args)


if __name__ == "__main__":
    main()
