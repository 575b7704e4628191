"""Browser tests of the admin area: Debian's Chromium driven by Playwright against the running hub.

A member administrator signs in, registers a sample repository (served on loopback with a broken
record on its second page), reads the check, starts a harvest, watches it finish through the live
progress box, finds the error and its explanation, and downloads the month's usage report.

Every admin page (walked from the app's url_map, as the authorisation test does) passes the
automated accessibility check (axe-core: no serious or critical violation) in Chinese and in
English, and fits a 390 px phone without a page-wide horizontal scroll.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import csv
import io
import re
import threading
from pathlib import Path

import pytest
from playwright import sync_api as playwright_sync

from hub.models import UsageEvent, UsageKind, utcnow
from tests.admin.conftest import PASSWORD, start_site
from tests.browser import ARTIFACTS, chromium_page


@pytest.fixture
def served(hub, app, network):
    """The hub on 127.0.0.1:<free port>, and a sample site whose donghai repository breaks on page 2."""
    from werkzeug.serving import make_server

    sample_server, faulty = start_site(records=30, faults=("repo=donghai:page=2:broken-record",), page_size=10)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", faulty
    server.shutdown()
    thread.join(5)
    sample_server.shutdown()
    sample_server.server_close()


@pytest.fixture
def page():
    with chromium_page(height=1000) as opened:
        yield opened


def test_member_admin_registers_harvests_and_reads_errors(hub, network, served, page):
    base, faulty = served
    expect = playwright_sync.expect
    page.goto(f"{base}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in"))
    page.goto(page.url + "&lang=zh")
    expect(page.locator("h1")).to_have_text("登录")  # one language at a time, chosen as on the portal
    page.click("#lang-switch")  # the switch keeps the page (and the visitor's choice): this test reads English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("input[name=username]", "dh-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Your repositories")

    page.click("nav >> text=Members")
    page.click("text=donghai")
    page.click("text=Register a repository")
    page.fill("input[name=name]", "Donghai test IR")
    page.fill("input[name=base_url]", faulty.base_url("donghai"))
    page.fill("input[name=schedule]", "every tuesday")
    page.click("text=Save and check")
    expect(page.locator(".has-error .error")).to_contain_text("cron line")
    page.fill("input[name=schedule]", "0 3 * * *")
    page.click("text=Save and check")
    expect(page.locator("#check-report")).to_contain_text("Repository check")
    expect(page.locator("#check-report")).to_contain_text("deleted_record", timeout=30_000)  # the check is a task
    page.screenshot(path=str(ARTIFACTS / "admin-check-report.png"), full_page=True)

    page.click("text=Harvest now")
    expect(page.locator("#progress")).to_have_attribute("data-state", "partial", timeout=60_000)
    expect(page.locator("#progress-line")).to_contain_text("failed")
    page.click("table.runs a >> nth=0")
    group = page.locator(".error-group[data-kind=unreadable-record]")
    expect(group).to_contain_text("an element is unclosed or mis-nested")
    expect(group).not_to_contain_text("元素未闭合或嵌套错误")  # the page's language only
    expect(group.locator("code").first).to_contain_text("oai:")
    page.screenshot(path=str(ARTIFACTS / "admin-run-errors.png"), full_page=True)

    with hub.db.session() as session:
        session.add(UsageEvent(kind=UsageKind.VIEW, record_id=1, institution_id=network.donghai,
                               repository_id=network.donghai_repo, visitor="browser", at=utcnow()))
    page.goto(f"{base}/admin/institutions/{network.donghai}")
    with page.expect_download() as download_info:
        page.click("#download-report")
    download = download_info.value
    assert re.fullmatch(r"chair-usage-donghai-\d{4}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert rows[1][:2] == ["record_id", "source_identifier"] and rows[-1][0] == "total"
    assert rows[-1][4] == "1"

    page.goto(f"{base}/admin/")
    expect(page.locator("table.health")).to_contain_text("Donghai test IR")
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)


SKIPPED_SUFFIXES = (".json", ".csv")  # downloads, not pages


@pytest.fixture
def admin_pages(hub, app, network) -> list[str]:
    """Every admin GET page with its URL parameters filled (a run, a report, a work, a subscription...)."""
    from sqlalchemy import select

    from hub.models import CompletenessReport, HarvestRun, Record, Researcher, User, Work, WorkMember
    from hub.models.webhooks import WebhookSubscription
    from hub.pipeline.harvest import harvest

    harvest(hub, network.donghai_repo, full=True)
    with hub.db.session() as session:
        run = session.scalar(select(HarvestRun).where(HarvestRun.repository_id == network.donghai_repo))
        report = CompletenessReport(repository_id=network.donghai_repo, missing=[], extra=[], stale=[],
                                    error="", repair_note="")
        subscription = WebhookSubscription(url="http://127.0.0.1:9/hook", secret="s", institution_id=network.donghai,
                                           events=["records.changed"], description="A hook")
        work = Work(size=2, title="A shared work")
        session.add_all([report, subscription, work])
        session.flush()
        for record_id in session.scalars(select(Record.id).where(Record.repository_id == network.donghai_repo)
                                         .order_by(Record.id).limit(2)):
            member = session.get(WorkMember, record_id)
            if member is None:
                session.add(WorkMember(record_id=record_id, work_id=work.id, repository_id=network.donghai_repo))
            else:
                member.work_id = work.id
        values = {"institution_id": network.donghai, "repository_id": network.donghai_repo, "run_id": run.id,
                  "report_id": report.id, "subscription_id": subscription.id, "work_id": work.id,
                  "user_id": session.scalar(select(User.id).where(User.username == "dh-admin")),
                  # a researcher the harvest's people stage linked (the one with most records)
                  "researcher_id": session.scalar(select(Researcher.id).order_by(Researcher.records.desc()).limit(1))}
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/") or "GET" not in rule.methods or rule.endpoint == "admin.static":
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name]))
        if not path.endswith(SKIPPED_SUFFIXES):
            paths.append(path)
    assert {"/admin/", "/admin/repositories", "/admin/quality", "/admin/works", "/admin/audit"} <= set(paths)
    return sorted(paths)


PHONE = 390


@pytest.mark.parametrize("width", [1280, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_admin_page_passes_the_accessibility_check(served, admin_pages, lang, width):
    from tests.a11y import assert_accessible

    base, _ = served
    with chromium_page(width=width, height=900) as desktop:
        desktop.goto(f"{base}/admin/sign-in?lang={lang}")
        assert_accessible(desktop, "the sign-in page")
        desktop.fill("input[name=username]", "root")
        desktop.fill("input[name=password]", PASSWORD)
        desktop.click("button[type=submit]")
        desktop.wait_for_url(re.compile(r"/admin/$"))
        checked = 0
        for path in admin_pages:
            response = desktop.goto(base + path)
            assert response is not None and response.status == 200, (path, response and response.status)
            assert desktop.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
            assert_accessible(desktop, path)
            scroll = desktop.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} is {scroll}px wide at {width}px (wide tables scroll in their box)"
            checked += 1
        device = "phone" if width == PHONE else "desktop"
        for name in ("", "repositories", "quality", "works"):
            desktop.goto(f"{base}/admin/{name}")
            desktop.screenshot(path=str(ARTIFACTS / f"admin-{name or 'dashboard'}-{lang}-{device}.png"), full_page=True)
        assert checked == len(admin_pages)
