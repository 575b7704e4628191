"""Browser tests of the discovery page (/auth/login) and the SAML forms of the admin area: Debian's Chromium,
the hub on a live loopback server. No identity provider needed: the IdPs are SAML ones registered from the test
IdP's metadata (tests/sso/saml_support.py), and the browser's request to the IdP's own sign-in page is answered
by Playwright on the IdP's behalf.

- /auth/login lists three providers of two members; typing in the search box (a Chinese name, then English)
  filters the list at once, without a reload (themes/default/static/auth.js); the provider picked is shown first
  ("last time you chose") when the visitor comes back.
- A hub administrator sees the forms "Add a SAML identity provider" and "Add or refresh a federation"; a
  federation whose aggregate is unsigned is refused on the page, in Chinese; a good one is listed.

Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_sync

from hub.accounts.users import create_user
from hub.members import add_institution
from hub.models import Role
from hub.models.federation import IdentityProvider, Protocol, Provisioning
from tests.a11y import assert_accessible
from tests.browser import ARTIFACTS, chromium_page
from tests.sso.saml_support import SSO_URL, idp_metadata

expect = playwright_sync.expect
DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "correct horse battery"
PROVIDERS = [  # slug, member, entity ID, name_zh, name_en
    ("donghai", "univ-a", "https://idp.donghai.edu.cn/idp/shibboleth", "东海大学统一身份认证", "Donghai University SSO"),
    ("donghai-lib", "univ-a", "https://lib.donghai.edu.cn/idp/shibboleth", "东海大学图书馆", "Donghai Library login"),
    ("xiling", "univ-b", "https://idp.xiling.edu.cn/idp/shibboleth", "西岭大学统一认证", "Xiling University login"),
]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests are about the pages."""
    return f"sqlite:///{tmp_path / 'chair.db'}"


@pytest.fixture
def live(hub, app) -> Iterator[str]:
    """The hub on 127.0.0.1:<free port>, with three SAML providers of two members and a hub administrator;
    tests/sso/data served beside it (``/data/<file>``)."""
    from werkzeug.middleware.shared_data import SharedDataMiddleware
    from werkzeug.serving import make_server

    with hub.db.session() as db:
        members = {slug: add_institution(db, slug, en, zh) for slug, en, zh in
                   (("univ-a", "Donghai University", "东海大学"), ("univ-b", "Xiling University", "西岭大学"))}
        db.flush()
        for slug, member, entity_id, name_zh, name_en in PROVIDERS:
            db.add(IdentityProvider(slug=slug, protocol=Protocol.SAML, key=entity_id, name_zh=name_zh,
                                    name_en=name_en, institution_id=members[member].id,
                                    scopes=[f"{slug}.edu.cn"], config={"metadata_xml": idp_metadata(entity_id)},
                                    provisioning=Provisioning.ACTIVE))
        create_user(db, "root", PASSWORD, Role.HUB_ADMIN)
    served = SharedDataMiddleware(app, {"/data": str(DATA)})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def page() -> Iterator[playwright_sync.Page]:
    with chromium_page(height=900) as opened:
        yield opened


def shown(page: playwright_sync.Page) -> list[str]:
    """The slugs of the providers the list shows now."""
    return page.eval_on_selector_all("#idp-list li[data-search]:not([hidden]) a",
                                     "links => links.map(a => a.dataset.slug)")


def test_the_search_filters_as_one_types_and_the_choice_is_remembered(live, page):
    idp_pages: list[str] = []

    def idp_answers(route: playwright_sync.Route) -> None:  # the IdP's own sign-in page, played here
        idp_pages.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body="<!doctype html><title>IdP</title><h1>IdP sign-in</h1>")

    page.route(re.compile(r"^https://idp\.univ-a\.edu\.cn/"), idp_answers)
    page.goto(f"{live}/auth/login?lang=zh")
    expect(page.locator("h1")).to_have_text("使用本机构账号登录")
    assert sorted(shown(page)) == ["donghai", "donghai-lib", "xiling"]
    expect(page.locator("#idp-remembered")).to_have_count(0)
    page.evaluate("window.notReloaded = true")  # gone if the page reloads

    page.fill("#idp-search", "西岭")
    expect(page.locator("#idp-list li[data-search]:not([hidden])")).to_have_count(1)
    assert shown(page) == ["xiling"]
    expect(page.locator("section.idp-group:has-text('东海大学')")).to_be_hidden()  # an empty member's group too
    page.fill("#idp-search", "donghai library")
    expect(page.locator("#idp-list li[data-search]:not([hidden])")).to_have_count(1)
    assert shown(page) == ["donghai-lib"]
    page.fill("#idp-search", "donghai")
    expect(page.locator("#idp-list li[data-search]:not([hidden])")).to_have_count(2)
    assert sorted(shown(page)) == ["donghai", "donghai-lib"]
    page.fill("#idp-search", "清华")
    expect(page.locator("#idp-none")).to_be_visible()
    expect(page.locator("#idp-none")).to_have_text("没有与搜索相符的机构。")
    assert page.evaluate("window.notReloaded") is True and "q=" not in page.url  # no reload, no form sent
    page.fill("#idp-search", "Xiling")
    assert shown(page) == ["xiling"]
    page.screenshot(path=str(ARTIFACTS / "discovery-search.png"), full_page=True)

    page.fill("#idp-search", "东海大学统一")
    assert shown(page) == ["donghai"]
    page.click("#idp-list a[data-slug=donghai]")
    expect(page.locator("h1")).to_have_text("IdP sign-in")  # the hub sent the browser to the IdP
    assert idp_pages and idp_pages[0].startswith(SSO_URL + "?SAMLRequest=")

    page.goto(f"{live}/auth/login?lang=en")
    remembered = page.locator("#idp-remembered a")
    expect(remembered).to_have_text("Donghai University SSO")
    expect(remembered).to_have_attribute("data-slug", "donghai")
    expect(page.locator("#idp-remembered")).to_contain_text("Last time you chose")
    page.screenshot(path=str(ARTIFACTS / "discovery-remembered.png"), full_page=True)
    assert_accessible(page, "discovery")


def sign_in(page: playwright_sync.Page, live: str) -> None:
    page.goto(f"{live}/admin/sign-in?lang=zh")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_the_admin_saml_forms(live, page):
    sign_in(page, live)
    page.goto(f"{live}/admin/identity-providers?lang=zh")
    expect(page.locator("#add-saml h2")).to_have_text("添加 SAML 身份提供者")
    expect(page.locator("#add-federation")).to_have_text("添加或刷新联盟")
    expect(page.locator("#federation-list")).to_contain_text("尚无联盟。")
    page.screenshot(path=str(ARTIFACTS / "admin-saml-forms.png"), full_page=True)
    assert_accessible(page, "admin-saml-forms")

    form = page.locator("form[action$='/identity-providers/federations#add-federation']")
    form.locator("input[name=name]").fill("CARSI")
    form.locator("input[name=url]").fill(f"{live}/data/aggregate-unsigned.xml")
    form.locator("textarea[name=certificate]").fill((DATA / "federation.crt").read_text())
    form.locator("textarea[name=mapping]").fill("univ-c.edu.cn=univ-b")
    form.locator("button[type=submit]").click()
    error = page.locator("#federations p.error")
    expect(error).to_contain_text("元数据聚合未签名：平台已拒绝。")
    expect(error).to_be_in_viewport()  # the refused form's page opens at the form (#add-federation)
    page.screenshot(path=str(ARTIFACTS / "admin-federation-refused-view.png"))
    expect(form.locator("input[name=name]")).to_have_value("CARSI")  # the form keeps what was typed
    page.screenshot(path=str(ARTIFACTS / "admin-federation-refused.png"), full_page=True)
    assert_accessible(page, "admin-federation-refused")

    form.locator("input[name=url]").fill(f"{live}/data/aggregate-good.xml")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.flash")).to_contain_text("联盟 CARSI 已刷新：新增 2 个")
    row = page.locator("#federation-list tr[data-federation=CARSI]")
    expect(row).to_contain_text("2100-")
    expect(row.locator("button")).to_have_text("立即刷新")
    expect(page.locator("#providers")).to_contain_text("univ-a-edu-cn")
    row.locator("button").click()
    expect(page.locator("p.flash")).to_contain_text("联盟 CARSI 已刷新：新增 0 个，更新 2 个")
    page.screenshot(path=str(ARTIFACTS / "admin-federations.png"), full_page=True)
    assert_accessible(page, "admin-federations")


def test_a_refused_saml_form_fits_a_phone(live):
    with chromium_page(width=390, height=844) as phone:
        sign_in(phone, live)
        phone.goto(f"{live}/admin/identity-providers?lang=en")
        form = phone.locator("form[action$='/identity-providers/saml#add-saml']")
        form.locator("input[name=slug]").fill("univ-c")
        form.locator("input[name=metadata_url]").fill(f"{live}/data/no-such-metadata-file-with-a-rather-long-name.xml")
        form.locator("button[type=submit]").click()
        error = phone.locator("#add-saml p.error")
        expect(error).to_contain_text("The metadata could not be read from this address.")
        expect(error).to_be_in_viewport()
        expect(form.locator("input[name=slug]")).to_have_value("univ-c")
        assert_accessible(phone, "refused SAML form, phone")
        scroll = phone.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"the page is {scroll}px wide on a 390px phone"
        phone.screenshot(path=str(ARTIFACTS / "admin-saml-refused-phone.png"))
