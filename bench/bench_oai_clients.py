"""Why the hub has its own OAI-PMH client: the hub's ``OAIClient``, ``sickle`` and ``oaipmh`` (pyoai)
against the same sample repository, clean and with the faults real repositories show.

For each scenario (a fault of ``hub.samples.faults`` on page 2 of ListRecords, or none) every client
lists the whole repository in oai_dc; the bench prints how many records each one delivered, how many
it set aside as broken, and how it ended (done, or the exception that stopped it), and, for the clean
scenario, records/s. A client that raises on page 2 has lost the rest of the list and, having no
checkpoint, must start again from page 1.

    python bench/bench_oai_clients.py --records 2000

Needs ``sickle`` and ``oaipmh`` (the test extra).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIOS = ("", "page=2:broken-record", "page=2:illegal-char", "page=2:bad-token", "page=2:http503:retry-after=1",
             "page=2:html-login", "page=2:truncated")


def hub_client(url: str) -> tuple[int, int, str]:
    """(records, set aside as broken, how it ended) with the hub's own client."""
    from hub.config import Settings
    from hub.http import HttpClient
    from oai.client import OAIClient

    client = OAIClient(url, HttpClient(Settings(ALLOW_PRIVATE_ADDRESSES=True, HTTP_BACKOFF_BASE=0.1)))
    records = broken = 0
    try:
        for page in client.list_records("oai_dc"):
            records += len(page.records)
            broken += len(page.broken)
    except Exception as exc:  # noqa: BLE001 - the bench reports whatever stops a client
        return records, broken, f"{type(exc).__name__}: {str(exc)[:80]}"
    return records, broken, "done"


def sickle_client(url: str) -> tuple[int, int, str]:
    """(records, 0, how it ended) with sickle (it has no notion of a broken record)."""
    from sickle import Sickle

    records = 0
    try:
        for _record in Sickle(url, max_retries=3).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False):
            records += 1
    except Exception as exc:  # noqa: BLE001
        return records, 0, f"{type(exc).__name__}: {str(exc)[:80]}"
    return records, 0, "done"


def oaipmh_client(url: str) -> tuple[int, int, str]:
    """(records, 0, how it ended) with oaipmh (pyoai)."""
    from oaipmh.client import Client
    from oaipmh.metadata import MetadataRegistry, oai_dc_reader

    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    records = 0
    try:
        for _record in Client(url, registry).listRecords(metadataPrefix="oai_dc"):
            records += 1
    except Exception as exc:  # noqa: BLE001
        return records, 0, f"{type(exc).__name__}: {str(exc)[:80]}"
    return records, 0, "done"


CLIENTS: dict[str, Callable[[str], tuple[int, int, str]]] = {
    "hub OAIClient": hub_client, "sickle": sickle_client, "oaipmh (pyoai)": oaipmh_client}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    from hub.samples.catalog import demo_repositories
    from hub.samples.faults import attach_faults
    from hub.samples.server import serve

    for scenario in SCENARIOS:
        print(f"== {scenario or 'no fault'}")
        for name, run in CLIENTS.items():
            repo = demo_repositories(args.records)[0]
            attach_faults([repo], [scenario] if scenario else [])
            server, _thread, server_url = serve([repo])
            try:
                started = time.perf_counter()
                records, broken, ended = run(repo.base_url(server_url))
                seconds = time.perf_counter() - started
            finally:
                server.shutdown()
                server.server_close()
            rate = f", {records / seconds:,.0f} records/s" if not scenario and seconds else ""
            print(f"  {name:15} {records:6,} records, {broken} set aside, {ended}{rate}")


if __name__ == "__main__":
    main()
