"""Fixtures of the search contract suite: a hub on every search backend, and records to find.

The backend fixture is parametrised over SQLite always, and over Elasticsearch and OpenSearch
when ``CHAIR_TEST_ES_URL`` / ``CHAIR_TEST_OPENSEARCH_URL`` name running servers (the test
command sets them). Each remote test gets its own index (alias) and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.context import Hub
from hub.models import Institution, Record, Repository
from hub.states import FulltextState

ES_URL = os.environ.get("CHAIR_TEST_ES_URL", "")
OS_URL = os.environ.get("CHAIR_TEST_OPENSEARCH_URL", "")

SEARCH_BACKENDS = [pytest.param("sqlite", id="sqlite")]
if ES_URL:
    SEARCH_BACKENDS.append(pytest.param("elasticsearch", id="elasticsearch", marks=pytest.mark.services))
if OS_URL:
    SEARCH_BACKENDS.append(pytest.param("opensearch", id="opensearch", marks=pytest.mark.services))


def remote_url(kind: str) -> str:
    """A URL of the running engine with a fresh, unique index name."""
    base = ES_URL if kind == "elasticsearch" else OS_URL
    root = base.rsplit("/", 1)[0]
    return f"{root}/chair-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=SEARCH_BACKENDS)
def search_url(request, tmp_path) -> str:
    """The SEARCH_URL of one backend kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'search.db'}"
    return remote_url(request.param)


@pytest.fixture
def search_hub(tmp_path, search_url) -> Iterator[Hub]:
    """A hub on SQLite (database) and the parametrised search backend; the index is dropped afterwards."""
    from hub.search import search_backend

    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    hub = Hub.create(overrides={"DATABASE_URL": f"sqlite:///{tmp_path / 'chair.db'}",
                                "STORAGE_URL": f"file://{tmp_path / 'objects'}", "SEARCH_URL": search_url,
                                "SECRET_KEY": "test", "BROKER_URL": "", "SEARCH_MAX_RESULTS": 50},
                     instance_path=instance)
    yield hub
    backend = search_backend(hub)
    backend.drop()
    backend.close()
    hub.db.dispose()


def add_member(hub: Hub, slug: str, name_en: str, name_zh: str) -> tuple[int, int]:
    """An institution with one repository; returns (institution id, repository id)."""
    with hub.db.session() as session:
        inst = Institution(slug=slug, name_en=name_en, name_zh=name_zh, region="北京")
        session.add(inst)
        session.flush()
        repo = Repository(institution_id=inst.id, name=f"{name_en} Repository", platform="oai",
                          base_url=f"https://{slug}.example.edu/oai")
        session.add(repo)
        session.flush()
        return inst.id, repo.id


def add_record(hub: Hub, repo_id: int, n: int, *, title: str, title_lang: str = "eng", abstract: str = "",
               creators: tuple[str, ...] = ("Wang, Li",), subjects: tuple[str, ...] = (), year: int | None = 2020,
               issued: str | None = None, rtype: str = "journal article", languages: tuple[str, ...] = ("eng",),
               doi: str = "", files: list[dict[str, Any]] | None = None, deleted: bool = False,
               **extra: Any) -> int:
    """Create one record with normalised metadata; returns its id."""
    meta: dict[str, Any] = {
        "titles": [{"value": title, "lang": title_lang}],
        "creators": [{"name": c} for c in creators],
        "subjects": [{"value": s, "lang": ""} for s in subjects],
        "resource_type": "http://purl.org/coar/resource_type/c_6501" if rtype == "journal article" else
        "http://purl.org/coar/resource_type/c_46ec",
        "resource_type_label": rtype,
        "languages": list(languages),
        "identifiers": [{"scheme": "handle", "value": f"123456789/{n}"}],
        "landing_page": f"https://repo.example.edu/handle/123456789/{n}",
        **extra,
    }
    if abstract:
        meta["abstracts"] = [{"value": abstract, "lang": title_lang}]
    if year:
        meta["year"] = year
        meta["issued"] = issued or str(year)
    if doi:
        meta["doi"] = doi
    if files:
        meta["files"] = files
    with hub.db.session() as session:
        record = Record(repository_id=repo_id, source_identifier=f"oai:repo:{repo_id}:{n}",
                        source_datestamp="2024-01-01T00:00:00Z", deleted=deleted, metadata_format="oai_dc",
                        meta=meta, hub_datestamp=datetime(2024, 1, 1, tzinfo=UTC),
                        fulltext_state=FulltextState.NONE)
        session.add(record)
        session.flush()
        return record.id


def attach_text(hub: Hub, record_id: int, text: str, *, mime_type: str = "application/pdf",
                data: bytes = b"%PDF-1.4 test file") -> str:
    """Give a record a stored, extracted file whose text is ``text`` (as the full-text stages leave it)."""
    from hub.fulltext.states import ExtractState, FileState
    from hub.models import RecordFile, StoredFile
    from storage.base import file_key, text_key

    store = hub.store
    payload = data + text.encode()[:64]
    sha256, _info = store.put_stream([payload], content_type=mime_type)
    store.put_bytes(text_key(sha256), text.encode("utf-8"), "text/plain; charset=utf-8")
    assert store.exists(file_key(sha256))
    with hub.db.session() as session:
        if session.get(StoredFile, sha256) is None:
            session.add(StoredFile(sha256=sha256, size=len(payload), mime_type=mime_type,
                                   extract_state=ExtractState.EXTRACTED, text_chars=len(text)))
        record = session.get(Record, record_id)
        url = f"https://repo.example.edu/bitstream/{record_id}/paper.pdf"
        session.add(RecordFile(record_id=record_id, position=0, url=url, sha256=sha256, mime_type=mime_type,
                               size=len(payload), state=FileState.STORED, access="open"))
        record.fulltext_links = [{"url": url, "mime_type": mime_type}]
        record.fulltext_state = FulltextState.EXTRACTED
    return sha256
