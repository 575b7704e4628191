"""Usage counting (robots and double clicks filtered, batched writes), the portal hook, monthly CSV
reports and the public statistics pages with their inline SVG charts."""

from __future__ import annotations

from sqlalchemy import func, select, update

from hub.models import Record, UsageEvent, UsageKind, utcnow
from hub.pipeline.harvest import harvest
from hub.stats.aggregates import clear_cache, holdings
from hub.stats.robots import is_robot
from hub.stats.usage import UsageCounter
from hub.web.usage_hooks import usage_counter

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def test_robots_are_recognised():
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "Baiduspider", "curl/8.5.0",
                  "python-requests/2.31", "Mozilla/5.0 (compatible; bingbot/2.0)", "", None, "CHAIR-Hub/0.1"):
        assert is_robot(agent), agent
    assert not is_robot(BROWSER)
    assert not is_robot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0")


def test_double_clicks_count_once_and_batches_are_written(hub, network):
    harvest(hub, network.donghai_repo)
    with hub.db.session() as session:
        ids = list(session.scalars(select(Record.id).where(Record.repository_id == network.donghai_repo).limit(2)))
    counter = UsageCounter(hub.db, {**hub.settings, "USAGE_FLUSH_EVENTS": 4})
    assert counter.count(UsageKind.VIEW, ids[0], "v1", now=1000.0)
    assert not counter.count(UsageKind.VIEW, ids[0], "v1", now=1010.0)  # within 30 s
    assert not counter.count(UsageKind.VIEW, ids[0], "v1", now=1035.0)  # 25 s after the last click
    assert counter.count(UsageKind.VIEW, ids[0], "v1", now=1070.0)
    assert counter.count(UsageKind.DOWNLOAD, ids[0], "v1", now=1071.0)  # another kind
    with hub.db.session() as session:
        assert session.scalar(select(func.count(UsageEvent.id))) == 0  # still buffered
    assert counter.count(UsageKind.VIEW, ids[1], "v2", now=1072.0)  # the fourth event fills the batch
    counter.count(UsageKind.VIEW, 999_999, "v3", now=1073.0)  # an unknown record is dropped at flush
    counter.close()
    with hub.db.session() as session:
        rows = session.execute(select(UsageEvent.kind, UsageEvent.record_id, UsageEvent.institution_id)).all()
    assert sorted((k.value, r) for k, r, _ in rows) == sorted(
        [("view", ids[0]), ("view", ids[0]), ("download", ids[0]), ("view", ids[1])])
    assert {i for _, _, i in rows} == {network.donghai}


def test_record_page_views_are_counted_by_the_hook(app, hub, network):
    harvest(hub, network.donghai_repo)
    with hub.db.session() as session:
        record_id = session.scalar(select(Record.id).where(Record.deleted.is_(False)).limit(1))
    client = app.test_client()
    assert client.get(f"/records/{record_id}", headers={"User-Agent": BROWSER}).status_code == 200
    client.get(f"/records/{record_id}", headers={"User-Agent": BROWSER})  # double click
    client.get(f"/records/{record_id}", headers={"User-Agent": "Googlebot/2.1"})
    client.get(f"/records/{record_id}", headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    client.get("/records/99999999", headers={"User-Agent": BROWSER})
    usage_counter(app).flush()
    with hub.db.session() as session:
        assert session.scalar(select(func.count(UsageEvent.id))) == 2


def test_monthly_report_csv(app, hub, network, signed_in):
    harvest(hub, network.donghai_repo)
    with hub.db.session() as session:
        records = list(session.scalars(select(Record).where(Record.deleted.is_(False)).limit(2)))
        session.execute(update(Record).where(Record.id == records[0].id).values(
            meta={**records[0].meta, "titles": [{"value": "=HYPERLINK(\"http://x\")", "lang": "en"}]}))
        now = utcnow()
        session.add_all([UsageEvent(kind=UsageKind.VIEW, record_id=records[0].id, institution_id=network.donghai,
                                    repository_id=network.donghai_repo, visitor=f"v{i}", at=now) for i in range(3)])
        session.add(UsageEvent(kind=UsageKind.DOWNLOAD, record_id=records[1].id, institution_id=network.donghai,
                               repository_id=network.donghai_repo, visitor="v", at=now))
    client = signed_in("dh-admin")
    month = utcnow().strftime("%Y-%m")
    response = client.get(f"/admin/institutions/{network.donghai}/report.csv?month={month}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[1] == "record_id,source_identifier,repository,title,views,downloads"
    assert lines[2].startswith(f"{records[0].id},") and lines[2].endswith(",3,0")
    assert "'=HYPERLINK" in lines[2]
    assert lines[-1] == "total,,,,3,1"
    assert client.get(f"/admin/institutions/{network.donghai}/report.csv?month=2026-13").status_code == 400
    assert client.get(f"/admin/institutions/{network.xiling}/report.csv?month={month}").status_code == 403


def test_statistics_pages_draw_escaped_svg(app, hub, network):
    harvest(hub, network.donghai_repo)
    with hub.db.session() as session:  # frequent enough to be among the charted top subjects on any database
        for record in session.scalars(select(Record).where(Record.deleted.is_(False)).limit(60)).all():
            session.execute(update(Record).where(Record.id == record.id).values(
                meta={**record.meta, "subjects": [{"value": "<script>alert(1)</script>", "lang": "en"}]}))
    clear_cache()
    client = app.test_client()
    page = client.get("/statistics").get_data(as_text=True)
    assert page.count("<svg") >= 5 and "<script>alert" not in page and "&lt;script&gt;" in page
    assert "http://" not in page.split("<body", 1)[1].replace("http://www.w3.org", "")  # nothing from a CDN
    member = client.get("/statistics/donghai")
    assert member.status_code == 200 and "东海大学" in member.get_data(as_text=True)
    assert client.get("/statistics/nobody").status_code == 404
    with hub.db.session() as session:
        stats = holdings(session, network.donghai, use_cache=False)
        other = holdings(session, network.xiling, use_cache=False)
        live = session.scalar(select(func.count(Record.id)).where(Record.deleted.is_(False)))
    assert stats.records == live > 0 and other.records == 0
    assert sum(n for _, n in stats.by_year) == stats.records
    assert stats.growth[-1][1] == stats.records
