"""Record pages: GB/T 7714-2015 and APA 7 citations ready to copy, the full-text offer (stored copy,
open file at the source, embargo with its end, metadata only), view and download counts, and
handles and DOIs as links."""

from __future__ import annotations

import re

import pytest

from hub.pipeline.index import index_records
from hub.web.portal.citation_styles import apa, apa_name, gbt7714, gbt_name
from hub.web.portal.data import FulltextOffer, fulltext_offer
from tests.search.conftest import add_member, add_record, attach_text


def meta(creators, title="Deep learning", rtype="journal article", **extra):
    return {"titles": [{"value": title}], "creators": [{"name": c} for c in creators], "year": 2016,
            "resource_type_label": rtype, **extra}


def test_gbt7714_names_type_codes_and_et_al():
    assert gbt_name({"name": "Smith, Jane Anne"}) == "SMITH J A"
    assert gbt_name({"name": "Zhang, San-Feng"}) == "ZHANG S F"
    assert gbt_name({"name": "Jane Smith"}) == "SMITH J"
    assert gbt_name({"name": "王力"}) == "王力"
    assert gbt7714(meta(["Smith, Jane", "Li, Wei"], source=["Nature"], doi="10.1/x")) == \
        "SMITH J, LI W. Deep learning[J]. Nature, 2016. DOI:10.1/x."
    zh = meta(["王力", "李四", "张三", "赵六"], title="机器学习综述", source=["计算机学报"], languages=["zho"])
    assert gbt7714(zh) == "王力, 李四, 张三, 等. 机器学习综述[J]. 计算机学报, 2016."
    four = meta(["Smith, J", "Li, W", "Zhao, M", "Chen, X"], languages=["eng"])
    assert gbt7714(four).startswith("SMITH J, LI W, ZHAO M, et al. Deep learning[J]. 2016.")
    assert gbt7714(meta(["马欢"], title="海河流域水循环", rtype="doctoral thesis"), "清华大学") == \
        "马欢. 海河流域水循环[D]. 清华大学, 2016."
    assert "[M]. Springer, 2016." in gbt7714(meta(["Li, W"], rtype="book", publisher=["Springer"]))
    assert "[C]//Proc. ICML. 2016." in gbt7714(meta(["Li, W"], rtype="conference paper", source=["Proc. ICML"]))
    assert "[Z]" in gbt7714(meta(["Li, W"], rtype="other")) and "[DS]" in gbt7714(meta([], rtype="dataset"))


def test_apa7_authors_year_title_source_and_doi():
    assert apa_name({"name": "Smith, Jane Anne"}) == "Smith, J. A."
    assert apa_name({"name": "Zhang, San-Feng"}) == "Zhang, S.-F."
    assert apa(meta(["Smith, Jane"], source=["Nature"], doi="10.1/x"), "http://hub/records/1") == \
        "Smith, J. (2016). Deep learning. Nature. https://doi.org/10.1/x"
    assert apa(meta(["Smith, Jane", "Li, Wei", "Zhao, Min"]), "http://hub/records/1") == \
        "Smith, J., Li, W., & Zhao, M. (2016). Deep learning. http://hub/records/1"
    assert apa(meta(["王力"], title="机器学习综述", rtype="master thesis"), "u", "北京大学") == \
        "王力. (2016). 机器学习综述 [Master's thesis, 北京大学]. u"
    many = apa(meta([f"Author{i}, A" for i in range(25)]), "u")
    assert many.count(", A.") == 20 and ", . . . Author24, A." in many
    assert apa({"titles": [{"value": "Is it?"}]}, "u") == "Is it? (n.d.). u"


def test_fulltext_offer():
    assert fulltext_offer([{"sha256": "x"}], []).kind is FulltextOffer.HUB
    assert fulltext_offer([], [{"url": "https://r.example/a.pdf"}]).kind is FulltextOffer.SOURCE
    embargo = [{"url": "https://r.example/a.pdf", "access": "embargoed", "embargo_until": "2031-05-01"}]
    offer = fulltext_offer([], embargo, today="2026-12-02")
    assert offer.kind is FulltextOffer.EMBARGOED and offer.embargo_until == "2031-05-01"
    assert fulltext_offer([], embargo, today="2031-05-02").kind is FulltextOffer.SOURCE  # the embargo ended
    assert fulltext_offer([], [{"url": "https://r/a", "access": "restricted"}]).kind is FulltextOffer.RESTRICTED
    assert fulltext_offer([], [{"url": "javascript:alert(1)"}]).kind is FulltextOffer.NONE
    assert fulltext_offer([], []).kind is FulltextOffer.NONE


@pytest.fixture
def records(hub, app):
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    ids = {
        "stored": add_record(hub, pku, 1, title="Deep learning for sensors", creators=("Smith, Jane",),
                             doi="10.1234/deep", source=["Sensors"]),
        "embargo": add_record(hub, pku, 2, title="机器学习综述", title_lang="zho", creators=("王力",),
                              languages=("zho",), files=[{"url": "https://repo.example.edu/b.pdf",
                                                          "access": "embargoed", "embargo_until": "2099-01-31",
                                                          "mime_type": "application/pdf"}]),
        "bare": add_record(hub, pku, 3, title="Metadata only record"),
    }
    attach_text(hub, ids["stored"], "Sensor text.")
    index_records(hub, ids.values())
    return ids


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_record_page_citations_ready_to_copy(client, records):
    page = text(client.get(f"/records/{records['stored']}?lang=en"))
    assert '<p id="cite-gbt7714" aria-labelledby="cite-gbt7714-h">SMITH J. Deep learning for sensors[J]. Sensors, ' \
           '2020. DOI:10.1234/deep.</p>' in page
    assert '<p id="cite-apa" aria-labelledby="cite-apa-h">Smith, J. (2020). Deep learning for sensors. Sensors. ' \
           'https://doi.org/10.1234/deep</p>' in page
    assert re.search(r'<button type="button" class="copy" data-copy="cite-apa"[^>]*hidden>Copy APA</button>', page)
    assert '<script src="/static/js/portal.js" defer></script>' in page
    zh = text(client.get(f"/records/{records['embargo']}?lang=zh"))
    assert "王力. 机器学习综述[J]. 2020." in zh


def test_fulltext_badge_only_where_a_copy_can_be_downloaded(client, records):
    stored = text(client.get(f"/records/{records['stored']}?lang=en"))
    assert re.search(r'id="offer"><span class="badge">Full text</span> <a href="#h-files">', stored)
    embargo = text(client.get(f"/records/{records['embargo']}?lang=en"))
    assert '<span class="badge embargo">Embargoed until 2099-01-31</span>' in embargo
    assert 'class="badge">Full text' not in embargo and "embargoed until 2099-01-31" in embargo
    assert 'href="https://repo.example.edu/b.pdf"' not in embargo  # not a download link before the end
    bare = text(client.get(f"/records/{records['bare']}?lang=en"))
    assert '<span class="badge none">Metadata only</span>' in bare


def test_view_and_download_counts(client, records, app):
    from hub.web.usage_hooks import usage_counter

    record_id = records["stored"]
    client.get(f"/records/{record_id}", headers={"User-Agent": "Mozilla/5.0 reader"})
    sha = re.search(r'href="/files/([0-9a-f]{64})"', text(client.get(f"/records/{record_id}"))).group(1)
    client.get(f"/files/{sha}", headers={"User-Agent": "Mozilla/5.0 reader"})
    with app.app_context():
        usage_counter(app).flush()
    page = text(client.get(f"/records/{record_id}?lang=en", headers={"User-Agent": "Googlebot/2.1"}))
    views, downloads = re.search(r'id="usage">· ([\d,]+) views · ([\d,]+) downloads', page).groups()
    assert int(views) >= 1 and downloads == "1"


def test_handles_and_dois_are_links(client, records):
    page = text(client.get(f"/records/{records['stored']}?lang=en"))
    assert '<dt>Handle</dt><dd><a href="https://hdl.handle.net/123456789/1" rel="nofollow">123456789/1</a></dd>' in page
    assert '<a href="https://doi.org/10.1234/deep">10.1234/deep</a>' in page
    chinese = text(client.get(f"/records/{records['stored']}?lang=zh"))  # the scheme's label in the page's language
    assert '<dt>Handle 标识</dt><dd><a href="https://hdl.handle.net/123456789/1"' in chinese
    assert "<dt>Handle</dt>" not in chinese
