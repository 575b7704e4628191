"""Benchmark of search: query latency, indexing throughput, rebuild time, portal server time.

    python bench/bench_search.py [--n 100000] [--remote-n 1000000] [--queries 200] [--skip-sqlite]
                                 [--keep-index bench-keep]

- SQLite: N synthetic bilingual records are written to a fresh database, indexed by
  ``rebuild_index`` (throughput and rebuild time), then 200 realistic queries with facets run
  (p50/p95), and the portal's home, search and record pages are timed in-process (p95).
- Elasticsearch / OpenSearch (when CHAIR_TEST_ES_URL / CHAIR_TEST_OPENSEARCH_URL are set):
  ``--remote-n`` documents are generated and bulk-indexed through ``rebuild`` (no database),
  then the same queries run.

Everything is printed; nothing is asserted. Records come from hub.samples.vocabulary.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from hub.context import Hub  # noqa: E402
from hub.models import Institution, Record, Repository  # noqa: E402
from hub.samples import vocabulary as v  # noqa: E402
from hub.search import SearchRequest, make_backend  # noqa: E402

TYPES = ["journal article", "doctoral thesis", "master thesis", "conference paper", "book part", "report"]
INSTITUTIONS = [("pku", "Peking University", "北京大学"), ("fdu", "Fudan University", "复旦大学"),
                ("zju", "Zhejiang University", "浙江大学"), ("whu", "Wuhan University", "武汉大学"),
                ("sysu", "Sun Yat-sen University", "中山大学"), ("nju", "Nanjing University", "南京大学")]


def meta_of(rng: random.Random, i: int) -> dict:
    """A realistic normalised record: Chinese, English or both."""
    kind = rng.random()
    titles, abstracts = [], []
    if kind < 0.7:
        titles.append({"value": rng.choice(v.ZH_METHODS) + "在" + rng.choice(v.ZH_TOPICS) + "中的" + rng.choice(v.ZH_SUFFIXES), "lang": "zho"})
        abstracts.append({"value": "".join(rng.sample(v.ZH_ABSTRACT_SENTENCES, 3)), "lang": "zho"})
    if kind > 0.4:
        titles.append({"value": f"{rng.choice(v.EN_METHODS)} for {rng.choice(v.EN_TOPICS)}: {rng.choice(v.EN_SUFFIXES)}", "lang": "eng"})
        abstracts.append({"value": " ".join(rng.sample(v.EN_ABSTRACT_SENTENCES, 3)), "lang": "eng"})
    year = rng.randint(1995, 2025)
    creators = [{"name": rng.choice(v.ZH_SURNAMES) + rng.choice(v.ZH_GIVEN)} for _ in range(rng.randint(1, 4))]
    creators.append({"name": f"{rng.choice(v.PINYIN_SURNAMES)}, {rng.choice(v.PINYIN_GIVEN)}"})
    subjects = [{"value": s, "lang": ""} for s in rng.sample(v.SUBJECTS_ZH, 2) + rng.sample(v.SUBJECTS_EN, 1)]
    return {"titles": titles, "abstracts": abstracts, "creators": creators, "subjects": subjects, "year": year,
            "issued": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "resource_type_label": rng.choice(TYPES),
            "languages": ["zho"] if kind < 0.4 else (["eng"] if kind > 0.7 else ["zho", "eng"]),
            "doi": f"10.5555/bench.{i}" if rng.random() < 0.5 else "",
            "files": [{"url": f"https://x.example/{i}.pdf", "access": "open"}] if i % 3 else []}


def queries(rng: random.Random, n: int) -> list[SearchRequest]:
    """Realistic queries: Chinese words, English words and phrases, fields, years, with facet filters."""
    words = ["机器学习", "深度学习", "神经网络", "遥感", "土壤", "经济", "城市交通", "learning", "networks",
             "soil", "remote sensing", "climate", "economic growth", "graphene", "学"]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5:
            q = rng.choice(words)
        elif r < 0.65:
            q = f'"{rng.choice(v.EN_METHODS).lower()}"'
        elif r < 0.75:
            q = f"title:{rng.choice(words)}"
        elif r < 0.85:
            q = f"{rng.choice(words)} year:{rng.randint(1995, 2015)}-{rng.randint(2016, 2025)}"
        elif r < 0.92:
            q = f"author:{rng.choice(v.PINYIN_SURNAMES)}"
        else:
            q = ""
        filters = {}
        if rng.random() < 0.4:
            filters["institution"] = [rng.choice(INSTITUTIONS)[0]]
        if rng.random() < 0.2:
            filters["type"] = [rng.choice(TYPES)]
        sort = "newest" if rng.random() < 0.15 else "relevance"
        out.append(SearchRequest(q=q, filters=filters, page=rng.choice([1, 1, 1, 2, 5]), size=20, sort=sort))
    return out


def pct(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100)[int(p) - 1] * 1000


def run_queries(backend, reqs: list[SearchRequest], label: str) -> None:
    for req in reqs[:10]:
        backend.search(req)  # warm caches
    times = []
    for req in reqs:
        t = time.perf_counter()
        backend.search(req)
        times.append(time.perf_counter() - t)
    print(f"{label}: {len(reqs)} queries with facets: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms")


def fill_database(hub: Hub, n: int, rng: random.Random) -> None:
    with hub.db.session() as session:
        repo_ids = []
        for slug, en, zh in INSTITUTIONS:
            inst = Institution(slug=slug, name_en=en, name_zh=zh)
            session.add(inst)
            session.flush()
            repo = Repository(institution_id=inst.id, name=f"{en} IR", platform="oai", base_url=f"https://{slug}.example/oai")
            session.add(repo)
            session.flush()
            repo_ids.append(repo.id)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    batch = []
    with hub.db.engine.begin() as conn:
        for i in range(n):
            batch.append({"repository_id": repo_ids[i % len(repo_ids)], "source_identifier": f"oai:x:{i}",
                          "metadata": meta_of(rng, i), "hub_datestamp": start + timedelta(seconds=i), "deleted": False})
            if len(batch) == 5000:
                conn.execute(insert(Record.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(Record.__table__), batch)


def bench_sqlite(n: int, nq: int) -> None:
    rng = random.Random(42)
    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    (tmp / "instance").mkdir()
    hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{tmp / 'chair.db'}", "SECRET_KEY": "bench", "SEARCH_URL": f"sqlite:///{tmp / 'search.db'}",
                                "STORAGE_URL": f"file://{tmp / 'objects'}"}, instance_path=tmp / "instance")
    t = time.perf_counter()
    fill_database(hub, n, rng)
    print(f"sqlite: {n:,} records written to the database in {time.perf_counter() - t:.1f} s")
    from hub.pipeline.index import rebuild_index

    t = time.perf_counter()
    report = rebuild_index(hub, batch_size=1000)
    took = time.perf_counter() - t
    size = sum(p.stat().st_size for p in tmp.glob("search.db*")) / 1e6
    print(f"sqlite: rebuild of {report.documents:,} documents in {took:.1f} s ({report.documents / took:,.0f} docs/s, "
          f"index file {size:,.0f} MB)")
    from hub.search import search_backend

    run_queries(search_backend(hub), queries(random.Random(7), nq), f"sqlite @ {n:,}")
    bench_portal(hub, n)


def bench_portal(hub: Hub, n: int) -> None:
    from hub.app import create_app

    client = create_app(hub=hub).test_client()
    rng = random.Random(3)
    pages = {"home": ["/"] * 30,
             "search": [f"/search?q={q}" for q in ["机器学习", "learning", "遥感", "soil&institution=pku", "title:经济"] * 10],
             "record": [f"/records/{rng.randint(1, n)}" for _ in range(50)]}
    for name, urls in pages.items():
        client.get(urls[0])
        times = []
        for url in urls:
            t = time.perf_counter()
            resp = client.get(url)
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200, (url, resp.status_code)
        print(f"portal @ {n:,} (sqlite): {name} p95 {pct(times, 95):.1f} ms (p50 {pct(times, 50):.1f} ms, {len(urls)} requests)")


def bench_remote(url: str, n: int, nq: int, keep: str = "") -> None:
    index_url = url.rsplit("/", 1)[0] + "/" + (keep or f"bench-{uuid.uuid4().hex[:8]}")
    backend = make_backend({"SEARCH_URL": index_url, "SEARCH_MAX_RESULTS": 10_000})
    if keep and backend.adapter.alias_targets(backend.alias) and backend.count() == n and backend.get(1).get("work_id"):
        print(f"{backend.name}: reusing the kept index {keep} of {n:,} documents")
        try:
            run_queries(backend, queries(random.Random(7), nq), f"{backend.name} @ {n:,}")
        finally:
            backend.close()
        return
    rng = random.Random(42)
    stamp = "2024-01-01T00:00:00Z"

    def batches():
        for start in range(0, n, 2000):
            docs = []
            for i in range(start, min(n, start + 2000)):
                m = meta_of(rng, i)
                inst = INSTITUTIONS[i % len(INSTITUTIONS)]
                docs.append({"id": i + 1, "work_id": f"r{i + 1}", "version": stamp, "title": " / ".join(t["value"] for t in m["titles"]),
                             "titles": [t["value"] for t in m["titles"]], "creators": [c["name"] for c in m["creators"]],
                             "subjects": [s["value"] for s in m["subjects"]], "subjects_facet": [s["value"] for s in m["subjects"]],
                             "abstract": "\n\n".join(a["value"] for a in m["abstracts"]), "fulltext": "", "other": m["doi"],
                             "institution": inst[0], "institution_name_en": inst[1], "institution_name_zh": inst[2],
                             "repository": str(i % len(INSTITUTIONS) + 1), "repository_name": inst[1], "year": m["year"],
                             "issued": m["issued"], "date_sort": m["issued"], "type": m["resource_type_label"],
                             "resource_type": "", "languages": m["languages"], "doi": m["doi"],
                             "has_fulltext": bool(m["files"]), "hub_datestamp": stamp})
            yield docs

    try:
        t = time.perf_counter()
        count = backend.rebuild(batches())
        took = time.perf_counter() - t
        print(f"{backend.name}: rebuild (bulk index + alias swap) of {count:,} documents in {took:.1f} s "
              f"({count / took:,.0f} docs/s)")
        run_queries(backend, queries(random.Random(7), nq), f"{backend.name} @ {count:,}")
    finally:
        if not keep:
            backend.drop()
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="records for SQLite and the portal")
    parser.add_argument("--remote-n", type=int, default=1_000_000, help="documents for Elasticsearch/OpenSearch")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--keep-index", default="", metavar="NAME",
                        help="Elasticsearch/OpenSearch: keep the index under this alias after the run, and reuse it "
                             "(no rebuild) when it already holds --remote-n documents")
    args = parser.parse_args()
    if not args.skip_sqlite:
        bench_sqlite(args.n, args.queries)
    for var in ("CHAIR_TEST_ES_URL", "CHAIR_TEST_OPENSEARCH_URL"):
        if os.environ.get(var):
            bench_remote(os.environ[var], args.remote_n, args.queries, args.keep_index)


if __name__ == "__main__":
    main()
