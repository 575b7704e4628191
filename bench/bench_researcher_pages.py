"""Benchmark of the researcher pages and API at scale: the p95 of each through the Flask test client.

Usage: ``python bench/bench_researcher_pages.py [--records N] [--requests R] [--db PATH]``

Seeds N records (default 1,000,000) at 40 members of very different sizes in bulk, each with two or
three creators linked to researchers of its member (about N / 3 researchers, names drawn from common
Han names so that 王伟 has many namesakes; each with its Han and pinyin forms folded in
``search_names``, counters and disciplines as the people stage keeps them) and evidence on every
authorship; one researcher is prolific (1,500 records). Then times R requests of each (after one
warm-up, default 20): the network list, a member's list, name searches in Han and in pinyin (over the
whole network and at one member), the prolific and a typical profile, the API list and profile, and
a record page (its creators' links). Record facts are seeded as the showcase stage writes them (the
profile reads titles and years there). Goal: p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, bindparam, func, insert, select, update  # noqa: E402

from hub.context import Hub  # noqa: E402
from hub.models import Authorship, Institution, Record, Repository, Researcher, utcnow  # noqa: E402
from hub.models.showcase import RecordFacts  # noqa: E402
from hub.people.names import name_form  # noqa: E402
from hub.states import FulltextState  # noqa: E402

MEMBERS = 40
BATCH = 20_000
SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("强", "qiang"), ("磊", "lei"),
         ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
         ("建国", "jianguo"), ("晓明", "xiaoming"), ("志强", "zhiqiang"), ("海燕", "haiyan"), ("丽娟", "lijuan")]
CODES = ["0812", "0835", "0701", "0702", "0703", "0710", "0802", "0805", "1001", "1201", "0202", "0301"]


def _name(rng: random.Random) -> tuple[str, str]:
    (sh, sl), (gh, gl) = rng.choice(SURNAMES), rng.choice(GIVEN)
    return sh + gh, f"{sl.capitalize()}, {gl.capitalize()}"


def seed(hub: Hub, n: int, rng: random.Random) -> dict[str, object]:
    """Members, researchers, records and authorships in bulk; returns ids the requests use."""
    now = utcnow()
    members, repos, slugs = [], [], []
    with hub.db.session() as session:
        for m in range(MEMBERS):
            inst = Institution(slug=f"member{m:02d}", name_en=f"University {m}", name_zh=f"第{m}大学", region="北京")
            session.add(inst)
            session.flush()
            repo = Repository(institution_id=inst.id, name=f"Repository {m}", platform="oai",
                              base_url=f"https://member{m}.example.edu/oai")
            session.add(repo)
            session.flush()
            members.append(inst.id)
            repos.append(repo.id)
            slugs.append(inst.slug)
    weights = [1 / (k + 1) for k in range(MEMBERS)]
    sizes = [max(50, int(n * w / sum(weights))) for w in weights]
    sizes[0] += n - sum(sizes)
    people: list[list[tuple[int, str, str]]] = []
    with hub.db.session() as session:
        for m in range(MEMBERS):
            rows: list[dict[str, Any]] = []
            for _k in range(max(20, sizes[m] // 3)):
                han, latin = _name(rng)
                folded = latin.lower()
                rows.append({"name": han, "name_zh": han, "name_latin": latin,
                             "search_names": f"{han}|{folded}|{folded.replace(',', '')}|{folded.split(',')[0]} "
                                             f"{folded.split(', ')[1][0]}",
                             "orcid": "", "institution_id": members[m], "institutions": [members[m]],
                             "disciplines": rng.sample(CODES, 2), "records": 0, "works": 0,
                             "created_at": now, "updated_at": now})
            before = session.scalar(select(func.max(Researcher.id))) or 0
            for start in range(0, len(rows), BATCH):
                session.execute(insert(Researcher), rows[start:start + BATCH])
            ids = list(session.scalars(select(Researcher.id).where(Researcher.id > before).order_by(Researcher.id)))
            people.append([(i, r["name"], r["name_latin"]) for i, r in zip(ids, rows, strict=True)])
    prolific = people[0][0]
    counts: dict[int, int] = {}
    made = 0
    for m in range(MEMBERS):
        for first in range(0, sizes[m], BATCH):
            count = min(BATCH, sizes[m] - first)
            records: list[dict[str, Any]] = [{"repository_id": repos[m], "source_identifier": f"oai:m{m}:{made + k}",
                        "meta": {"titles": [{"value": f"论文 {made + k}", "lang": "zho"}],
                                 "year": rng.randint(2000, 2024), "creators": []},
                        "hub_datestamp": now, "created_at": now, "deleted": False,
                        "fulltext_state": FulltextState.NONE} for k in range(count)]
            with hub.db.session() as session:
                before = session.scalar(select(func.max(Record.id))) or 0
                session.execute(insert(Record), records)
                rids = list(session.scalars(select(Record.id).where(Record.id > before).order_by(Record.id)))
                authors = []
                for k, rid in enumerate(rids):
                    chosen = [rng.choice(people[m]) for _ in range(rng.choice((2, 2, 3)))]
                    if m == 0 and made + k < 1500:
                        chosen[0] = prolific
                    chosen = list(dict.fromkeys(chosen))
                    for position, (res, han, latin) in enumerate(chosen):
                        counts[res] = counts.get(res, 0) + 1
                        partner = rids[k - 1] if k else rid
                        authors.append({
                            "record_id": rid, "position": position, "researcher_id": res,
                            "repository_id": repos[m], "institution_id": members[m],
                            "name": han if rng.random() < 0.6 else latin, "key": name_form(latin).key, "orcid": "",
                            "features": {}, "score": 0.8, "linked_at": now,
                            "evidence": [{"with": f"{partner}:{han}", "evidence": ["name", "member", "coauthors:1"],
                                          "score": 0.8}]})
                session.execute(insert(Authorship), authors)
                session.execute(insert(RecordFacts), [  # what the showcase stage writes for each record
                    {"record_id": rid, "institution_id": members[m], "year": rec["meta"]["year"],
                     "disciplines": [], "breadth": 0, "subjects": [], "open_access": False, "fulltext": False,
                     "work_id": None, "researchers": [], "extra": {"title": rec["meta"]["titles"][0]["value"]}}
                    for rid, rec in zip(rids, records, strict=True)])
            made += count
            if made % 100_000 < BATCH:
                print(f"  seeded {made:,} records", file=sys.stderr)
    table = cast(Table, Researcher.__table__)
    with hub.db.session() as session:  # the counters the people stage keeps
        counters = [{"rid": res, "n": c} for res, c in counts.items()]
        for start in range(0, len(counters), BATCH):
            session.execute(update(table).where(table.c.id == bindparam("rid"))
                            .values(records=bindparam("n"), works=bindparam("n"), first_year=2000, last_year=2024),
                            counters[start:start + BATCH])
        record = session.scalar(select(Record.id).order_by(Record.id.desc()).limit(1))
        typical = people[5][3][0]
    return {"slug": slugs[3], "prolific": prolific[0], "typical": typical, "record": record}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--db", default="", help="SQLite file (default: a temp folder)")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chair-bench-researchers-"))
    db = options.db or str(folder / "chair.db")
    hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench", "BROKER_URL": "",
                                "SEARCH_URL": f"sqlite:///{folder / 'search.db'}",
                                "STORAGE_URL": f"file://{folder / 'objects'}"}, instance_path=folder)
    hub.db.upgrade()
    started = time.perf_counter()
    ids = seed(hub, options.records, random.Random(18))
    with hub.db.session() as session:
        researchers = session.scalar(select(func.count()).select_from(Researcher))
        authorships = session.scalar(select(func.count()).select_from(Authorship))
    print(f"[sqlite] {options.records:,} records, {researchers:,} researchers, {authorships:,} authorships seeded "
          f"in {time.perf_counter() - started:.0f} s")
    from hub.app import create_app

    client = create_app(hub=hub).test_client()
    slug = ids["slug"]
    urls = ["/researchers", f"/researchers?institution={slug}", "/researchers?q=王伟", "/researchers?q=wang+wei",
            f"/researchers?q=王伟&institution={slug}", "/researchers?q=王伟&page=20", f"/researchers/{ids['prolific']}",
            f"/researchers/{ids['typical']}", "/api/v1/researchers?q=wang+wei", f"/api/v1/researchers/{ids['prolific']}",
            f"/api/v1/researchers/{ids['typical']}", f"/records/{ids['record']}", f"/researchers/{ids['typical']}?lang=en"]
    worst = 0.0
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code)
        times = []
        for _ in range(options.requests):
            began = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        worst = max(worst, p95)
        print(f"  {url}: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms")
    print(f"researcher pages: worst p95 {worst:.0f} ms (goal < 300 ms)")


if __name__ == "__main__":
    main()
