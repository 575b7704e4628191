"""Figures for the platform plugins: repository check time, requests per record for full-text discovery.

Run ``python bench/bench_check.py [RECORDS]`` (default 500). It serves the test suite's fake DSpace 7,
DSpace 6 and EPrints 3.4 repositories on loopback (page size 100, as DSpace and EPrints use), then
for each: times ``check()`` (best of 3) and harvests it, counting the requests the fake received for
full-text discovery (REST calls or EP3 exports, plus one-off look-ups) per harvested record.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.context import Hub  # noqa: E402
from tests.core.servers import serve_app  # noqa: E402
from tests.platforms.conftest import harvest, records, register  # noqa: E402
from tests.platforms.fake_dspace import FakeDSpace, make_items  # noqa: E402
from tests.platforms.fake_eprints import FakeEPrints, make_eprints  # noqa: E402
from tests.platforms.site import Site  # noqa: E402


def main() -> None:
    """Print check time and discovery requests per record for each fake platform."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{tmp}/chair.db", "ALLOW_PRIVATE_ADDRESSES": True,
                                    "STORAGE_URL": f"file://{tmp}/objects", "SEARCH_URL": f"sqlite:///{tmp}/s.db",
                                    "BROKER_URL": "", "TIKA_URL": ""}, instance_path=tmp)
        site = Site()
        with serve_app(site) as url:
            url = url.rstrip("/")
            fakes = {"DSpace 7": (FakeDSpace("d7", 7, url, items=make_items(count)), "dspace", "/discover/search/"),
                     "DSpace 6": (FakeDSpace("d6", 6, url, items=make_items(count)), "dspace", "/rest/handle/"),
                     "EPrints 3.4": (FakeEPrints("ep", url, eprints=make_eprints(count)), "eprints",
                                     "/cgi/export/eprint/")}
            print(f"{'platform':12} {'check (s)':>10} {'records':>8} {'discovery req':>14} {'per record':>11}")
            for label, (fake, platform, marker) in fakes.items():
                fake.oai.page_size = 100
                site.mount(fake.slug if hasattr(fake, "slug") else "ep", fake)
                repo_id = register(hub, platform, fake.base_url, slug=fake.slug)
                timings = []
                for _ in range(3):
                    from hub.harvest.gather import make_platform
                    from hub.models import Repository

                    with hub.db.session() as session:
                        plugin = make_platform(session.get(Repository, repo_id), hub.pm, hub.http(repo_id))
                    started = time.perf_counter()
                    plugin.check()
                    timings.append(time.perf_counter() - started)
                site.reset()
                harvest(hub, repo_id)
                live = sum(not r.deleted for r in records(hub, repo_id))
                discovery = site.count(marker)
                print(f"{label:12} {min(timings):>10.2f} {live:>8} {discovery:>14} {discovery / live:>11.3f}")
        hub.db.dispose()


if __name__ == "__main__":
    main()
