"""Browser tests of the portal's own pages: home, statistics, about/help/contact/privacy and an
institution page, in Chinese and English, on a desktop and on a 390 px phone (Debian's Chromium
through Playwright, against a real running portal). Screenshots go to test-artifacts/."""

from __future__ import annotations

import threading

import pytest

from hub.pipeline.index import index_records
from tests.a11y import assert_accessible
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
            assert_accessible(page, f"{path} ({lang}, {width}px)")


def test_statistics_reached_from_home_and_institution_with_hover_values_and_tables(portal):
    with chromium_page(width=PHONE, height=800) as page:
        page.goto(portal + "/?lang=en")
        page.click("#home-statistics")
        page.wait_for_url("**/statistics")
        assert page.locator("h1").inner_text() == "Statistics of the network"
        assert page.locator("#stat-records strong").inner_text() == "23"
        growth = page.locator("#chart-growth svg")
        assert growth.get_attribute("aria-label") == "Growth: records published up to each year"
        assert growth.bounding_box()["width"] <= PHONE
        last = page.locator("#chart-growth circle.chart-point title").last
        assert last.text_content() == "2018: 23"  # what a hover shows
        label = page.locator("#chart-languages text.chart-label").first
        assert label.text_content() == "Chinese"
        assert page.evaluate("getComputedStyle(document.querySelector('#chart-languages text.chart-label'))"
                             ".fontSize") == "12px"  # text at its own size on a phone, not scaled down
        page.click("#chart-types summary")
        assert page.locator("#chart-types table td").first.inner_text() == "journal article"
        page.click("#lang-switch")
        page.wait_for_url("**/statistics?lang=zh")
        assert page.locator("h1").inner_text() == "全网统计"
        assert page.locator("#chart-languages text.chart-label").first.text_content() == "中文"
        page.goto(portal + "/institutions/pku")
        page.click("#institution-statistics")
        page.wait_for_url("**/statistics/pku")
        assert page.locator("h1").inner_text() == "统计：北京大学"
        assert page.locator("#stat-records strong").inner_text() == "21"


def test_footer_leads_to_each_page_about_the_hub(portal):
    with chromium_page(width=1280, height=900) as page:
        page.goto(portal + "/?lang=zh")
        for name, heading in (("about", "关于"), ("help", "帮助"), ("contact", "联系我们"), ("privacy", "隐私")):
            page.click(f"footer.site a[href='/{name}']")
            page.wait_for_url(f"**/{name}")
            assert page.locator("h1").inner_text().startswith(heading)
        page.click("#lang-switch")
        page.wait_for_url("**/privacy?lang=en")
        assert page.locator("h1").inner_text() == "Privacy"
