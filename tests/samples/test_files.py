"""Full texts, landing pages and the EPrints EP3 export."""

from __future__ import annotations

import io
import re

import pytest
import requests
from lxml import etree
from pypdf import PdfReader

from hub.samples import demo_repositories, find_repository, generate_record
from hub.samples.oai_xml import export_url, file_url, landing_url
from hub.samples.pdf import record_pdf

from . import PARSER, running

EP = {"ep": "http://eprints.org/ep2/data/2.0"}


@pytest.fixture(scope="module")
def repos():
    return demo_repositories()


@pytest.fixture(scope="module")
def server_url(repos):
    with running(repos) as url:
        yield url


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


def _records_with_files(repo, kind, count=3):
    found = [r for r in (generate_record(repo, i) for i in range(repo.records))
             if r.has_file and r.language_kind == kind and r.security == "public"]
    return found[:count]


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
@pytest.mark.parametrize("kind", ["zh", "en", "both"])
def test_pdfs_parse_and_contain_the_title_words(repos, server_url, session, slug, kind):
    repo = find_repository(repos, slug)
    for record in _records_with_files(repo, kind):
        response = session.get(file_url(repo, server_url, record))
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        flat = re.sub(r"\s+", " ", text)
        for title, _lang in record.titles:
            if re.search(r"[\u4e00-\u9fff]", title):
                assert title in text.replace("\n", "")
            else:
                assert all(word in flat for word in re.findall(r"[A-Za-z]{4,}", title))
        if kind == "en":
            assert "This paper studies" in flat
        else:
            assert "本文围绕" in text.replace("\n", "")


def test_pdf_bytes_are_deterministic(repos):
    repo = repos[0]
    record = _records_with_files(repo, "zh", 1)[0]
    assert record_pdf(repo, record) == record_pdf(demo_repositories()[0], generate_record(demo_repositories()[0],
                                                                                           record.index))


def test_range_and_conditional_requests(repos, server_url, session):
    repo = repos[0]
    record = _records_with_files(repo, "en", 1)[0]
    url = file_url(repo, server_url, record)
    full = session.get(url)
    partial = session.get(url, headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206 and partial.content == full.content[:100]
    assert partial.headers["Content-Range"] == f"bytes 0-99/{len(full.content)}"
    tail = session.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full.content[-50:]
    assert session.get(url, headers={"Range": f"bytes={len(full.content) + 10}-"}).status_code == 416
    assert session.get(url, headers={"If-None-Match": full.headers["ETag"]}).status_code == 304
    assert session.get(url, headers={"If-Modified-Since": full.headers["Last-Modified"]}).status_code == 304
    assert session.head(url).headers["Content-Length"] == str(len(full.content))


def test_missing_and_deleted_files_are_404(repos, server_url, session):
    repo = repos[0]
    deleted = generate_record(repo, 96)
    assert session.get(f"{server_url}/donghai/bitstream/123456789/{deleted.number}/1/x.pdf").status_code == 404
    assert session.get(f"{server_url}/donghai/bitstream/123456789/999999/1/x.pdf").status_code == 404
    assert session.get(landing_url(repo, server_url, deleted)).status_code == 410
    assert session.get(f"{server_url}/nowhere/oai/request").status_code == 404


def test_landing_pages_are_html_with_citation_meta(repos, server_url, session):
    for repo in (repos[0], repos[1]):
        record = _records_with_files(repo, "both", 1)[0]
        response = session.get(landing_url(repo, server_url, record))
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
        assert record.titles[0][0] in response.text
        assert f'name="citation_pdf_url" content="{file_url(repo, server_url, record)}"' in response.text


def test_eprints_export_lists_documents_with_security(repos, server_url, session):
    repo = find_repository(repos, "xiling")
    records = [generate_record(repo, i) for i in range(repo.records)]
    securities = {r.security for r in records if r.has_file}
    assert {"public", "validuser"} <= securities
    restricted = next(r for r in records if r.has_file and r.security != "public")
    assert session.get(file_url(repo, server_url, restricted)).status_code == 401
    assert any(r.embargo for r in records)
    for record in (restricted, next(r for r in records if r.has_file and r.security == "public"),
                   next(r for r in records if not r.has_file and not r.deleted)):
        response = session.get(export_url(repo, server_url, record))
        assert response.status_code == 200
        root = etree.fromstring(response.content, PARSER)
        assert root.findtext("ep:eprint/ep:eprintid", namespaces=EP) == str(record.number)
        assert root.findtext("ep:eprint/ep:title", namespaces=EP) == record.title
        documents = root.findall(".//ep:document", namespaces=EP)
        if record.has_file:
            assert documents[0].findtext("ep:security", namespaces=EP) == record.security
            assert documents[0].findtext(".//ep:url", namespaces=EP) == file_url(repo, server_url, record)
            assert (documents[0].findtext("ep:date_embargo", namespaces=EP) or "") == record.embargo
        else:
            assert documents == []
