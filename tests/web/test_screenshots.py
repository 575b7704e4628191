"""Screenshots and the accessibility check of the pages a visitor and an administrator meet first.

A real portal runs on loopback (werkzeug in a thread) over a small bilingual collection, with a hub
administrator. For each language (zh, en) and width (a 1280 px desktop, a 390 px phone) the test
writes screenshots of the home, search, record, statistics and admin dashboard pages to
test-artifacts/ (``shot-<page>-<lang>-<device>.png``) and runs axe-core (tests/a11y.py) over the
portal's main pages (home, search, record, institution, statistics, about) and the dashboard: any
serious or critical violation fails the test. The pictures are for people to look at (CI keeps them).
"""

from __future__ import annotations

import threading

import pytest

from hub.accounts.users import create_user
from hub.models import Role
from hub.pipeline.index import index_records
from tests.a11y import axe_violations, describe
from tests.admin.conftest import PASSWORD
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record, attach_text

PHONE = 390
SHOTS = ("home", "search", "record", "statistics", "admin-dashboard")


@pytest.fixture
def served(hub, app):
    """The hub on 127.0.0.1:<free port>: two members, records in both languages, a hub administrator."""
    from werkzeug.serving import make_server

    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho",
                      abstract="本文讨论机器学习在医学影像中的应用。", year=2016, subjects=("人工智能",),
                      languages=("zho",), doi="10.1000/chair.1"),
           add_record(hub, fdu, 2, title="Deep learning for sensor networks", abstract="Sensor networks and learning.",
                      year=2012, rtype="doctoral thesis", subjects=("Computer science",))]
    for n in range(3, 15):
        ids.append(add_record(hub, pku if n % 2 else fdu, n, title=f"统计学习方法研究 {n}", title_lang="zho",
                              year=2000 + n, languages=("zho",), subjects=("统计学",)))
    attach_text(hub, ids[1], "Chapter one: deep learning on sensor networks.", data=b"%PDF-1.4\n% sensor paper\n")
    index_records(hub, ids)
    with hub.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(5)


def portal_pages(record_id: int) -> dict[str, str]:
    return {"home": "/", "search": "/search?q=learning", "record": f"/records/{record_id}",
            "institution": "/institutions/pku", "statistics": "/statistics", "about": "/about"}


@pytest.mark.parametrize("width", [1280, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_and_accessibility_of_the_first_pages(served, lang, width):
    base, ids = served
    device = "phone" if width == PHONE else "desktop"
    failures: dict[str, str] = {}
    with chromium_page(width=width, height=900) as page:
        for name, path in portal_pages(ids[1]).items():
            response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response is not None and response.status == 200, (path, response and response.status)
            assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en"), path
            if name in SHOTS:
                page.screenshot(path=str(ARTIFACTS / f"shot-{name}-{lang}-{device}.png"), full_page=True)
            found = axe_violations(page)
            if found:
                failures[path] = describe(found)
        page.goto(f"{base}/admin/sign-in?lang={lang}")
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        page.screenshot(path=str(ARTIFACTS / f"shot-admin-dashboard-{lang}-{device}.png"), full_page=True)
        found = axe_violations(page)
        if found:
            failures["/admin/"] = describe(found)
    for name in SHOTS:
        assert (ARTIFACTS / f"shot-{name}-{lang}-{device}.png").stat().st_size > 0
    assert not failures, "accessibility violations:\n" + "\n".join(f"{p}: {v}" for p, v in failures.items())
