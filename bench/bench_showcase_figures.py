"""Benchmark of the discipline, collaboration and institution pages over aggregate tables the size of
1,000,000 records: the p95 of each page and API answer through the Flask test client.

Usage: ``python bench/bench_showcase_figures.py [--records N] [--members M] [--requests R]``

The pages read only the aggregate tables (hub.showcase.figures), so their cost follows those tables'
sizes, not the records'. This writes them directly, in bulk, as the showcase stage would leave them
for N records (default 1,000,000) over M members (default 40): a ``record_facts`` row per record (one
to three disciplines, a breadth, a title; foreign keys off for the bench, no record rows), every
(discipline, member, year) row of 1990-2025 with records, researchers with their records per
discipline, subjects per discipline, every member pair and discipline pairs per member. Then R
requests of each URL after one warm-up (default 20). Goal: p95 < 300 ms. SQLite in a temp folder.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from hub.context import Hub  # noqa: E402
from hub.models import Institution, Repository, Researcher  # noqa: E402
from hub.models.showcase import (  # noqa: E402
    NETWORK,
    Collaboration,
    DisciplinePair,
    DisciplineResearcher,
    DisciplineSubject,
    DisciplineYear,
    RecordFacts,
)
from hub.normalise.disciplines import DISCIPLINES  # noqa: E402

YEARS = range(1990, 2026)


def seed(hub: Hub, n: int, members: int, rng: random.Random) -> dict[str, str]:
    """Write the aggregate tables of ``n`` records over ``members`` members; returns URLs' parts."""
    codes = list(DISCIPLINES)
    with hub.db.session() as session:
        session.execute(text("PRAGMA foreign_keys=OFF")) if hub.db.engine.dialect.name == "sqlite" else None
        ids = []
        for i in range(members):
            inst = Institution(slug=f"m{i}", name_en=f"Member {i}", name_zh=f"成员{i}")
            session.add(inst)
            session.flush()
            session.add(Repository(institution_id=inst.id, name="r", platform="oai", base_url=f"https://m{i}.example/oai"))
            ids.append(inst.id)
        weights = [1 / (i + 1) for i in range(members)]  # members of very different sizes
        strengths = {m: rng.sample(codes, 12) for m in ids}
        years: Counter[tuple[str, int, int]] = Counter()
        oa: Counter[tuple[str, int, int]] = Counter()
        pairs: Counter[tuple[int, str, str]] = Counter()
        facts = []
        for record in range(1, n + 1):
            member = rng.choices(ids, weights)[0]
            year = rng.choice(YEARS) if rng.random() > 0.03 else 0
            picked = sorted(set(rng.choice(strengths[member]) if rng.random() < 0.8 else rng.choice(codes)
                                for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))))
            is_oa = rng.random() < 0.4
            for code in picked:
                for inst in (member, NETWORK):
                    years[(code, inst, year)] += 1
                    oa[(code, inst, year)] += is_oa
            for a, b in combinations(picked, 2):
                pairs[(member, a, b)] += 1
                pairs[(NETWORK, a, b)] += 1
            facts.append({"record_id": record, "institution_id": member, "year": year, "disciplines": picked,
                          "breadth": len(picked), "subjects": [], "open_access": is_oa, "fulltext": False,
                          "work_id": None, "researchers": [], "extra": {"title": f"Record {record}"}})
            if len(facts) == 50_000:
                session.execute(insert(RecordFacts), facts)
                facts = []
        if facts:
            session.execute(insert(RecordFacts), facts)
        session.execute(insert(DisciplineYear), [
            {"discipline": c, "institution_id": i, "year": y, "records": k, "open_access": oa[(c, i, y)],
             "fulltext": k // 5} for (c, i, y), k in years.items()])
        session.execute(insert(DisciplinePair), [
            {"institution_id": i, "discipline_a": a, "discipline_b": b, "works": k} for (i, a, b), k in pairs.items()])
        session.execute(insert(Collaboration), [
            {"institution_a": a, "institution_b": b, "works": rng.randint(0, 500), "researchers": rng.randint(0, 50)}
            for a, b in combinations(ids, 2)])
        people = n // 8
        session.execute(insert(Researcher), [
            {"name": f"Person {p}", "name_latin": f"Person {p}", "institution_id": rng.choices(ids, weights)[0],
             "institutions": [], "disciplines": [], "records": rng.randint(1, 200), "works": 1}
            for p in range(1, people + 1)])
        session.execute(insert(DisciplineResearcher), [
            {"discipline": c, "researcher_id": p, "institution_id": 0, "records": rng.randint(1, 100)}
            for p in range(1, people + 1) for c in rng.sample(codes, 2)])
        session.execute(insert(DisciplineSubject), [
            {"discipline": c, "subject": f"subject {s}", "records": rng.randint(1, 2000)}
            for c in codes for s in rng.sample(range(3000), 300)])
        session.execute(text("ANALYZE")) if hub.db.engine.dialect.name == "sqlite" else None
    top = max((k, c) for (c, i, _y), k in years.items() if i == NETWORK)[1]
    return {"code": top, "slug": "m0"}


def main() -> None:
    """Seed, then time each URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    from hub.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "instance").mkdir()
        hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{folder / 'chair.db'}",
                                    "STORAGE_URL": f"file://{folder / 'objects'}",
                                    "SEARCH_URL": f"sqlite:///{folder / 'search.db'}", "SECRET_KEY": "bench",
                                    "BROKER_URL": "", "TIKA_URL": ""}, instance_path=folder / "instance")
        started = time.perf_counter()
        parts = seed(hub, args.records, args.members, random.Random(18))
        print(f"seeded the aggregates of {args.records:,} records in {time.perf_counter() - started:.0f} s")
        client = create_app(hub=hub).test_client()
        code, slug = parts["code"], parts["slug"]
        urls = ["/disciplines", f"/disciplines/{code}", f"/disciplines/{code}.csv", f"/disciplines/{code}/report",
                "/collaboration", f"/collaboration?institution={slug}", f"/institutions/{slug}",
                "/api/v1/disciplines", f"/api/v1/disciplines/{code}", "/api/v1/collaboration",
                f"/api/v1/collaboration?institution={slug}", "/disciplines?lang=en"]
        worst = 0.0
        for url in urls:
            assert client.get(url).status_code == 200, url
            times = []
            for _ in range(args.requests):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            worst = max(worst, p95)
            print(f"  {url}: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms")
        print(f"showcase figures pages: worst p95 {worst:.0f} ms (goal < 300 ms)")
        hub.db.dispose()


if __name__ == "__main__":
    main()
