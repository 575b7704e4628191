"""Two workers import the same records at the same moment: each record is stored once.

Runs on SQLite and on PostgreSQL (where writers really are concurrent). The page's
transaction that loses the race on the unique (repository, source identifier) constraint
is rolled back and imported again, now seeing the winner's rows.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from hub.harvest.gather import commit_page
from hub.http import HttpClient
from hub.models import HarvestRun, Record
from hub.platform import HarvestedItem, Page, SourceConfig
from hub.states import RunKind, RunState
from plugins.oai.platform import OAIPlatform
from tests.harvest.conftest import register

DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
      '<dc:creator>张伟</dc:creator><dc:date>2020</dc:date><dc:type>article</dc:type></oai_dc:dc>')


def page_of(n: int) -> Page:
    from lxml import etree

    items = []
    for i in range(n):
        xml = DC.format(title=f"并发导入 {i}")
        items.append(HarvestedItem(source_identifier=f"oai:race:{i}", datestamp="2024-01-01T00:00:00Z",
                                   metadata_format="oai_dc", raw_metadata=xml, metadata=etree.fromstring(xml)))
    return Page(items=items, checkpoint={"page": 1}, response_date="2024-06-01T00:00:00Z")


def test_concurrent_upserts_of_the_same_records_never_duplicate(hub, site):
    repo_id = register(hub, site.url, site.repo("dspace"))
    with hub.db.session() as session:
        runs = [HarvestRun(repository_id=repo_id, kind=RunKind.FULL, state=RunState.RUNNING, checkpoint={})
                for _ in range(2)]
        session.add_all(runs)
        session.flush()
        run_ids = [r.id for r in runs]
    from hub.plugins import crosswalks

    source = SourceConfig(id=repo_id, base_url="http://127.0.0.1:1/oai")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(run_id: int) -> None:
        platform = OAIPlatform(source, HttpClient(hub.settings), crosswalks(hub.pm))
        session = hub.db.sessionmaker()
        try:
            run = session.get(HarvestRun, run_id)
            barrier.wait()
            commit_page(session, run, platform, hub.pm, page_of(300))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            session.close()

    for _ in range(3):  # several rounds: the first inserts race, the later ones find the rows
        threads = [threading.Thread(target=worker, args=(run_id,)) for run_id in run_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    with hub.db.session() as session:
        total = session.scalar(select(func.count()).select_from(Record).where(Record.repository_id == repo_id))
        distinct = session.scalar(select(func.count(func.distinct(Record.source_identifier)))
                                  .where(Record.repository_id == repo_id))
        runs = session.scalars(select(HarvestRun).where(HarvestRun.id.in_(run_ids))).all()
    assert total == distinct == 300
    assert sum(r.new for r in runs) == 300, "each record counted new exactly once"
    assert all(r.pages == 3 and r.seen == 900 for r in runs)
