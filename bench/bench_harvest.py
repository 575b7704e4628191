"""Harvest benchmark (issue 2): hub harvest vs. the `oaipmh` client alone, and peak memory.

Starts a sample DSpace-style repository of N records in its own process, then in the same run:
  1. the `oaipmh` client (pyoai's successor) fetches and parses every ListRecords page;
  2. the hub harvests the same endpoint into a fresh SQLite database (fetch, parse,
     normalise, store), in a child process whose peak RSS is reported.

    python bench/bench_harvest.py --records 100000
    python bench/bench_harvest.py --records 1000000 --skip-client

Prints records/s for both, the ratio, and the harvest's peak RSS in MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = """
import sys
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve
repo = demo_repositories(int(sys.argv[1]))[0]
server, thread, url = serve([repo], port=0)
print(repo.base_url(url), flush=True)
thread.join()
"""

HARVEST = """
import json, resource, sys, time
from hub.context import Hub
from hub.harvest.gather import harvest_repository
from hub.members import add_institution, add_repository
url, instance = sys.argv[1], sys.argv[2]
hub = Hub.create(overrides={"ALLOW_PRIVATE_ADDRESSES": True}, instance_path=instance)
with hub.db.session() as s:
    add_institution(s, "bench", "Bench University")
    repo_id = add_repository(s, hub.pm, hub.settings, member="bench", platform="oai", base_url=url).id
started = time.perf_counter()
summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "seen": summary.counts["seen"], "state": summary.state.value,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def client_harvest(url: str) -> tuple[int, float]:
    """Fetch and parse every record with the oaipmh client; returns (records, seconds)."""
    from oaipmh.client import Client
    from oaipmh.metadata import MetadataRegistry, oai_dc_reader

    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(url, registry)
    started = time.perf_counter()
    count = sum(1 for _ in client.listRecords(metadataPrefix="oai_dc"))
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--skip-client", action="store_true", help="only the hub harvest")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(args.records)], stdout=subprocess.PIPE,
                              text=True, env=env)
    try:
        url = server.stdout.readline().strip()
        print(f"sample repository: {url} ({args.records:,} records)")
        if not args.skip_client:
            count, seconds = client_harvest(url)
            print(f"oaipmh client alone: {count:,} records in {seconds:.1f}s = {count / seconds:,.0f} records/s")
        with tempfile.TemporaryDirectory() as instance:
            out = subprocess.run([sys.executable, "-c", HARVEST, url, instance], capture_output=True, text=True,
                                 env=env, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
        rate = result["seen"] / result["seconds"]
        print(f"hub harvest (SQLite): {result['seen']:,} records in {result['seconds']:.1f}s = {rate:,.0f} records/s, "
              f"state {result['state']}, peak RSS {result['peak_rss_mb']:.0f} MB")
        if not args.skip_client:
            print(f"hub time / client time = {result['seconds'] / seconds:.2f}")
    finally:
        server.terminate()
        server.wait()
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
