"""Browser tests of the portal's own pages: home, statistics, about/help/contact/privacy and an
institution page, in Chinese and English, on a desktop and on a 390 px phone (Debian's Chromium
through Playwright, against a real running portal). Screenshots go to test-artifacts/."""

from __future__ import annotations

import threading

import pytest

from hub.pipeline.index import index_records
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record, attach_text

PHONE = 390
PAGES = {"home": "/", "statistics": "/statistics", "institution": "/institutions/pku", "about": "/about",
         "help": "/help", "contact": "/contact", "privacy": "/privacy", "member-statistics": "/statistics/pku"}


@pytest.fixture
def portal(hub, app):
    """The portal on 127.0.0.1:<free port>: two members, records over several years, types and languages."""
    from werkzeug.serving import make_server

    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", year=2016,
                      subjects=("人工智能",), languages=("zho",)),
           add_record(hub, fdu, 2, title="Deep learning for sensor networks", year=2012, rtype="doctoral thesis",
                      subjects=("Computer science",)),
           add_record(hub, fdu, 3, title="Graphene membranes", year=2018, rtype="master thesis")]
    for n in range(4, 24):
        ids.append(add_record(hub, pku, n, title=f"统计学习方法研究 {n}", title_lang="zho", year=1995 + n,
                              languages=("zho",), subjects=("统计学",)))
    attach_text(hub, ids[1], "Chapter one: deep learning on sensor networks.", data=b"%PDF-1.4\n% sensor paper\n")
    index_records(hub, ids)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1280, PHONE])
def test_pages_in_both_languages_desktop_and_phone(portal, lang, width):
    with chromium_page(width=width, height=900) as page:
        for name, path in PAGES.items():
            page.goto(f"{portal}{path}?lang={lang}")
            assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{name}: {scroll}px wide at {width}px"
            device = "phone" if width == PHONE else "desktop"
            page.screenshot(path=str(ARTIFACTS / f"page-{name}-{lang}-{device}.png"), full_page=True)
