"""OAI-PMH in a browser: every response names the hub's XSL stylesheet, which renders it as a page.

The processing instruction sits between the XML declaration and the root (the schemas still
validate: the ``oai`` fixture checks every response); the stylesheet is a static file of the theme.
It is checked twice: transformed by libxslt through lxml (every verb and an error, the links it
writes), and in Chromium, which applies it to XML served as text/xml (the repository name, the
next-page link followed, a record opened, no Content-Security-Policy violation).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from lxml import etree, html

from tests.browser import ARTIFACTS, chromium_page
from tests.provider.conftest import OAI, PREFIX, identifiers, token

PI = re.compile(rb'^<\?xml version="1.0" encoding="UTF-8"\?>\n<\?xml-stylesheet type="text/xsl" href="([^"]+)"\?>\n'
                rb"<OAI-PMH ")
NAME = "示范仓储 Demo Hub"

VERBS = [
    {"verb": "Identify"},
    {"verb": "ListMetadataFormats"},
    {"verb": "ListSets"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
    {"verb": "ListRecords", "metadataPrefix": "mods"},
    {"verb": "GetRecord", "metadataPrefix": "oai_openaire", "identifier": f"oai:{PREFIX}:1"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{PREFIX}:999"},  # an error
    {"verb": "Bogus"},
]


@pytest.fixture
def overrides(overrides: dict[str, object]) -> dict[str, object]:
    return {**overrides, "REPOSITORY_NAME": NAME}


@pytest.fixture
def stylesheet(client) -> etree.XSLT:
    """The theme's stylesheet as the hub serves it, compiled by libxslt."""
    response = client.get("/static/oai.xsl")
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] in ("application/xslt+xml", "text/xsl", "application/xml",
                                                              "text/xml")
    return etree.XSLT(etree.fromstring(response.get_data(), etree.XMLParser(no_network=True, resolve_entities=False)))


def render(client, stylesheet: etree.XSLT, **arguments: str) -> html.HtmlElement:
    """The page a browser shows for the OAI-PMH request ``arguments``."""
    with client.get("/oai", query_string=arguments) as response:
        body = response.get_data()
    result = stylesheet(etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False)))
    return html.fromstring(str(result))


@pytest.mark.parametrize("arguments", VERBS, ids=lambda a: "-".join(a.values())[:40])
def test_every_response_names_the_stylesheet_and_still_validates(oai, client, network, arguments):
    oai(_format=arguments.get("metadataPrefix"), **arguments)  # the schemas still accept it
    for send in (lambda: client.get("/oai", query_string=arguments), lambda: client.post("/oai", data=arguments)):
        with send() as response:
            body = response.get_data()
        match = PI.match(body)
        assert match, body[:200]
        assert match.group(1) == b"/static/oai.xsl"
        with client.get(match.group(1).decode()) as stylesheet:
            assert stylesheet.status_code == 200


def test_a_continued_list_names_it_too(oai, client, network):
    first = oai(verb="ListRecords", metadataPrefix="oai_dc")
    with client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": token(first).text}) as following:
        assert PI.match(following.get_data())


def test_identify_shows_the_repository(client, network, stylesheet):
    page = render(client, stylesheet, verb="Identify")
    assert page.xpath("string(//h2[@class='oai-repository-name'])") == NAME
    assert NAME in page.xpath("string(//title)")
    assert "persistent" in page.text_content() and "https://hub.example.org/oai" in page.text_content()
    assert page.xpath("//link[@rel='stylesheet']/@href") == ["./static/css/oai.css"]
    assert not page.xpath("//script | //*[@style] | //style")  # nothing the CSP would refuse


def test_list_pages_link_to_the_next_page_and_to_each_record(client, network, stylesheet, oai):
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    page = render(client, stylesheet, verb="ListRecords", metadataPrefix="oai_dc")
    [next_link] = page.xpath("//a[@rel='next']/@href")
    linked = parse_qs(urlsplit(next_link).query)
    assert set(linked) == {"verb", "resumptionToken"} and linked["verb"] == ["ListRecords"]
    # the link's token (the rendered request's own: its issue second may differ) leads to the next page
    assert identifiers(oai(verb="ListRecords", resumptionToken=linked["resumptionToken"][0])) == \
        identifiers(oai(verb="ListRecords", resumptionToken=token(root).text))
    assert f"1–7 of 共 {token(root).get('completeListSize')}" in page.xpath("string(//p[@class='oai-position'])")
    get_records = [parse_qs(urlsplit(h).query) for h in page.xpath("//a[text()='GetRecord']/@href")]
    assert [q["identifier"][0] for q in get_records] == identifiers(root)
    assert {q["metadataPrefix"][0] for q in get_records} == {"oai_dc"}
    portal = page.xpath("//a[starts-with(@href, './records/')]/@href")
    deleted = [h.findtext(f"{OAI}identifier") for h in root.iter(f"{OAI}header") if h.get("status") == "deleted"]
    assert portal == [f"./records/{i.rsplit(':', 1)[1]}" for i in identifiers(root) if i not in deleted]
    # the last page of the list says so instead of linking further
    while token(root).text:
        last = {"verb": "ListRecords", "resumptionToken": token(root).text}
        root = oai(**last)
    result = render(client, stylesheet, **last)
    assert not result.xpath("//a[@rel='next']") and "End of the list" in result.text_content()


def test_harvested_markup_is_text_on_the_page(client, network, stylesheet):
    page = render(client, stylesheet, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:{PREFIX}:1")
    assert "fusion & <attention>." in page.text_content()
    assert not page.xpath("//attention")


@pytest.mark.parametrize("arguments", VERBS, ids=lambda a: "-".join(a.values())[:40])
def test_every_verb_renders(client, network, stylesheet, arguments):
    page = render(client, stylesheet, **arguments)
    heading = page.xpath("string(//h1)")
    if arguments in (VERBS[-2], VERBS[-1]):
        code = "idDoesNotExist" if arguments["verb"] == "GetRecord" else "badVerb"
        assert heading.startswith("Error") and code in page.xpath("string(//div[@class='oai-error'])")
    else:
        assert heading == arguments["verb"]
    kinds = {"ListMetadataFormats": "//td/code[text()='mods']", "ListSets": "//a[contains(@href, 'set=inst')]",
             "ListIdentifiers": "//a[text()='GetRecord']", "GetRecord": "//article[@class='oai-record']//th"}
    if arguments["verb"] in kinds and "999" not in arguments.get("identifier", ""):
        assert page.xpath(kinds[arguments["verb"]]), arguments


@pytest.fixture
def live(app, network) -> Iterator[str]:
    """The hub served on a free loopback port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


# Chromium 143+ puts a banner of its own into every page made by XSLT (XSLT in browsers is being
# deprecated), written with inline style and an inline event handler: the hub's CSP refuses those.
BANNER = "xslt-warning-banner"
BANNER_VIOLATIONS = ("Applying inline style violates", "Executing inline event handler violates")
OWN_INLINE = """() => [...document.querySelectorAll('*')].filter(e => !e.closest('xslt-warning-banner')).filter(e =>
    e.hasAttribute('style') || e.tagName === 'SCRIPT' || e.tagName === 'STYLE' ||
    [...e.attributes].some(a => a.name.startsWith('on'))).length"""


def assert_no_violation_of_ours(page) -> None:
    """The page's own content breaks no CSP rule: what Chromium refused was its banner's."""
    assert page.evaluate(OWN_INLINE) == 0
    ours = [v for v in page.csp_violations if not any(kind in v for kind in BANNER_VIOLATIONS)]
    assert not ours, ours
    assert not page.csp_violations or page.locator(BANNER).count() == 1


def test_chromium_shows_the_pages_and_follows_next(live):
    with chromium_page(height=900, allow_csp_violations=True) as page:
        page.goto(live + "/oai?verb=Identify")
        assert page.locator("h2.oai-repository-name").inner_text() == NAME
        page.screenshot(path=str(ARTIFACTS / "oai-identify.png"), full_page=True)
        page.goto(live + "/oai?verb=ListRecords&metadataPrefix=oai_dc")
        assert page.locator("p.oai-position").inner_text().startswith("Items 条目 1–7 of 共")
        first_titles = page.locator("article.oai-record h2").all_inner_texts()
        page.screenshot(path=str(ARTIFACTS / "oai-listrecords.png"), full_page=True)
        page.locator("a[rel=next]").click()
        page.wait_for_url("**resumptionToken=*")
        assert page.locator("p.oai-position").inner_text().startswith("Items 条目 8–14 of 共")
        assert page.locator("article.oai-record h2").all_inner_texts() != first_titles
        page.locator("a", has_text="GetRecord").first.click()
        page.wait_for_url("**verb=GetRecord*")
        assert page.locator("h1").inner_text() == "GetRecord"
        assert page.locator("article.oai-record table.oai-fields th").count() > 3
        page.screenshot(path=str(ARTIFACTS / "oai-getrecord.png"), full_page=True)
        # the stylesheet's own style sheet applied (no inline style: the CSP forbids it)
        colour = page.evaluate("getComputedStyle(document.querySelector('header.oai-bar')).backgroundColor")
        assert colour == "rgb(138, 28, 28)"
        assert_no_violation_of_ours(page)


def test_the_html_view_renders_on_the_server(client, network, oai):
    response = client.get("/oai/view?verb=Identify")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = html.fromstring(response.get_data(as_text=True))
    assert page.xpath("string(//h2[@class='oai-repository-name'])") == NAME
    [css] = page.xpath("//link[@rel='stylesheet']/@href")
    assert css == "../static/css/oai.css" and client.get("/static/css/oai.css").status_code == 200
    assert html.fromstring(client.get("/oai/view").get_data(as_text=True)).xpath("string(//h1)") == "Identify"
    first = html.fromstring(client.get("/oai/view?verb=ListRecords&metadataPrefix=oai_dc").get_data(as_text=True))
    [following] = first.xpath("//a[@rel='next']/@href")
    assert following.startswith("?verb=ListRecords&resumptionToken=")
    second = html.fromstring(client.get("/oai/view" + following).get_data(as_text=True))
    assert second.xpath("string(//p[@class='oai-position'])").startswith("Items 条目 8–14")
    portal = second.xpath("//a[starts-with(@href, '../records/')]/@href")
    assert portal and all(client.get(urljoin("/oai/view", href)).status_code == 200 for href in portal[:2])


@pytest.mark.parametrize("query", ["verb=%3Cscript%3Ealert(1)%3C/script%3E", "verb=GetRecord&identifier=%3Cb%3E",
                                   "verb=ListRecords&resumptionToken=" + "A." * 300, "verb=ListSets&verb=Identify"])
def test_the_html_view_shows_errors_as_text(client, network, query):
    response = client.get("/oai/view?" + query)
    assert response.status_code == 200
    page = html.fromstring(response.get_data(as_text=True))
    assert page.xpath("string(//h1)").startswith("Error") and page.xpath("//div[@class='oai-error']")
    assert not page.xpath("//script | //b")


def test_chromium_shows_the_html_view_without_any_csp_violation(live):
    with chromium_page(height=900) as page:  # fails on any CSP violation
        page.goto(live + "/oai/view?verb=ListIdentifiers&metadataPrefix=oai_dc")
        assert page.locator("h1").inner_text() == "ListIdentifiers"
        assert page.locator(BANNER).count() == 0
        page.locator("a[rel=next]").click()
        page.wait_for_url("**/oai/view?verb=ListIdentifiers&resumptionToken=*")
        assert page.locator("p.oai-position").inner_text().startswith("Items 条目 12–22 of 共")
        page.screenshot(path=str(ARTIFACTS / "oai-view-listidentifiers.png"), full_page=True)
        page.locator("a[href^='../records/']").first.click()
        page.wait_for_url("**/records/*")
