"""Browser test of the admin area: Debian's Chromium driven by Playwright against the running hub.

A member administrator signs in, registers a sample repository (served on loopback with a broken
record on its second page), reads the check, starts a harvest, watches it finish through the live
progress box, finds the error and its explanation, and downloads the month's usage report.
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
    page.fill("input[name=username]", "dh-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Your repositories")

    page.click("text=Members 成员")
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
    expect(group).to_contain_text("元素未闭合或嵌套错误")
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
