"""Browser tests: Debian's Chromium driven by Playwright against a real running portal.

A werkzeug server runs the app in a thread on a free loopback port, with records created
for the test (one with a stored PDF). Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hub.pipeline.index import index_records
from tests.browser import ARTIFACTS, chromium_page
from tests.search.conftest import add_member, add_record, attach_text


@pytest.fixture
def portal(hub, app):
    """The portal served on 127.0.0.1:<free port> with a small bilingual collection."""
    from werkzeug.serving import make_server

    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", abstract="本文讨论机器学习在影像中的应用。",
                      year=2016, subjects=("人工智能",), languages=("zho",)),
           add_record(hub, fdu, 2, title="Deep learning for sensor networks", abstract="Sensor networks and learning.",
                      year=2012, rtype="doctoral thesis", subjects=("Computer science",)),
           add_record(hub, fdu, 3, title="Graphene membranes", abstract="Materials.", year=2018)]
    for n in range(4, 14):
        ids.append(add_record(hub, pku, n, title=f"统计学习方法研究 {n}", title_lang="zho", year=2000 + n))
    attach_text(hub, ids[1], "Chapter one: deep learning on sensor networks.", data=b"%PDF-1.4\n% sensor paper\n")
    index_records(hub, ids)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page():
    with chromium_page(height=900) as opened:
        yield opened


def test_search_facets_record_download_and_language(portal, page):
    base, ids = portal
    page.goto(base + "/?lang=zh")  # Chromium asks for en-US (Accept-Language); the visitor chooses Chinese
    assert page.locator("h2#h-new").inner_text() == "最新记录"
    page.screenshot(path=str(ARTIFACTS / "home-zh.png"), full_page=True)

    page.fill("#q", "机器学习")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("#h-count").inner_text() == "共 1 条结果"
    assert page.locator("ol.results mark").first.inner_text() == "机器学习"

    page.fill("#q-top", "learning")
    page.click("form.searchbar button")
    page.wait_for_url("**/search?q=learning")
    assert page.locator("ol.results li.result").count() == 1
    page.click("a[data-facet='type']")
    page.wait_for_url("**type=doctoral+thesis*")
    assert page.locator(".chosen .chip").count() == 1
    page.screenshot(path=str(ARTIFACTS / "search-facet-zh.png"), full_page=True)

    page.click("ol.results h3 a")
    page.wait_for_url(f"**/records/{ids[1]}")
    assert page.locator("h1").inner_text() == "Deep learning for sensor networks"
    with page.expect_download() as info:
        page.click("ul.files a")
    download = info.value
    assert Path(download.path()).read_bytes().startswith(b"%PDF-1.4")

    page.click("#lang-switch")
    page.wait_for_url(f"**/records/{ids[1]}?lang=en")
    assert page.locator("#h-files").inner_text() == "Files"
    page.screenshot(path=str(ARTIFACTS / "record-en.png"), full_page=True)
    page.goto(base + "/search?q=统计学习")
    assert page.locator("#h-count").inner_text() == "10 results"  # English remembered


def test_phone_layout_and_keyboard(portal, page):
    base, _ids = portal
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base + "/search?q=统计学习&lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    # results on the first screen of a phone: the filters are one collapsed line above them
    assert page.locator("details.filters").get_attribute("open") is None
    assert page.locator("ol.results li.result").first.bounding_box()["y"] < 740
    page.screenshot(path=str(ARTIFACTS / "search-phone-en.png"), full_page=True)
