"""The registration form in Chromium when the address is no repository (issue 15, item 5).

A member administrator types an address where nothing answers OAI-PMH: the form comes back with the
failed check (its reason, no banner) and a "save paused anyway" button; pressing it saves the
repository paused with a warning. In English and in Chinese, the form with its failed check passing
the accessibility check (axe); screenshots go to test-artifacts/.
"""

from __future__ import annotations

import threading

import pytest
from playwright import sync_api as playwright_sync
from sqlalchemy import select

from hub.models import Repository
from tests.a11y import assert_accessible
from tests.admin.conftest import PASSWORD
from tests.browser import ARTIFACTS, chromium_page


@pytest.fixture
def served(hub, app, network, site):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", site
    server.shutdown()
    thread.join(5)


@pytest.mark.parametrize(("lang", "heading", "button", "saved"), [
    ("en", "Check failed", "Save paused anyway", "Saved paused"),
    ("zh", "检查未通过", "仍然保存（暂停收割）", "已暂停保存"),
])
def test_the_failed_check_and_save_paused_anyway(hub, network, served, lang, heading, button, saved):
    base, site = served
    expect = playwright_sync.expect
    with chromium_page(height=1100) as page:
        page.goto(f"{base}/admin/sign-in?lang={lang}")
        page.fill("input[name=username]", "dh-admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{base}/admin/repositories/new?institution_id={network.donghai}")
        page.fill("input[name=base_url]", f"{site.url}/not-a-repository/oai")
        page.fill("input[name=name]", "")
        page.click("#repository-form button.primary")
        failed = page.locator("#check-failed")
        expect(failed).to_be_visible()
        expect(failed).to_contain_text(heading)
        expect(failed).to_contain_text("does not answer OAI-PMH Identify")
        assert page.locator(".flash").count() == 0  # no banner of success
        assert_accessible(page, f"registration form with a failed check ({lang})")
        page.screenshot(path=str(ARTIFACTS / f"admin-registration-failed-check-{lang}.png"), full_page=True)
        page.click(f"#save-paused >> text={button}")
        expect(page.locator(".flash.warning")).to_contain_text(saved)
        page.screenshot(path=str(ARTIFACTS / f"admin-registration-saved-paused-{lang}.png"), full_page=True)
    with hub.db.session() as session:
        repo = session.scalars(select(Repository).where(Repository.base_url.like("%not-a-repository%"))).one()
        assert repo.state.value == "paused"
