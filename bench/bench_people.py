"""Benchmark of researcher linking: quality on a crafted truth set, then run time at scale.

Usage: ``python bench/bench_people.py [--crafted-people N] [--records N] [--changed K] [--db PATH]``

Both parts synthesise *people* first (a Han name drawn from realistic surname and given-name
frequencies, so namesakes are common; a member, a discipline, a pool of subjects, a circle of
co-authors, an ORCID iD for some), then records written by them, each creator written in one of the
forms sources use (王伟, ``Wang, Wei``, ``Wei Wang``, ``Wang, W.``, the iD carried or not), into SQLite
in bulk. Linking runs exactly as the people stage does: :func:`hub.people.linking.relink` over chunks
of 2000 records, each committed.

1. Crafted set (``--crafted-people``, default 600 people, a few thousand authorships): besides the
   random people it plants the hard cases: the same ORCID iD across formats and members; pinyin and
   initials variants; pairs of namesakes (the same Han name) at one member in different disciplines
   with different circles; people who moved to a second member (keeping their circle); organisations
   among the creators. Prints the precision and recall of the pairwise same-person decisions.
2. Scale (``--records``, default 100,000): records of about ``records / 3`` people at 100 members;
   prints the time of the whole linking (:func:`hub.people.linking.link_all`, the backfill) and of
   re-linking K changed records at that size (:func:`~hub.people.linking.relink`, as after a harvest), the largest comparison block, and precision/recall against the planted truth
   (pairs counted from the person x researcher table, never enumerated).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from hub.db import Database  # noqa: E402
from hub.models import Authorship, AuthorshipKey, Institution, Record, Repository, utcnow  # noqa: E402
from hub.people.linking import link_all, relink  # noqa: E402
from hub.people.names import han_form  # noqa: E402

# Surnames by share of the population (the top ones of the 2020 census, in percent), then a tail.
SURNAMES = [("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.5), ("赵", 2.3),
            ("吴", 2.0), ("周", 1.9), ("徐", 1.7), ("孙", 1.5), ("马", 1.5), ("朱", 1.4), ("胡", 1.3), ("郭", 1.2),
            ("何", 1.2), ("林", 1.1), ("高", 1.1), ("罗", 1.0), ("郑", 1.0), ("梁", 0.9), ("谢", 0.8), ("宋", 0.7),
            ("唐", 0.7), ("许", 0.7), ("韩", 0.7), ("冯", 0.7), ("邓", 0.7), ("曹", 0.6), ("彭", 0.6), ("曾", 0.6),
            ("肖", 0.6), ("田", 0.6), ("董", 0.5), ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5),
            ("余", 0.5), ("杜", 0.5), ("叶", 0.4), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4),
            ("任", 0.4), ("沈", 0.4), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
            ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3), ("夏", 0.2),
            ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2), ("熊", 0.2), ("秦", 0.2),
            ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2),
            ("欧阳", 0.05), ("司马", 0.02), ("上官", 0.01), ("诸葛", 0.01)]
GIVEN = ("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 萍 红 鹏 辉 玲 建 国 文 斌 宇 浩 凯 "
         "健 俊 帆 帅 旭 宁 龙 林 欣 晶 晨 雪 琳 颖 倩 婷 思 雨 佳 嘉 博 志 海 东 波 飞 峰 亮 成 新 永 春 梅 兰 燕 "
         "慧 丹 莉 云 鑫 阳 蕾 荣 毅 昊 然 泽 睿 哲 航 彬 晓 宏 立 杨 雷 青 琪 悦 瑶 璐 露 薇").split()
DISCIPLINES = ("0812 0835 0810 0809 0701 0702 0703 0710 0714 0802 0805 0807 0811 0814 0817 0830 0832 1001 1002 1201 "
               "1202 0201 0202 0301 0302 0501 0502 0602 0401 0402").split()
TOPICS = ("deep learning|graph neural network|rice disease|remote sensing|traffic flow|water quality|lithium battery|"
          "knowledge graph|wetland|soil carbon|monetary policy|ancient books|character recognition|reinforcement "
          "learning|robot control|protein folding|climate model|rainfall|drought|crop yield|spectral imaging|catalyst|"
          "polymer membrane|fatigue|bridge|concrete|corrosion|enzyme|Tang poetry|Song ci|labour economics|"
          "international trade|criminal law|public health|epidemiology|cancer|stem cell|semiconductor|optics|"
          "quantum dots|big data|blockchain|edge computing|image segmentation|speech recognition|education policy|"
          "rural development|urban planning|hydrology|seismology|materials fatigue").split("|")


GENERAL = TOPICS[:12]  # keywords any discipline uses
KEYWORDS = {code: [f"{code}-{word}" for word in TOPICS] for code in DISCIPLINES}  # 50 of its own each


@dataclass
class Person:
    """A planted person: the truth behind some authorships."""

    pid: int
    han: str
    family: str  # the Han family name
    members: list[int]
    discipline: str
    subjects: list[str]
    orcid: str = ""
    circle: list[int] = field(default_factory=list)


class Population:
    """People with realistic names, their circles and the records they write."""

    def __init__(self, rng: random.Random, members: list[int]) -> None:
        self.rng = rng
        self.members = members
        self.people: list[Person] = []
        self.surnames = [s for s, _ in SURNAMES]
        self.weights = [w for _, w in SURNAMES]
        self.given_weights = [1.0 / (rank + 3) for rank in range(len(GIVEN))]

    def name(self) -> tuple[str, str]:
        """A Han name (family, full): one or two given characters, frequent ones more often."""
        family = self.rng.choices(self.surnames, self.weights)[0]
        count = 1 if self.rng.random() < 0.35 else 2
        given = "".join(self.rng.choices(GIVEN, self.given_weights, k=count))
        return family, family + given

    def add(self, member: int, discipline: str | None = None, han: tuple[str, str] | None = None,
            orcid_share: float = 0.25) -> Person:
        """A new person at ``member``."""
        family, full = han or self.name()
        pid = len(self.people)
        code = discipline or self.rng.choice(DISCIPLINES)
        topics = self.rng.sample(KEYWORDS[code], 4) + self.rng.sample(GENERAL, 1)
        orcid = ""
        if self.rng.random() < orcid_share:
            orcid = f"0000-000{pid % 10}-{pid // 10000 % 10000:04d}-{pid % 10000:04d}"
        person = Person(pid, full, family, [member], code, topics, orcid)
        self.people.append(person)
        return person

    def labs(self, member: int, discipline: str | None = None, size: tuple[int, int] = (3, 9),
             orcid_share: float = 0.25) -> list[Person]:
        """A research group: people of one member and discipline who write together."""
        code = discipline or self.rng.choice(DISCIPLINES)
        return [self.add(member, code, orcid_share=orcid_share) for _ in range(self.rng.randint(*size))]

    def circles(self, groups: list[list[Person]], outsiders: float = 0.2) -> None:
        """Everyone's co-authors: their group, sometimes someone of another group."""
        everyone = len(self.people)
        for group in groups:
            for p in group:
                p.circle = [q.pid for q in group if q.pid != p.pid]
                while self.rng.random() < outsiders:
                    q = self.rng.randrange(everyone)
                    if q != p.pid:
                        p.circle.append(q)

    def written(self, person: Person, chinese: bool) -> dict:
        """One creator entry for ``person``, in a form sources use (Han in a Chinese record)."""
        roll = 0.0 if chinese else 0.55 + self.rng.random() * 0.45
        form = han_form(person.han, person.family)
        reading = form.primary
        assert reading is not None
        family = reading.family.capitalize()
        given = reading.given.capitalize()
        if roll < 0.55:
            name = person.han
        elif roll < 0.80:
            name = f"{family}, {given}"
        elif roll < 0.93:
            name = f"{given} {family}"
        else:
            name = f"{family}, {given[0]}."
        creator = {"name": name}
        if person.orcid and self.rng.random() < 0.5:
            creator["orcid"] = person.orcid
        return creator

    def record(self, lead: Person, member: int, extra_orgs: bool = False) -> tuple[dict, list[int | None]]:
        """A record by ``lead`` at ``member`` with some of its circle; (meta, person per creator)."""
        rng = self.rng
        count = rng.choice((0, 1, 1, 2, 2, 3, 4))
        team = [lead.pid] + rng.sample(lead.circle, min(count, len(lead.circle)))
        rng.shuffle(team)
        chinese = rng.random() < 0.5
        creators: list[dict] = [self.written(self.people[p], chinese) for p in team]
        truth: list[int | None] = list(team)
        if extra_orgs and rng.random() < 0.1:
            creators.append({"name": "国家重点实验室", "organisation": True})
            truth.append(None)
        subjects = rng.sample(lead.subjects, rng.randint(1, 3))
        if rng.random() < 0.3:
            subjects.append(rng.choice(GENERAL))
        disciplines = [lead.discipline] if rng.random() < 0.85 else []
        meta = {"titles": [{"value": f"{subjects[0]} study {rng.randrange(10**9)}", "lang": "eng"}],
                "creators": creators, "subjects": [{"value": s, "lang": "eng"} for s in subjects],
                "disciplines": disciplines, "year": rng.randint(2005, 2025)}
        return meta, truth


def make_members(db: Database, count: int) -> list[int]:
    """``count`` members with one repository each; returns the repository ids."""
    repos = []
    with db.session() as session:
        for k in range(count):
            inst = Institution(slug=f"bench{k}", name_en=f"Bench {k}", name_zh=f"测试{k}")
            session.add(inst)
            session.flush()
            repo = Repository(institution_id=inst.id, platform="oai",
                              base_url=f"https://bench{k}.example.edu.cn/oai")
            session.add(repo)
            session.flush()
            repos.append(repo.id)
    return repos


class Writer:
    """Records written in bulk, with the truth of each creator."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rows: list[dict] = []
        self.truth: dict[tuple[int, int], int] = {}  # (record id, position) -> person
        self.next_id = 1
        self.now = utcnow()

    def add(self, repo: int, meta: dict, people: list[int | None]) -> None:
        record_id = self.next_id
        self.next_id += 1
        for position, pid in enumerate(people):
            if pid is not None:
                self.truth[(record_id, position)] = pid
        self.rows.append({"id": record_id, "repository_id": repo, "source_identifier": f"oai:bench:{record_id}",
                          "meta": meta, "hub_datestamp": self.now, "created_at": self.now})
        if len(self.rows) == 10_000:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with self.db.session() as session:
                session.execute(insert(Record), self.rows)
            self.rows = []


def crafted(db: Database, people: int, seed: int = 18) -> Writer:
    """The crafted truth set (see the module docstring)."""
    rng = random.Random(seed)
    repos = make_members(db, 8)
    pop = Population(rng, repos)
    groups = []
    while len(pop.people) < people:
        groups.append(pop.labs(rng.choice(repos), orcid_share=0.3))
    namesakes = []
    for _ in range(people // 20):  # the same Han name at one member in another discipline, another group
        first = rng.choice(pop.people[:people])
        other = [d for d in DISCIPLINES if d[:2] != first.discipline[:2]]
        group = pop.labs(first.members[0], rng.choice(other), orcid_share=0.0)
        twin = group[0]
        twin.han, twin.family, twin.orcid = first.han, first.family, ""
        groups.append(group)
        namesakes.append((first, twin))
    pop.circles(groups)
    movers = rng.sample(pop.people[:people], people // 10)  # a second member, the same circle
    for p in movers:
        p.members.append(rng.choice([r for r in repos if r != p.members[0]]))
    writer = Writer(db)
    for p in pop.people:
        for _ in range(rng.randint(2, 6)):
            member = p.members[-1] if len(p.members) > 1 and rng.random() < 0.5 else p.members[0]
            meta, truth = pop.record(p, member, extra_orgs=True)
            writer.add(member, meta, truth)
    writer.flush()
    print(f"crafted set: {len(pop.people)} people ({len(namesakes)} namesake pairs, {len(movers)} at two members, "
          f"{sum(1 for p in pop.people if p.orcid)} with an ORCID iD), {writer.next_id - 1} records, "
          f"{len(writer.truth)} authorships")
    return writer


def scale(db: Database, records: int, seed: int = 7) -> Writer:
    """``records`` records of about ``records / 3`` people at 100 members."""
    rng = random.Random(seed)
    repos = make_members(db, 100)
    pop = Population(rng, repos)
    member_weights = [1.0 / (rank + 5) for rank in range(len(repos))]  # big and small members
    groups = []
    while len(pop.people) < max(10, records // 3):
        groups.append(pop.labs(rng.choices(repos, member_weights)[0], orcid_share=0.15))
    pop.circles(groups)
    for p in rng.sample(pop.people, len(pop.people) // 20):
        p.members.append(rng.choice(repos))
    writer = Writer(db)
    leads = [rng.randrange(len(pop.people)) for _ in range(records)]
    for pid in leads:
        p = pop.people[pid]
        member = p.members[-1] if len(p.members) > 1 and rng.random() < 0.5 else p.members[0]
        meta, truth = pop.record(p, member)
        writer.add(member, meta, truth)
    writer.flush()
    return writer


def link_chunks(db: Database, total: int, chunk: int = 2000, label: str = "") -> float:
    """Relink every record in chunks of ``chunk`` (each committed, as the people stage does); seconds."""
    started = time.perf_counter()
    last = started
    for start in range(1, total + 1, chunk):
        with db.session() as session:
            relink(session, range(start, min(start + chunk, total + 1)), 400)
        if label and time.perf_counter() - last > 60:
            last = time.perf_counter()
            done = min(start + chunk - 1, total)
            print(f"  {label}: {done:,}/{total:,} records in {last - started:.0f} s", flush=True)
    return time.perf_counter() - started


def pair_figures(db: Database, truth: dict[tuple[int, int], int]) -> tuple[float, float, int]:
    """(precision, recall, true pairs) of same-person pairs, from the person x researcher table."""
    cells: Counter[tuple[int, int]] = Counter()
    with db.session() as session:
        for record_id, position, researcher in session.execute(
                select(Authorship.record_id, Authorship.position, Authorship.researcher_id)
                .execution_options(yield_per=50_000)):
            cells[(truth[(record_id, position)], researcher)] += 1
    people: Counter[int] = Counter()
    found: Counter[int] = Counter()
    for (pid, rid), n in cells.items():
        people[pid] += n
        found[rid] += n

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    both = sum(pairs(n) for n in cells.values())
    true = sum(pairs(n) for n in people.values())
    got = sum(pairs(n) for n in found.values())
    return (both / got if got else 1.0), (both / true if true else 1.0), true


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crafted-people", type=int, default=600)
    parser.add_argument("--records", type=int, default=100_000, help="0: the crafted set only")
    parser.add_argument("--changed", type=int, default=2_000)
    parser.add_argument("--db", default="", help="SQLite file of the scale run (default: a temporary one)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-people-"))

    db = Database(f"sqlite:///{folder / 'crafted.db'}")
    db.ensure_schema()
    writer = crafted(db, args.crafted_people)
    seconds = link_chunks(db, writer.next_id - 1)
    precision, recall, true = pair_figures(db, writer.truth)
    print(f"crafted set: linked in {seconds:.1f} s; precision {precision:.4f}, recall {recall:.4f} "
          f"({true:,} true same-person pairs)")
    db.dispose()
    if not args.records:
        return

    db = Database(f"sqlite:///{args.db or folder / 'scale.db'}")
    db.ensure_schema()
    started = time.perf_counter()
    writer = scale(db, args.records)
    print(f"scale: {args.records:,} records, {len(writer.truth):,} authorships written in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with db.session() as session:
        result = link_all(session, 400)
    seconds = time.perf_counter() - started
    print(f"scale: {result.line()}", flush=True)
    with db.session() as session:
        blocks = session.scalar(select(func.count()).select_from(AuthorshipKey))
        largest = session.execute(select(AuthorshipKey.key, func.count().label("n")).group_by(AuthorshipKey.key)
                                  .order_by(func.count().desc()).limit(1)).first()
        biggest_key = session.execute(select(Authorship.key, func.count()).group_by(Authorship.key)
                                      .order_by(func.count().desc()).limit(1)).first()
    print(f"scale: linked {args.records:,} records in {seconds:.0f} s ({args.records / seconds:,.0f} records/s, "
          f"link_all); {blocks:,} block rows, largest block {largest[1]:,} ({largest[0]}), largest name "
          f"bucket {biggest_key[1]:,} ({biggest_key[0]}): all its pairs would be {biggest_key[1] ** 2 // 2:,}; "
          f"peak RSS {peak_rss_mb():.0f} MB", flush=True)
    precision, recall, true = pair_figures(db, writer.truth)
    print(f"scale: precision {precision:.4f}, recall {recall:.4f} ({true:,} true same-person pairs)", flush=True)
    changed = random.Random(1).sample(range(1, args.records + 1), min(args.changed, args.records))
    started = time.perf_counter()
    with db.session() as session:
        result = relink(session, changed, 400)
    print(f"scale: re-linking {len(changed):,} changed records at {args.records:,}: "
          f"{time.perf_counter() - started:.2f} s ({result.line()})")


if __name__ == "__main__":
    main()
