"""Benchmark of work grouping: quality on the crafted set, then time and memory at scale.

Usage: ``python bench/bench_works.py [--records N] [--changed K] [--db PATH]``

1. Precision and recall (pairs of records put in one work) of the grouping on the crafted set
   tests/fixtures/works/crafted.json (true duplicates and near misses).
2. N synthetic normalised records (default 100,000) written in bulk into a SQLite database over
   20 repositories: about 8 % are second copies of another record (half sharing the DOI, half only
   title, year ±1 and an author), plus chapters sharing container DOIs and same-title near misses.
   Prints the time and peak memory (RSS) of the full grouping (``group_all``), then of an
   incremental regrouping of K changed records, and the precision/recall against the planted truth.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from hub.db import Database  # noqa: E402
from hub.models import Institution, Record, Repository, WorkMember, utcnow  # noqa: E402
from hub.normalise.enrich import normalise_record  # noqa: E402
from hub.normalise.record import NormalisedRecord  # noqa: E402
from hub.works.cluster import group_features  # noqa: E402
from hub.works.features import features_of  # noqa: E402
from hub.works.grouping import group_all, regroup  # noqa: E402

WORDS = ("deep learning graph neural network rice disease remote sensing urban traffic flow water quality "
         "lithium battery knowledge graph wetland soil carbon monetary policy ancient books character "
         "recognition reinforcement control robot protein folding climate model rainfall drought yield "
         "spectral imaging catalyst polymer membrane fatigue bridge concrete corrosion enzyme").split()
ZH = "深度学习 图神经网络 水稻病害 遥感影像 交通流 水质评价 锂电池 知识图谱 湿地 土壤碳 货币政策 古籍 文字识别 强化学习 蛋白质 气候 干旱 催化剂 聚合物 桥梁".split()
SURNAMES = "Zhang Li Wang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo".split()
GIVEN = "Wei Na Fang Yang Jing Lei Min Qiang Jun Yan Tao Ping Hui Li Hong Xin Bo Lin Yu Hao".split()
ZH_SURNAMES = "张李王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
ZH_GIVEN = "伟娜芳洋静磊敏强军燕涛平辉丽红鑫波林宇浩"


def pair_scores(truth: dict[int, object], found: dict[int, object]) -> tuple[float, float]:
    """(precision, recall) of same-work pairs in ``found`` against ``truth``."""
    def pairs(labels: dict[int, object]) -> set[tuple[int, int]]:
        by = defaultdict(list)
        for record_id, label in labels.items():
            by[label].append(record_id)
        return {p for members in by.values() if len(members) > 1 for p in combinations(sorted(members), 2)}
    true, got = pairs(truth), pairs(found)
    precision = len(true & got) / len(got) if got else 1.0
    recall = len(true & got) / len(true) if true else 1.0
    return precision, recall


def crafted_figures() -> None:
    data = json.loads((ROOT / "tests/fixtures/works/crafted.json").read_text(encoding="utf-8"))["records"]
    features = [features_of(r["id"], r["repository"],
                            normalise_record(NormalisedRecord.from_dict(r["meta"])).to_dict()) for r in data]
    groups, _ = group_features(features)
    precision, recall = pair_scores({r["id"]: r["work"] for r in data}, groups)
    print(f"crafted set: {len(data)} records, precision {precision:.3f}, recall {recall:.3f}")


def _meta(rng: random.Random, i: int) -> dict:
    chinese = rng.random() < 0.45
    if chinese:
        title = "基于" + "".join(rng.sample(ZH, 3)) + f"的研究{i}"
        creators = [{"name": rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN) + rng.choice(ZH_GIVEN)}
                    for _ in range(rng.randint(1, 4))]
    else:
        title = " ".join(rng.sample(WORDS, 6)).capitalize() + f" {i}"
        creators = [{"name": f"{s}, {g}", "family": s, "given": g}
                    for s, g in ((rng.choice(SURNAMES), rng.choice(GIVEN)) for _ in range(rng.randint(1, 4)))]
    year = rng.randint(1990, 2025)
    meta = {"titles": [{"value": title, "lang": "zho" if chinese else "eng"}], "creators": creators, "year": year,
            "issued": str(year), "resource_type": "http://purl.org/coar/resource_type/c_6501", "types": ["Article"]}
    if rng.random() < 0.3:
        meta["doi"] = f"10.{1000 + i % 9000}/bench.{i}"
    return meta


def synthesise(db: Database, n: int, seed: int = 7) -> dict[int, int]:
    """Write n records in bulk; returns record id -> true work label."""
    rng = random.Random(seed)
    with db.session() as session:
        repos = []
        for k in range(20):
            inst = Institution(slug=f"bench{k}", name_en=f"Bench {k}", name_zh=f"测试{k}")
            session.add(inst)
            session.flush()
            repo = Repository(institution_id=inst.id, platform="oai", base_url=f"https://bench{k}.example.edu.cn/oai")
            session.add(repo)
            session.flush()
            repos.append(repo.id)
    truth: dict[int, int] = {}
    originals: list[tuple[int, dict]] = []
    now = utcnow()
    rows = []
    for i in range(1, n + 1):
        roll = rng.random()
        if originals and roll < 0.08:
            label, source = rng.choice(originals)
            meta = json.loads(json.dumps(source))
            if rng.random() < 0.5 or "doi" not in meta:
                meta.pop("doi", None)
                meta["year"] = meta["year"] + rng.choice((-1, 0, 0, 1))
                meta["creators"] = meta["creators"][:1]
                meta["titles"][0]["value"] = meta["titles"][0]["value"].upper()
        elif originals and roll < 0.09:  # near miss: same title, another author, far year
            _, source = rng.choice(originals)
            meta = json.loads(json.dumps(source))
            meta.pop("doi", None)
            meta["year"] -= 5
            meta["creators"] = [{"name": "Nobody, Else", "family": "Nobody", "given": "Else"}]
            label = -i
        elif roll < 0.10:  # chapter carrying a container DOI
            meta = _meta(rng, i)
            meta["doi"] = f"10.9999/book.{i % 500}"
            meta["resource_type"] = "http://purl.org/coar/resource_type/c_3248"
            label = -i
        else:
            meta = _meta(rng, i)
            label = i
            if len(originals) < 200_000:
                originals.append((label, meta))
        truth[i] = label
        rows.append({"id": i, "repository_id": repos[i % len(repos)], "source_identifier": f"oai:bench:{i}",
                     "meta": meta, "hub_datestamp": now, "created_at": now})
        if len(rows) == 10_000:
            with db.session() as session:
                session.execute(insert(Record), rows)
            rows = []
    if rows:
        with db.session() as session:
            session.execute(insert(Record), rows)
    return truth


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    crafted_figures()
    folder = tempfile.mkdtemp(prefix="bench-works-")
    db = Database(f"sqlite:///{args.db or Path(folder) / 'works.db'}")
    db.ensure_schema()
    started = time.perf_counter()
    truth = synthesise(db, args.records)
    print(f"synthetic: {args.records:,} records written in {time.perf_counter() - started:.1f} s")
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    with db.session() as session:
        report = group_all(session)
    elapsed = time.perf_counter() - started
    print(f"group_all: {elapsed:.1f} s ({args.records / elapsed:,.0f} records/s), {report.edges:,} matches, "
          f"{report.works_created:,} works; peak RSS {peak_rss_mb():.0f} MB (before grouping {rss_before:.0f} MB)")
    with db.session() as session:
        found = dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())
    precision, recall = pair_scores(truth, found)
    print(f"synthetic set: precision {precision:.4f}, recall {recall:.4f}")
    changed = random.Random(1).sample(range(1, args.records + 1), min(args.changed, args.records))
    started = time.perf_counter()
    with db.session() as session:
        report = regroup(session, changed)
    elapsed = time.perf_counter() - started
    print(f"regroup of {len(changed):,} changed records: {elapsed:.2f} s, {report.records:,} records "
          f"in their neighbourhood; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
