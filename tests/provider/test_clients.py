"""Whole-endpoint harvests by two independent OAI-PMH clients from PyPI against a live server.

``oaipmh`` (pyoai, POST requests) and ``sickle`` (GET requests) harvest every format, and every
set in every format, from the Flask app served by werkzeug on 127.0.0.1; both must return the
same identifiers, equal to what the database holds by the rules of formats and sets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from oaipmh.client import Client
from oaipmh.error import NoRecordsMatchError
from oaipmh.metadata import MetadataReader, MetadataRegistry, oai_dc_reader
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch
from sqlalchemy import select
from werkzeug.serving import make_server

from hub.models import Institution, Record, Repository
from hub.normalise.coar import COAR_RESOURCE_TYPE
from oai.provider.formats import metadata_formats
from oai.provider.formats.openaire import OpenAireFormat
from tests.provider.conftest import PREFIX

FORMATS = ("oai_dc", "oai_openaire", "mods")


@pytest.fixture
def live_url(app, network) -> Iterator[str]:
    """The /oai URL of the app served on an ephemeral port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/oai"
    server.shutdown()
    thread.join()


def database_lists(hub) -> dict[tuple[str, str], set[str]]:
    """(format, set or "") -> identifiers, computed from the rows by the documented rules."""
    openaire = OpenAireFormat()
    with hub.db.session() as session:
        slugs = dict(session.execute(select(Repository.id, Institution.slug).join(Institution)).all())
        rows = session.scalars(select(Record)).all()
    lists: dict[tuple[str, str], set[str]] = {}
    for prefix, fmt in metadata_formats().items():
        for row in rows:
            if not (row.deleted or fmt.can_disseminate(row)):
                continue
            identifier = f"oai:{PREFIX}:{row.id}"
            specs = ["", "inst", "repo", f"inst:{slugs[row.repository_id]}", f"repo:{row.repository_id}"]
            resource_type = (row.meta or {}).get("resource_type", "")
            if resource_type:
                specs += ["type", "type:" + resource_type.removeprefix(COAR_RESOURCE_TYPE)]
            if openaire.can_disseminate(row):
                specs.append("openaire")
            if row.fulltext_state in ("stored", "extracted"):
                specs.append("fulltext")
            for spec in specs:
                lists.setdefault((prefix, spec), set()).add(identifier)
    return lists


def pyoai_client(url: str) -> Client:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    for prefix in FORMATS[1:]:
        registry.registerReader(prefix, MetadataReader(fields={}, namespaces={}))
    return Client(url, registry)


def pyoai_ids(client: Client, prefix: str, spec: str, records: bool) -> set[str]:
    arguments = {"metadataPrefix": prefix, **({"set": spec} if spec else {})}
    try:
        if records:
            return {header.identifier() for header, _metadata, _about in client.listRecords(**arguments)}
        return {header.identifier() for header in client.listIdentifiers(**arguments)}
    except NoRecordsMatchError:
        return set()


def sickle_ids(client: Sickle, prefix: str, spec: str, records: bool) -> set[str]:
    arguments = {"metadataPrefix": prefix, "ignore_deleted": False, **({"set": spec} if spec else {})}
    try:
        if records:
            return {record.header.identifier for record in client.ListRecords(**arguments)}
        return {header.identifier for header in client.ListIdentifiers(**arguments)}
    except NoRecordsMatch:
        return set()


def test_two_clients_harvest_every_format_and_set(hub, live_url):
    expected = database_lists(hub)
    pyoai, sickle = pyoai_client(live_url), Sickle(live_url)
    served_sets = {spec for spec, _name, _description in pyoai.listSets()}
    assert served_sets == {s.setSpec for s in sickle.ListSets()}
    assert {spec for _prefix, spec in expected if spec} <= served_sets
    for prefix in FORMATS:
        whole = expected[(prefix, "")]
        assert pyoai_ids(pyoai, prefix, "", records=True) == whole
        assert sickle_ids(sickle, prefix, "", records=True) == whole
        for spec in sorted(served_sets):
            want = expected.get((prefix, spec), set())
            assert pyoai_ids(pyoai, prefix, spec, records=False) == want, (prefix, spec)
            assert sickle_ids(sickle, prefix, spec, records=False) == want, (prefix, spec)
    # deleted records come through both clients as deleted
    deleted = [h for h in pyoai.listIdentifiers(metadataPrefix="oai_dc") if h.isDeleted()]
    with hub.db.session() as session:
        assert len(deleted) == len(session.scalars(select(Record.id).where(Record.deleted)).all()) > 0
