"""Browser tests of the statistics charts as a person explores them (Debian's Chromium through
Playwright, a running portal): in Chinese and English on a 390 px phone, a hover value on a column,
a click on a year's column and on a type's bar lands on the search of exactly those records, a
keyboard user reaches a bar's link; screenshots in test-artifacts/, axe on each page."""

from __future__ import annotations

import re
import threading

import pytest

from hub.pipeline.index import index_records
from hub.stats.aggregates import clear_cache
from tests.a11y import assert_accessible
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record

PHONE = 390


@pytest.fixture
def portal(hub, app):
    """The portal on 127.0.0.1:<free port>: two members, records in 2015 and 2016 of two types."""
    from werkzeug.serving import make_server

    clear_cache()
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, n, title=f"机器学习 {n}", title_lang="zho", year=2015, languages=("zho",))
           for n in range(1, 4)]
    ids += [add_record(hub, fdu, 10, title="Deep learning", year=2016, rtype="doctoral thesis"),
            add_record(hub, pku, 11, title="Graphs", year=2016)]
    index_records(hub, ids)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _count(page) -> int:
    return int(re.sub(r"\D", "", page.locator("#h-count").inner_text()))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_click_on_a_column_or_bar_lands_on_its_records(portal, lang):
    with chromium_page(width=PHONE, height=800) as page:
        page.goto(f"{portal}/statistics?lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        column = page.locator("#chart-years a.chart-link").filter(has=page.locator("title", has_text="2015"))
        assert column.locator("title").text_content() == "2015: 3"  # what a hover shows
        page.screenshot(path=str(ARTIFACTS / f"charts-statistics-{lang}-phone.png"), full_page=True)
        assert_accessible(page, f"/statistics ({lang}, 390px)")
        column.click()
        page.wait_for_url("**/search?from=2015&to=2015")
        assert _count(page) == 3
        page.go_back()
        thesis = page.locator("#chart-types a.chart-link").filter(has=page.locator("title", has_text=": 1"))
        thesis.locator("rect").click()  # on the bar itself
        page.wait_for_url("**/search?type=doctoral+thesis")
        assert _count(page) == 1
        assert_accessible(page, f"/search?type=doctoral thesis ({lang}, 390px)")


def test_a_members_column_by_keyboard_keeps_to_its_records(portal):
    with chromium_page(width=1280, height=900) as page:
        page.goto(f"{portal}/statistics/pku?lang=en")
        link = page.locator("#chart-years a.chart-link").filter(has=page.locator("title", has_text="2016"))
        link.focus()
        assert page.evaluate("document.activeElement.querySelector('title').textContent") == "2016: 1"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"  # the focus shows
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?institution=pku&from=2016&to=2016")
        assert _count(page) == 1
        page.goto(f"{portal}/statistics?lang=en")
        region = page.locator("#chart-regions a.chart-link")
        assert region.locator("title").text_content() == "Beijing: 5"
        region.locator("rect").click()
        page.wait_for_url("**/institutions/?region=Beijing#members")
        assert page.locator("#members table tbody tr").count() == 2
