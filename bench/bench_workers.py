"""Harvest throughput with 1, 2 and 4 Celery worker processes on PostgreSQL + Redis (issue 3).

The sample server (its own process) holds N records split across four repositories. For each
worker count, a fresh PostgreSQL database is migrated, the four repositories registered, the
workers started (queue ``harvest`` only: the follow-up stages stay queued and are not timed),
four harvest tasks sent, and the time until all four runs succeeded measured.

    eval "$(scripts/services env)"      # PostgreSQL and Redis from scripts/services
    python bench/bench_workers.py --records 100000

Prints records/s per worker count and the speed-up over one worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hub.context import Hub  # noqa: E402
from hub.members import add_institution, add_repository  # noqa: E402
from hub.models import HarvestRun  # noqa: E402
from hub.states import RunState  # noqa: E402
from hub.tasks import make_celery  # noqa: E402

SERVER = """
import sys
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve
repos = demo_repositories(int(sys.argv[1]))[:4]
for r in repos:
    r.duplicates_of = None
server, thread, url = serve(repos, port=0)
print(" ".join(r.base_url(url) for r in repos), flush=True)
thread.join()
"""


def fresh_database(admin_url: str) -> str:
    name = f"chair_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(make_url(admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def run(workers: int, urls: list[str], pg: str, broker: str, instance: str) -> tuple[float, int]:
    db_url = fresh_database(pg)
    hub = Hub.create(overrides={"DATABASE_URL": db_url, "ALLOW_PRIVATE_ADDRESSES": True}, instance_path=instance)
    ids = []
    with hub.db.session() as session:
        add_institution(session, "bench", "Bench University")
        for url in urls:
            ids.append(add_repository(session, hub.pm, hub.settings, member="bench", platform="oai",
                                      base_url=url).id)
    redis.Redis.from_url(broker).flushdb()
    env = {**os.environ, "CHAIR_DATABASE_URL": db_url, "CHAIR_BROKER_URL": broker, "CHAIR_ALLOW_PRIVATE_ADDRESSES": "1",
           "CHAIR_INSTANCE_PATH": instance, "PYTHONPATH": str(ROOT), "CHAIR_SECRET_KEY": "bench"}
    procs = [subprocess.Popen([sys.executable, "-c", "from hub.cli import main; main()", "worker", "-c", "1",
                               "-Q", "harvest", "-n", f"bench{i}@%h"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True) for i in range(workers)]
    time.sleep(5)  # workers up
    producer = make_celery({"BROKER_URL": broker})
    started = time.perf_counter()
    for repo_id in ids:
        producer.send_task("hub.tasks.harvest", args=(repo_id, False))
    seen = 0
    while True:
        time.sleep(0.5)
        with hub.db.session() as session:
            runs = session.scalars(select(HarvestRun)).all()
            if len(runs) == len(ids) and all(r.state == RunState.SUCCEEDED for r in runs):
                seen = sum(r.seen for r in runs)
                break
            if any(r.state == RunState.FAILED for r in runs):
                raise SystemExit(f"a harvest failed: {[r.message for r in runs]}")
    elapsed = time.perf_counter() - started
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
    hub.db.dispose()
    return elapsed, seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in all four repositories")
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    pg, broker = os.environ["CHAIR_TEST_DATABASE_URL"], os.environ["CHAIR_TEST_BROKER_URL"].rsplit("/", 1)[0] + "/9"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(args.records // 4)], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        urls = server.stdout.readline().split()
        base = None
        for workers in (int(w) for w in args.workers.split(",")):
            with tempfile.TemporaryDirectory() as instance:
                elapsed, seen = run(workers, urls, pg, broker, instance)
            rate = seen / elapsed
            base = base or rate
            print(f"{workers} worker(s): {seen:,} records in {elapsed:.1f}s = {rate:,.0f} records/s, "
                  f"speed-up {rate / base:.2f}x", flush=True)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
