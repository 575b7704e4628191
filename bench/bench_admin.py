"""Figures of the admin area (printed, never asserted in tests):

- the network dashboard's server time with 100 repositories and 10,000 runs in the history;
- what usage counting adds to a record page view (count_usage on a request, buffered).

Run: python bench/bench_admin.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from hub.accounts.users import create_user
from hub.context import Hub
from hub.models import HarvestRun, Institution, Record, Repository, Role, utcnow
from hub.states import RunKind, RunState

PASSWORD = "benchmark passphrase"


def populate(hub: Hub, repositories: int = 100, runs: int = 10_000, records_per_repo: int = 50) -> None:
    now = utcnow()
    with hub.db.session() as session:
        for i in range(10):
            session.add(Institution(slug=f"member-{i}", name_en=f"Member {i}", name_zh=f"成员{i}"))
        session.flush()
        session.execute(insert(Repository), [
            {"institution_id": 1 + i % 10, "name": f"Repository {i}", "platform": "oai",
             "base_url": f"https://repo{i}.example.edu.cn/oai", "schedule": "1d" if i % 2 else "0 3 * * *",
             "sets_include": [], "sets_exclude": [], "options": {}, "check_report": {}}
            for i in range(repositories)])
        states = [RunState.SUCCEEDED, RunState.SUCCEEDED, RunState.PARTIAL, RunState.FAILED]
        session.execute(insert(HarvestRun), [
            {"repository_id": 1 + i % repositories, "kind": RunKind.INCREMENTAL, "state": states[i % 4],
             "seen": 100, "new": 3, "checkpoint": {}, "created_at": now - timedelta(hours=i // 10),
             "started_at": now - timedelta(hours=i // 10), "finished_at": now - timedelta(hours=i // 10)}
            for i in range(runs)])
        session.execute(insert(Record), [
            {"repository_id": 1 + i % repositories, "source_identifier": f"oai:x:{i}", "meta": {}, "sets": [],
             "fulltext_links": []} for i in range(repositories * records_per_repo)])
        create_user(session, "bench", PASSWORD, Role.HUB_ADMIN)
    from hub.health.snapshots import take_snapshots

    with hub.db.session() as session:
        for day in range(30):
            take_snapshots(session, now - timedelta(days=day))


def bench_dashboard(app) -> list[float]:
    client = app.test_client()
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/sign-in").get_data(as_text=True))
    client.post("/admin/sign-in", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    times = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get("/admin/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def bench_usage(app) -> list[float]:
    """Microseconds count_usage adds to each of 5,000 record page views (batched flushes included)."""
    from flask import request

    from hub.web.usage_hooks import count_usage

    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
    added = []
    for i in range(5000):
        with app.test_request_context(f"/records/{1 + i % 500}", headers={"User-Agent": agent},
                                      environ_base={"REMOTE_ADDR": f"10.0.{i % 250}.{i % 200}"}):
            started = time.perf_counter()
            count_usage("view", 1 + i % 500, request)
            added.append((time.perf_counter() - started) * 1e6)
    return added


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{instance / 'bench.db'}", "SECRET_KEY": "bench"},
                         instance_path=instance)
        populate(hub)
        from hub.app import create_app

        app = create_app(hub=hub)
        times = bench_dashboard(app)
        warm = sorted(times[1:])
        print(f"dashboard, 100 repositories, 10,000 runs: first {times[0]:.1f} ms, then median "
              f"{statistics.median(warm):.1f} ms, p95 {warm[int(len(warm) * 0.95) - 1]:.1f} ms (target < 300 ms)")
        added = sorted(bench_usage(app))
        print(f"usage counting per record view: median {statistics.median(added):.1f} µs, "
              f"p99 {added[int(len(added) * 0.99)]:.1f} µs, max {added[-1] / 1000:.2f} ms (one view; GIL shared with the flusher thread), "
              f"mean {statistics.mean(added):.1f} µs (target < 2 ms)")
        from hub.web.usage_hooks import usage_counter

        started = time.perf_counter()
        written = usage_counter(app).flush()
        print(f"flush of the remaining buffered events: {written} rows in {(time.perf_counter() - started) * 1000:.1f} ms")
        hub.db.dispose()


if __name__ == "__main__":
    main()
