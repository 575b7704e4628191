"""Benchmark of the showcase: the incremental refresh at 1,000,000 records, and the pages reading its figures.

Usage: ``python bench/bench_showcase.py [--records N] [--database-url URL] [--chunks K] [--requests R]``

1. Seeds N synthetic records (default 1,000,000) in bulk over 40 members of very different sizes
   (one repository each): a year (a few unknown), one to three first-level disciplines leaning to each
   member's strengths, one to four subjects out of 3,000, open access and full text for a share,
   about 6 % second copies at another member grouped with their original into a work, and two or three
   creators linked to researchers of the member (a few of another member). Then ``rebuild_all``
   writes every fact and figure (the backfill, timed).
2. Times ``refresh()`` of chunks of 2,000 records at that size (the stage's chunk), each in its own
   committed transaction as the stage runs: a re-harvest of 2,000 records of a large member (a tenth of
   them edited, 2 % deleted, some regrouped into cross-member works), and a first harvest of 2,000 new
   records; K chunks of each (default 3).
3. The p95 of the showcase pages and their API through the Flask test client (R requests each after one
   warm-up, default 20): /disciplines, /disciplines/<code>, /researchers/<id>, /collaboration,
   /institutions/<slug> and more. A URL that answers 404 (its page not built yet) is skipped with a line.

SQLite in a temp folder by default; ``--database-url`` names a PostgreSQL server (a fresh database is made
beside it and dropped afterwards), e.g. ``eval "$(scripts/services env)"`` then
``--database-url "$CHAIR_TEST_DATABASE_URL"``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_provider import prepare_database  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hub.context import Hub  # noqa: E402
from hub.models import (  # noqa: E402
    Authorship,
    Institution,
    Record,
    Repository,
    Researcher,
    Work,
    WorkMember,
    utcnow,
)
from hub.models.showcase import DisciplineResearcher, DisciplineYear, RecordFacts  # noqa: E402
from hub.normalise.disciplines import DISCIPLINES  # noqa: E402
from hub.normalise.rights import OPEN_ACCESS  # noqa: E402
from hub.showcase.rebuild import rebuild_all, table_counts  # noqa: E402
from hub.showcase.refresh import refresh  # noqa: E402
from hub.states import FulltextState  # noqa: E402

MEMBERS = 40
CODES = sorted(DISCIPLINES)
SUBJECTS = [f"主题{i}" if i % 3 else f"topic {i}" for i in range(3000)]
DUPLICATES = 0.06
CHUNK = 2000
BATCH = 20_000


def member_weights(rng: random.Random) -> list[float]:
    """Members of very different sizes (a few large universities, many small institutes)."""
    return [1.0 / (rank + 1) ** 0.8 for rank in range(MEMBERS)]


def make_meta(rng: random.Random, strengths: list[str], n: int) -> dict:
    """One record's normalised metadata as the facts read it."""
    count = rng.choices((1, 2, 3), (70, 25, 5))[0]
    codes = list(dict.fromkeys(rng.choice(strengths) if rng.random() < 0.7 else rng.choice(CODES)
                               for _ in range(count)))
    subjects = [SUBJECTS[min(int(rng.paretovariate(1.2)) - 1, len(SUBJECTS) - 1)] for _ in range(rng.randint(1, 4))]
    meta = {"titles": [{"value": f"Synthetic paper {n}", "lang": "eng"}], "disciplines": codes,
            "subjects": [{"value": s} for s in subjects], "resource_type_label": "journal article"}
    if rng.random() > 0.03:
        meta["year"] = rng.randint(2005, 2024)
    if rng.random() < 0.4:
        meta["access_rights"] = OPEN_ACCESS
    return meta


class Seed:
    """The synthetic network written in bulk."""

    def __init__(self, hub: Hub, records: int, seed: int = 18) -> None:
        self.hub, self.n, self.rng = hub, records, random.Random(seed)
        self.members: list[int] = []
        self.repos: list[int] = []
        self.slugs: list[str] = []
        self.strengths: list[list[str]] = []
        self.people: list[list[int]] = []  # researcher ids per member

    def write(self) -> None:
        rng, now = self.rng, utcnow()
        with self.hub.db.session() as session:
            for i in range(MEMBERS):
                inst = Institution(slug=f"member{i:02d}", name_en=f"Member {i}", name_zh=f"成员{i}", region="北京")
                session.add(inst)
                session.flush()
                repo = Repository(institution_id=inst.id, name=f"Repository {i}", platform="oai",
                                  base_url=f"https://member{i:02d}.example.edu.cn/oai")
                session.add(repo)
                session.flush()
                self.members.append(inst.id)
                self.repos.append(repo.id)
                self.slugs.append(inst.slug)
                self.strengths.append(rng.sample(CODES, 6))
        weights = member_weights(rng)
        sizes = [max(50, int(self.n * w / sum(weights))) for w in weights]
        sizes[0] += self.n - sum(sizes)
        researchers_per_member = [max(20, s // 4) for s in sizes]
        with self.hub.db.session() as session:
            rows = [{"name": f"Researcher {m}-{k}", "institution_id": self.members[m],
                     "institutions": [self.members[m]], "disciplines": [], "created_at": now, "updated_at": now}
                    for m in range(MEMBERS) for k in range(researchers_per_member[m])]
            for start in range(0, len(rows), BATCH):
                session.execute(insert(Researcher), rows[start:start + BATCH])
            ids = list(session.scalars(select(Researcher.id).order_by(Researcher.id)))
        start = 0
        for m in range(MEMBERS):
            self.people.append(ids[start:start + researchers_per_member[m]])
            start += researchers_per_member[m]
        made = 0
        for m in range(MEMBERS):
            for first in range(0, sizes[m], BATCH):
                count = min(BATCH, sizes[m] - first)
                self.add_records(m, count, now, offset=made)
                made += count
            print(f"  seeded {made:,} records", end="\r", file=sys.stderr)
        print(file=sys.stderr)
        self.group_duplicates()

    def add_records(self, m: int, count: int, now, offset: int = 0) -> list[int]:
        """``count`` new records of member ``m`` with their authorships; returns their ids."""
        rng = self.rng
        rows = [{"repository_id": self.repos[m], "source_identifier": f"oai:member{m:02d}:{offset + k}:{rng.random()}",
                 "meta": make_meta(rng, self.strengths[m], offset + k), "hub_datestamp": now, "created_at": now,
                 "deleted": False, "fulltext_state": FulltextState.EXTRACTED if rng.random() < 0.2
                 else FulltextState.NONE} for k in range(count)]
        with self.hub.db.session() as session:
            before = session.scalar(select(func.max(Record.id))) or 0
            session.execute(insert(Record), rows)
            ids = list(session.scalars(select(Record.id).where(Record.id > before).order_by(Record.id)))
            authors = []
            for record_id in ids:
                for position in range(rng.choice((2, 2, 3))):
                    home = m if rng.random() > 0.03 else rng.randrange(MEMBERS)
                    authors.append({"record_id": record_id, "position": position,
                                    "researcher_id": rng.choice(self.people[home]), "repository_id": self.repos[m],
                                    "institution_id": self.members[m], "name": "Wang, Wei", "key": "wang w",
                                    "orcid": "", "features": {}, "evidence": [], "score": 0.9, "linked_at": now})
            session.execute(insert(Authorship), authors)
        return ids

    def group_duplicates(self) -> None:
        """About 6 % of records become a work with a record of another member (copies of one work)."""
        rng, now = self.rng, utcnow()
        with self.hub.db.session() as session:
            pairs: list[tuple[int, int]] = [(a, b) for a, b in session.execute(select(Record.id, Record.repository_id))]
            rng.shuffle(pairs)
            wanted = int(len(pairs) * DUPLICATES / 2)
            couples: list[tuple[tuple[int, int], tuple[int, int]]] = []
            used = 0
            for a, b in zip(pairs[0::2], pairs[1::2], strict=False):
                if len(couples) >= wanted:
                    break
                if a[1] != b[1]:
                    couples.append((a, b))
                used += 1
            for start in range(0, len(couples), BATCH):
                part = couples[start:start + BATCH]
                before = session.scalar(select(func.max(Work.id))) or 0
                session.execute(insert(Work), [{"size": 2, "title": "", "doi": "", "created_at": now,
                                                "updated_at": now} for _ in part])
                work_ids = list(session.scalars(select(Work.id).where(Work.id > before).order_by(Work.id)))
                session.execute(insert(WorkMember), [
                    {"record_id": r[0], "work_id": w, "repository_id": r[1], "features": {}, "evidence": [],
                     "score": 1.0, "grouped_at": now} for (a, b), w in zip(part, work_ids, strict=True) for r in (a, b)])


def timed_refresh(hub: Hub, ids: list[int]) -> tuple[float, str]:
    """Refresh ``ids`` in one committed transaction (as the stage does); seconds and the result line."""
    started = time.perf_counter()
    with hub.db.session() as session:
        result = refresh(session, ids)
    return time.perf_counter() - started, result.line()


def reharvest(seed: Seed, member: int, number: int) -> list[int]:
    """Change 2,000 existing records of a member as a re-harvest would; returns the chunk's ids."""
    rng = seed.rng
    with seed.hub.db.session() as session:
        ids = list(session.scalars(select(Record.id).where(Record.repository_id == seed.repos[member],
                                                           Record.deleted.is_(False))
                                   .order_by(Record.id).offset(number * CHUNK * 3).limit(CHUNK)))
        for record_id in rng.sample(ids, CHUNK // 10):
            session.execute(update(Record).where(Record.id == record_id).values(
                meta=make_meta(rng, seed.strengths[member], record_id)))
        for record_id in rng.sample(ids, CHUNK // 50):
            session.execute(update(Record).where(Record.id == record_id).values(deleted=True))
        others = list(session.scalars(select(Record.id).where(Record.repository_id == seed.repos[-1]).limit(40)))
        for a, b in zip(rng.sample(ids, 20), rng.sample(others, 20), strict=True):
            work = Work(size=2, title="", doi="")
            session.add(work)
            session.flush()
            for record_id, repo in ((a, seed.repos[member]), (b, seed.repos[-1])):
                row = session.get(WorkMember, record_id)
                if row is None:
                    session.add(WorkMember(record_id=record_id, work_id=work.id, repository_id=repo, features={},
                                           evidence=[], score=1.0))
                else:
                    row.work_id = work.id
            ids.append(b)
    return ids


def bench_refresh(seed: Seed, chunks: int) -> None:
    re_times, new_times = [], []
    for number in range(chunks):
        ids = reharvest(seed, 0, number)
        seconds, line = timed_refresh(seed.hub, ids)
        re_times.append(seconds)
        print(f"  re-harvest chunk {number + 1}: {seconds:.2f} s ({line})")
    for number in range(chunks):
        ids = seed.add_records(1 + number, CHUNK, utcnow(), offset=10_000_000 + number * CHUNK)
        seconds, line = timed_refresh(seed.hub, ids)
        new_times.append(seconds)
        print(f"  new-records chunk {number + 1}: {seconds:.2f} s ({line})")
    print(f"refresh of a {CHUNK:,}-record chunk at this size: re-harvest median {statistics.median(re_times):.2f} s "
          f"(max {max(re_times):.2f} s), new records median {statistics.median(new_times):.2f} s "
          f"(max {max(new_times):.2f} s)")


def bench_pages(hub: Hub, seed: Seed, requests: int) -> None:
    from hub.app import create_app

    app = create_app(hub=hub)
    client = app.test_client()
    with hub.db.session() as session:
        code = session.scalar(select(DisciplineYear.discipline).where(DisciplineYear.institution_id == 0)
                              .group_by(DisciplineYear.discipline).order_by(func.sum(DisciplineYear.records).desc())
                              .limit(1))
        researcher = session.scalar(select(DisciplineResearcher.researcher_id)
                                    .order_by(DisciplineResearcher.records.desc()).limit(1))
    slug = seed.slugs[0]
    urls = ["/disciplines", f"/disciplines/{code}", f"/disciplines/{code}.csv", f"/disciplines/{code}/report",
            f"/researchers/{researcher}", f"/researchers?institution={slug}", "/collaboration",
            f"/collaboration?institution={slug}", f"/institutions/{slug}", "/api/v1/disciplines",
            f"/api/v1/disciplines/{code}", "/api/v1/collaboration", f"/api/v1/researchers/{researcher}",
            "/disciplines?lang=en", f"/institutions/{slug}?lang=en"]
    worst = 0.0
    for url in urls:
        first = client.get(url)
        if first.status_code == 404:
            print(f"  {url}: skipped (404: the page is not built yet)")
            continue
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        worst = max(worst, p95)
        print(f"  {url}: {response.status_code}, median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
              f"max {times[-1]:.0f} ms")
    print(f"pages: worst p95 {worst:.0f} ms (goal < 300 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temp folder)")
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    url, made = prepare_database(options.database_url)
    drop = cast(Callable[[], None], made)
    backend = make_url(url).get_backend_name()
    try:
        hub = Hub.create(overrides={"DATABASE_URL": url, "SECRET_KEY": "bench", "BROKER_URL": ""},
                         instance_path=Path(tempfile.mkdtemp(prefix="chair-bench-showcase-")))
        hub.db.upgrade()
        started = time.perf_counter()
        seed = Seed(hub, options.records)
        seed.write()
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        with hub.db.session() as session:
            result = rebuild_all(session)
        print(f"[{backend}] {options.records:,} records seeded in {seeded:.0f} s; rebuild_all (backfill) "
              f"{time.perf_counter() - started:.0f} s: {result.line()}")
        with hub.db.session() as session:
            print("  tables: " + ", ".join(f"{k} {v:,}" for k, v in table_counts(session).items()))
            assert session.scalar(select(func.count()).select_from(RecordFacts))
        bench_refresh(seed, options.chunks)
        bench_pages(hub, seed, options.requests)
        hub.db.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
