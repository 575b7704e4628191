"""Every message of the portal's templates and code has a Chinese translation, catalogs compile, and a page
shows one language at a time (no English interface text on a Chinese page, and the reverse)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hub.pipeline.index import index_records
from hub.web.i18n import SOURCE, compile_catalogs
from tests.search.conftest import add_member, add_record, attach_text

ROOT = Path(__file__).resolve().parents[2]


def _extracted() -> set[str]:
    ids: set[str] = set()
    for folder, method in ((ROOT / "themes" / "default" / "templates", "jinja2"), (ROOT / "hub" / "web" / "portal", "python")):
        pattern = "*.html" if method == "jinja2" else "*.py"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
                folder, method_map=[(pattern, method)], keywords={"_": None, "gettext": None, "lazy_gettext": None}):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_portal_message_is_translated_to_chinese():
    with (SOURCE / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    wanted = _extracted()
    assert len(wanted) > 100
    assert sorted(wanted - translated) == []


def test_catalogs_compile_without_network(tmp_path):
    target = compile_catalogs(tmp_path)
    assert (target / "zh" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000


# --- one language at a time ---------------------------------------------------------------------------

CJK = re.compile(r"[\u3400-\u9fff]")
# Pages a visitor reads; the record pages are added by the fixture.
PAGES = ["/", "/search?q=learning", '/search?q="unclosed', "/search?q=year:20x", "/search?q=zzqqxx",
         "/institutions/", "/institutions/pku", "/browse/", "/browse/type", "/browse/subject", "/statistics",
         "/statistics/pku", "/about", "/help", "/contact", "/privacy", "/data", "/no/such/page"]
# What the fixture harvested (shown as the repository sent it, in whatever language it is written).
HARVESTED = ("机器学习在医学影像中的应用", "本文讨论机器学习。", "人工智能", "Deep learning for sensor networks",
             "Sensor networks and learning.", "Computer science", "Wang, Li", "Peking University Repository",
             "Fudan University Repository",
             "计算机科学")  # the vocabulary's form of "Computer science" (hub.normalise.vocab), a subject as harvested
# Example queries the pages offer: bilingual on purpose, the collection is.
EXAMPLES = ("机器学习", "气候", "石墨烯", "物理")
RAW_CODES = re.compile(r"(?<![\w/=:.-])(zho|eng|HANDLE|doctoral thesis|journal article|und)(?![\w/=-])")


class _VisibleText(HTMLParser):
    """The text a visitor reads or hears: element text and the attributes read aloud, outside
    scripts, styles, code samples and elements marked as being in another language."""

    SKIP = {"script", "style", "code"}
    READ = ("aria-label", "placeholder", "title", "alt")

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[bool] = []  # per open element: is it skipped
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other = attrs.get("lang") and not attrs["lang"].startswith(self.page_lang) and tag != "html"
        skipped = (bool(self.stack) and self.stack[-1]) or tag in self.SKIP or bool(other)
        if tag not in ("meta", "link", "input", "br", "img", "hr", "source", "col", "area", "base", "wbr"):
            self.stack.append(skipped)
        if not skipped:
            self.parts += [attrs[a] for a in self.READ if attrs.get(a)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(page: str, lang: str) -> str:
    parser = _VisibleText(lang)
    parser.feed(page)
    text = " ".join(" ".join(parser.parts).split())
    for value in HARVESTED + EXAMPLES:
        text = text.replace(value, " ")
    return text


def _catalog_pairs() -> list[tuple[str, str]]:
    """(English, Chinese) of every translated message, split at its placeholders."""
    with (SOURCE / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    pairs = []
    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        english = [p.strip() for p in re.split(r"%\(\w+\)s|%s|%d", message.id)]
        chinese = [p.strip() for p in re.split(r"%\(\w+\)s|%s|%d", message.string)]
        pairs += [(e, "") for e in english if len(re.findall(r"[A-Za-z]{2,}", e)) >= 2 and e != message.string]
        pairs += [("", c) for c in chinese if len(CJK.findall(c)) >= 2]
    return pairs


@pytest.fixture
def rendered(client, hub):
    """Every main page of a small bilingual collection, in Chinese and in English."""
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", abstract="本文讨论机器学习。",
                      year=2016, subjects=("人工智能",), languages=("zho",),
                      identifiers=[{"scheme": "handle", "value": "2115/1234"}]),
           add_record(hub, fdu, 2, title="Deep learning for sensor networks", abstract="Sensor networks and learning.",
                      year=2012, rtype="doctoral thesis", subjects=("Computer science",))]
    attach_text(hub, ids[1], "Chapter one.", data=b"%PDF-1.4\n")
    index_records(hub, ids)
    pages = PAGES + [f"/records/{i}" for i in ids] + ["/statistics/fdu"]
    out = {}
    for lang in ("zh", "en"):
        for path in pages:
            sep = "&" if "?" in path else "?"
            out[(lang, path)] = visible_text(client.get(f"{path}{sep}lang={lang}").get_data(as_text=True), lang)
    return out


def test_the_chinese_portal_shows_no_english_interface_text(rendered):
    english = sorted({e for e, _ in _catalog_pairs() if e})
    assert len(english) > 100
    found = {path: [e for e in english if e in text] for (lang, path), text in rendered.items() if lang == "zh"}
    assert {path: hits for path, hits in found.items() if hits} == {}
    raw = {path: RAW_CODES.findall(text) for (lang, path), text in rendered.items() if lang == "zh"}
    assert {path: hits for path, hits in raw.items() if hits} == {}


def test_the_english_portal_shows_no_chinese_interface_text(rendered):
    chinese = sorted({c for _, c in _catalog_pairs() if c})
    found = {path: [c for c in chinese if c in text] for (lang, path), text in rendered.items() if lang == "en"}
    assert {path: hits for path, hits in found.items() if hits} == {}
    leftover = {path: CJK.findall(text) for (lang, path), text in rendered.items() if lang == "en"}
    assert {path: "".join(hits) for path, hits in leftover.items() if hits} == {}


def test_accept_language_picks_the_first_language_the_hub_speaks(client):
    from hub.web.i18n import accepted_locale

    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in client.get("/", headers={"Accept-Language": "zh-TW,en;q=0.8"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.9,en;q=0.3,zh;q=0.2"}).get_data(
        as_text=True)
    chosen = client.get("/?lang=zh", headers={"Accept-Language": "en"})  # a choice beats the header
    assert 'lang="zh-CN"' in chosen.get_data(as_text=True)
    assert 'lang="zh-CN"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)  # cookie
    assert "Accept-Language" in chosen.headers.get("Vary", "")
    from flask import Flask

    with Flask(__name__).test_request_context("/"):
        assert accepted_locale("fr, de;q=0.5") is None  # then DEFAULT_LOCALE decides
        assert accepted_locale("*") is None
        assert accepted_locale("en;q=0, zh;q=0.1") == "zh"
        assert accepted_locale("garbage;;;q=x") is None


BAD_QUERIES = ['title:', '"unclosed', '""', "a)", "(a", "OR a", "a OR", "a NOT", " ".join(["w"] * 40),
               "title:!!!", "year:20x", "year:2015-2010", "year:0999", "year:3000", "-a OR b", "NOT NOT a", "x" * 600, "-a"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_every_query_error_reads_in_chinese_and_in_english(app, query):
    from hub.search import SearchError
    from hub.search.query import parse_query
    from hub.web.portal.search_errors import search_error_text

    with pytest.raises(SearchError) as caught:
        parse_query(query)
    with app.test_request_context("/search?lang=zh"):
        zh = search_error_text(caught.value)
    with app.test_request_context("/search?lang=en"):
        en = search_error_text(caught.value)
    assert CJK.search(zh) and not zh.startswith("无法解析检索式"), (str(caught.value), zh)  # a known shape, translated
    assert not CJK.search(en.replace("气候", "")) and en[0].isupper() or en.startswith(("'", '"', "year:", "fulltext=")), en


def test_the_search_window_and_filter_errors_are_translated(app):
    from hub.search import SearchRequest
    from hub.search.base import validate
    from hub.web.portal.search_errors import search_error_text

    cases = [SearchRequest(page=0), SearchRequest(size=1000), SearchRequest(page=10_000, size=100),
             SearchRequest(filters={"fulltext": ["maybe"]}), SearchRequest(filters={"colour": ["red"]}),
             SearchRequest(filters={"year": ["20x"]})]
    for req in cases:
        with pytest.raises(Exception) as caught:
            validate(req, 10_000)
        with app.test_request_context("/search?lang=zh"):
            zh = search_error_text(caught.value)
        assert CJK.search(zh) and not zh.startswith("无法解析检索式"), (str(caught.value), zh)


def test_regions_types_languages_and_identifiers_as_words(app):
    from hub.web.portal.labels import identifier_label, language_name, region_name, type_label

    assert region_name("Shanghai", "zh") == "上海" and region_name("上海", "en") == "Shanghai"
    assert region_name("上海市", "en") == "Shanghai" and region_name("Inner Mongolia", "zh") == "内蒙古"
    assert region_name("广西壮族自治区", "en") == "Guangxi" and region_name("Sichuan Province", "zh") == "四川"
    assert region_name("Bavaria", "zh") == "Bavaria" and region_name("", "zh") == ""  # unknown: as registered
    with app.test_request_context("/?lang=zh"):
        assert language_name("zho") == language_name("zh") == language_name("chi") == "中文"
        assert language_name("xyz") == "xyz"
        assert type_label("doctoral thesis") == "博士学位论文" and type_label("Letter To The Editor") != "Letter To The Editor"
        assert identifier_label("handle") == "Handle 标识" and identifier_label("HANDLE") == "Handle 标识"
    with app.test_request_context("/?lang=en"):
        assert identifier_label("handle") == "Handle" and identifier_label("isbn") == "ISBN"


def test_every_coar_resource_type_has_a_chinese_label():
    from hub.normalise.coar import RESOURCE_TYPE_LABELS
    from hub.web.portal.labels import TYPES

    with (SOURCE / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        translated = {m.id: m.string for m in read_po(fh) if m.id and m.string}
    labels = {v.split("|")[0] for v in RESOURCE_TYPE_LABELS.values()}
    assert labels <= set(TYPES)
    assert sorted(label for label in labels if not CJK.search(translated.get(label, ""))) == []


def test_a_language_chosen_on_a_page_that_redirects_is_remembered(client):
    """``/admin/?lang=zh`` redirects to the sign-in page before anything asks the language: the cookie is set."""
    response = client.get("/admin/?lang=en", headers={"Accept-Language": "zh"})
    assert response.status_code in (301, 302, 303)
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "lang=" not in client.get("/admin/?lang=fr").headers.get("Set-Cookie", "")  # not a language: no cookie


@pytest.mark.parametrize("line, zh, en", [
    ("started", "已在后台开始", "started in the background"),
    ("queued as task 7f3", "已排队，任务 7f3", "queued as task 7f3"),
    ("harvested, ok", "已收割（ok）", "harvested (ok)"),
])
def test_the_admin_says_how_a_harvest_started_in_the_page_language(app, line, zh, en):
    from flask_babel import gettext

    from hub.web.admin.repositories import how_started

    with app.test_request_context("/admin/?lang=zh"):
        chinese = gettext("Harvest %(how)s.", how=how_started(line))
    with app.test_request_context("/admin/?lang=en"):
        english = gettext("Harvest %(how)s.", how=how_started(line))
    assert chinese == f"收割：{zh}。" and not re.search(r"[a-z]{3}", chinese.replace("ok", ""))
    assert english == f"Harvest {en}." and not CJK.search(english)
