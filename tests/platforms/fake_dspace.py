"""Fake DSpace 7 and DSpace 6 repositories: XOAI OAI-PMH (oai_dc, dim, mods) plus their REST APIs.

Shapes follow the real responses (shared fixtures: MIT's DSpace XOAI) and the DSpace REST
contracts: DSpace 7 Discovery results with HAL ``_embedded`` sections only for what ``embed``
asks for, bundles ORIGINAL/THUMBNAIL/LICENSE, bitstreams with ``sizeBytes``, ``checkSum``,
``_links.content``, formats and access statuses (``open.access``, ``embargo`` + ``embargoDate``,
``restricted``); ``/api/pid/find?id=<handle>`` answering 302 to ``/api/core/items/<uuid>`` (404 for
an unknown handle), items honouring ``embed`` like the search does (RestContract identifiers.md,
projections.md). DSpace 6 ``/rest/handle/..?expand=bitstreams`` listing only the bitstreams the
anonymous user may read, with ``retrieveLink`` ``/rest/bitstreams/<uuid>/retrieve``, and
``POST /rest/items/find-by-metadata-field`` (a MetadataEntry ``{"key", "value"}``; a JSON list).

``discovery`` ("ok", "404", "empty", "403") plays a DSpace 7 whose discovery index is missing,
lagging or restricted; ``handle_endpoint`` ("ok", "404", "500") a DSpace 5/6 whose handle
endpoint is missing or broken.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from tests.platforms.fake_oai import FakeOAI, OAIItem
from tests.platforms.site import json_response, not_found, pdf_bytes, serve_pdf

PREFIX = "123456789"
DIM_NS = "http://www.dspace.org/xmlns/dspace/dim"
MODS_NS = "http://www.loc.gov/mods/v3"
DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SETS = [(f"com_{PREFIX}_1", "理学院 School of Science"), (f"col_{PREFIX}_2", "学位论文 Theses"),
        (f"col_{PREFIX}_3", "期刊论文 Journal articles")]
ORCID = "0000-0002-1825-0097"


@dataclass
class Bit:
    """A bitstream: bundle, access ('open', 'embargo', 'restricted'), embargo date."""

    uuid: str
    name: str
    bundle: str = "ORIGINAL"
    access: str = "open"
    embargo: str = ""
    mime: str = "application/pdf"

    @property
    def data(self) -> bytes:
        return pdf_bytes(self.uuid)


@dataclass
class DSpaceItem:
    number: int
    deleted: bool = False
    bits: list[Bit] = field(default_factory=list)

    @property
    def handle(self) -> str:
        return f"{PREFIX}/{self.number}"

    @property
    def uuid(self) -> str:
        return f"00000000-0000-4000-8000-{self.number:012d}"


def make_items(count: int = 11) -> list[DSpaceItem]:
    """Items with every access pattern: open, open+restricted, embargoed, none; one deleted."""
    items = []
    for i in range(count):
        item = DSpaceItem(100 + i, deleted=(i == 5))
        pattern = i % 4
        uid = f"b{i:04d}"
        if pattern in (0, 1):
            item.bits.append(Bit(f"{uid}-1", f"paper-{i}.pdf"))
        if pattern == 1:
            item.bits.append(Bit(f"{uid}-2", f"data-{i}.pdf", access="restricted"))
        if pattern == 2:
            item.bits.append(Bit(f"{uid}-3", f"thesis-{i}.pdf", access="embargo", embargo="2099-01-01"))
        item.bits.append(Bit(f"{uid}-t", f"paper-{i}.pdf.jpg", bundle="THUMBNAIL", mime="image/jpeg"))
        item.bits.append(Bit(f"{uid}-l", "license.txt", bundle="LICENSE", mime="text/plain"))
        items.append(item)
    return items


def _title(n: int) -> tuple[str, str]:
    return f"Groundwater of the Loess Plateau, part {n}", f"黄土高原地下水研究（{n}）"


def render_dim(item: DSpaceItem) -> str:
    en, zh = _title(item.number)
    f = [("contributor", "author", "Wang, Li", f' authority="{ORCID}" confidence="600"'),
         ("contributor", "author", "张伟", ""), ("contributor", "advisor", "Chen, Ming", ""),
         ("date", "accessioned", "2024-01-02T08:00:00Z", ""), ("date", "available", "2024-01-02T08:00:00Z", ""),
         ("date", "issued", f"20{10 + item.number % 10}-05", ""),
         ("identifier", "uri", f"http://hdl.handle.net/{item.handle}", ""),
         ("description", "abstract", "A study of groundwater recharge.", ' lang="en"'),
         ("description", "provenance", "Submitted by admin on 2024-01-02", ' lang="en"'),
         ("language", "iso", "zh", ""), ("subject", "", "地下水", ""), ("type", "", "Article", ""),
         ("relation", "ispartof", "水文学报", ""), ("rights", "uri", "http://creativecommons.org/licenses/by/4.0/", "")]
    fields = "".join(f'<dim:field mdschema="dc" element="{e}"{f" qualifier={chr(34)}{q}{chr(34)}" if q else ""}{a}>'
                     f"{escape(v)}</dim:field>" for e, q, v, a in f)
    return (f'<dim:dim xmlns:dim="{DIM_NS}" xmlns:doc="http://www.lyncode.com/xoai">'
            f'<dim:field mdschema="dc" element="title" lang="en_US">{escape(en)}</dim:field>'
            f'<dim:field mdschema="dc" element="title" qualifier="alternative" lang="zh_CN">{zh}</dim:field>'
            f"{fields}</dim:dim>")


def render_mods(item: DSpaceItem) -> str:
    en, _zh = _title(item.number)
    return (f'<mods:mods xmlns:mods="{MODS_NS}">'
            '<mods:name><mods:role><mods:roleTerm type="text">author</mods:roleTerm></mods:role>'
            "<mods:namePart>Wang, Li</mods:namePart></mods:name>"
            "<mods:extension><mods:dateAccessioned encoding=\"iso8601\">2024-01-02T08:00:00Z</mods:dateAccessioned>"
            "</mods:extension><mods:originInfo><mods:dateIssued encoding=\"iso8601\">"
            f"20{10 + item.number % 10}-05</mods:dateIssued></mods:originInfo>"
            f'<mods:identifier type="uri">http://hdl.handle.net/{item.handle}</mods:identifier>'
            "<mods:abstract>A study of groundwater recharge.</mods:abstract>"
            '<mods:language><mods:languageTerm authority="rfc3066">zh</mods:languageTerm></mods:language>'
            f"<mods:titleInfo><mods:title>{escape(en)}</mods:title></mods:titleInfo>"
            "<mods:genre>Article</mods:genre></mods:mods>")


def render_dc(item: DSpaceItem) -> str:
    en, _zh = _title(item.number)
    return (f'<oai_dc:dc xmlns:oai_dc="{DC_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:doc="http://www.lyncode.com/xoai">'
            f"<dc:title>{escape(en)}</dc:title><dc:creator>Wang, Li</dc:creator>"
            "<dc:date>2024-01-02T08:00:00Z</dc:date><dc:date>2015-05</dc:date><dc:type>Article</dc:type>"
            f"<dc:identifier>http://hdl.handle.net/{item.handle}</dc:identifier></oai_dc:dc>")


class FakeDSpace:
    """One DSpace repository of ``version`` 7 or 6, mounted at ``/<slug>/`` of a :class:`Site`."""

    def __init__(self, slug: str, version: int, server_url: str, items: list[DSpaceItem] | None = None,
                 rest: bool = True, discovery: str = "ok", handle_endpoint: str = "ok") -> None:
        self.slug, self.version, self.rest = slug, version, rest
        self.discovery, self.handle_endpoint = discovery, handle_endpoint
        self.items = items if items is not None else make_items()
        self.root = f"{server_url.rstrip('/')}/{slug}" + ("/server" if version >= 7 else "")
        formats = {"oai_dc": DC_NS, "mods": MODS_NS, "qdc": "http://purl.org/dc/terms/"}
        render = {"oai_dc": render_dc, "mods": render_mods}
        if version >= 7:
            formats["dim"], render["dim"] = DIM_NS, render_dim
        oai_items = [OAIItem(f"oai:repo.example.edu.cn:{i.handle}", f"2024-02-{1 + n:02d}T10:00:00Z", i.deleted,
                             [SETS[0][0], SETS[1 + n % 2][0]], ) for n, i in enumerate(self.items)]
        self.by_identifier = {o.identifier: i for o, i in zip(oai_items, self.items, strict=True)}
        adapter = {p: self._adapt(fn) for p, fn in render.items()}
        self.oai = FakeOAI(f"{self.root}/oai/request", oai_items, adapter, formats, style="dspace", sets=SETS,
                           name=f"Fake DSpace {version}")

    def _adapt(self, render):
        return lambda oai_item: render(self.by_identifier[oai_item.identifier])

    @property
    def base_url(self) -> str:
        return self.oai.base_url

    # what the repository holds, for exact assertions
    def held(self) -> tuple[int, int]:
        return sum(not i.deleted for i in self.items), sum(i.deleted for i in self.items)

    def files_held(self, access: str) -> int:
        return sum(1 for i in self.items if not i.deleted for b in i.bits if b.bundle == "ORIGINAL"
                   and b.access == access)

    def __call__(self, request: Request, parts: list[str]) -> Response:
        if self.version >= 7:
            if parts[:1] != ["server"]:
                return not_found()
            parts = parts[1:]
        if parts == ["oai", "request"]:
            return self.oai(request)
        if not self.rest:
            return not_found()
        if self.version >= 7 and parts[:1] == ["api"]:
            return self.api7(request, parts[1:])
        if self.version < 7 and parts[:1] == ["rest"]:
            return self.api6(request, parts[1:])
        return not_found()

    # --- DSpace 7 ------------------------------------------------------------------

    def _bit7(self, bit: Bit, embeds: set[str]) -> dict:
        api = f"{self.root}/api"
        data = {"id": bit.uuid, "uuid": bit.uuid, "name": bit.name, "handle": None, "metadata": {},
                "bundleName": bit.bundle, "sizeBytes": len(bit.data), "sequenceId": 1, "type": "bitstream",
                "checkSum": {"checkSumAlgorithm": "MD5", "value": hashlib.md5(bit.data).hexdigest()},
                "_links": {"content": {"href": f"{api}/core/bitstreams/{bit.uuid}/content"},
                           "format": {"href": f"{api}/core/bitstreams/{bit.uuid}/format"},
                           "self": {"href": f"{api}/core/bitstreams/{bit.uuid}"}}}
        embedded = {}
        if "bundles/bitstreams/format" in embeds:
            embedded["format"] = {"id": 4, "shortDescription": "Adobe PDF", "mimetype": bit.mime,
                                  "supportLevel": "KNOWN", "type": "bitstreamformat"}
        if "bundles/bitstreams/accessStatus" in embeds:
            status = {"open": "open.access", "embargo": "embargo", "restricted": "restricted"}[bit.access]
            embedded["accessStatus"] = {"status": status, "embargoDate": bit.embargo or None, "type": "accessStatus"}
        if embedded:
            data["_embedded"] = embedded
        return data

    def _item7(self, item: DSpaceItem, embeds: set[str]) -> dict:
        data = {"id": item.uuid, "uuid": item.uuid, "name": _title(item.number)[0], "handle": item.handle,
                "metadata": {}, "inArchive": True, "discoverable": True, "withdrawn": False,
                "lastModified": "2024-02-01T10:00:00.000+00:00", "type": "item",
                "_links": {"bundles": {"href": f"{self.root}/api/core/items/{item.uuid}/bundles"},
                           "self": {"href": f"{self.root}/api/core/items/{item.uuid}"}}}
        if any(e.startswith("bundles") for e in embeds):
            bundles = []
            for name in ("ORIGINAL", "THUMBNAIL", "LICENSE"):
                bits = [b for b in item.bits if b.bundle == name]
                if not bits:
                    continue
                bundles.append({"uuid": f"{item.uuid[:-4]}{name[:4]}", "name": name, "type": "bundle",
                                "_embedded": {"bitstreams": {"_embedded": {"bitstreams": [
                                    self._bit7(b, embeds) for b in bits]},
                                    "page": {"number": 0, "size": 20, "totalPages": 1, "totalElements": len(bits)}}}})
            data["_embedded"] = {"bundles": {"_embedded": {"bundles": bundles},
                                             "page": {"number": 0, "size": 20, "totalElements": len(bundles)}}}
        return data

    def api7(self, request: Request, parts: list[str]) -> Response:
        if not parts:
            return json_response({"dspaceUI": "http://localhost:4000", "dspaceName": "Fake DSpace",
                                  "dspaceServer": f"{self.root}", "dspaceVersion": "DSpace 7.6", "type": "root",
                                  "_links": {"items": {"href": f"{self.root}/api/core/items"}}})
        if parts == ["discover", "search", "objects"] and self.discovery in ("404", "403"):
            status = int(self.discovery)
            return json_response({"status": status, "error": "Not Found" if status == 404 else "Forbidden"}, status)
        if parts == ["pid", "find"]:
            handle = request.args.get("id", "")
            item = next((i for i in self.items if i.handle == handle and not i.deleted), None)
            if item is None:
                return json_response({"status": 404, "error": "Not Found"}, 404)
            return Response(status=302, headers={"Location": f"{self.root}/api/core/items/{item.uuid}"})
        if len(parts) == 3 and parts[:2] == ["core", "items"]:
            item = next((i for i in self.items if i.uuid == parts[2] and not i.deleted), None)
            if item is None:
                return json_response({"status": 404, "error": "Not Found"}, 404)
            return json_response(self._item7(item, set(request.args.getlist("embed"))))
        if parts == ["discover", "search", "objects"]:
            query = request.args.get("query", "")
            embeds = set(request.args.getlist("embed"))
            handle = query.partition(":")[2].strip('"')
            found = [i for i in self.items if i.handle == handle and not i.deleted and self.discovery == "ok"]
            objects = [{"hitHighlights": {}, "type": "discover",
                        "_embedded": {"indexableObject": self._item7(i, embeds)}} for i in found]
            return json_response({"query": query, "type": "discover", "_embedded": {"searchResult": {
                "_embedded": {"objects": objects},
                "page": {"number": 0, "size": 10, "totalPages": 1, "totalElements": len(objects)}}}})
        if len(parts) == 4 and parts[:2] == ["core", "bitstreams"] and parts[3] == "content":
            bit = next((b for i in self.items for b in i.bits if b.uuid == parts[2]), None)
            if bit is None:
                return not_found()
            if bit.access != "open":
                return json_response({"status": 401, "error": "Unauthorized"}, 401)
            return serve_pdf(request, bit.data)
        return json_response({"status": 404, "error": "Not Found"}, 404)

    # --- DSpace 6 ------------------------------------------------------------------

    def _item6(self, item: DSpaceItem, expand: str) -> dict:
        readable = [b for b in item.bits if b.access == "open"]  # anonymous READ only
        bits = [{"uuid": b.uuid, "name": b.name, "type": "bitstream", "bundleName": b.bundle, "description": None,
                 "format": "Adobe PDF", "mimeType": b.mime, "sizeBytes": len(b.data), "parentObject": None,
                 "retrieveLink": f"{urlsplit(self.root).path}/rest/bitstreams/{b.uuid}/retrieve", "sequenceId": 1,
                 "policies": None, "checkSum": {"value": hashlib.md5(b.data).hexdigest(), "checkSumAlgorithm": "MD5"},
                 "link": f"/rest/bitstreams/{b.uuid}", "expand": ["parent", "policies", "all"]}
                for b in readable] if expand in ("bitstreams", "all") else None
        return {"uuid": item.uuid, "name": _title(item.number)[0], "handle": item.handle,
                "type": "item", "link": f"/rest/items/{item.uuid}", "archived": "true",
                "withdrawn": "false", "lastModified": "2024-02-01 10:00:00.0",
                "bitstreams": bits, "expand": ["metadata", "parentCollection", "all"]}

    def api6(self, request: Request, parts: list[str]) -> Response:
        if parts == ["status"]:
            return json_response({"okay": True, "authenticated": False, "email": None, "fullname": None,
                                  "sourceVersion": "6.3", "apiVersion": "6"})
        if len(parts) == 3 and parts[0] == "handle":
            if self.handle_endpoint != "ok":
                status = int(self.handle_endpoint)
                return json_response({"error": "not found" if status == 404 else "Internal Server Error"}, status)
            item = next((i for i in self.items if i.handle == f"{parts[1]}/{parts[2]}" and not i.deleted), None)
            if item is None:
                return json_response({"error": "not found"}, 404)
            return json_response(self._item6(item, request.args.get("expand", "")))
        if parts == ["items", "find-by-metadata-field"] and request.method == "POST":
            entry = request.get_json(silent=True) or {}
            if entry.get("key") != "dc.identifier.uri":
                return json_response([])
            found = [i for i in self.items if not i.deleted and f"http://hdl.handle.net/{i.handle}" == entry.get("value")]
            return json_response([self._item6(i, request.args.get("expand", "")) for i in found])
        if len(parts) == 3 and parts[0] == "bitstreams" and parts[2] == "retrieve":
            bit = next((b for i in self.items for b in i.bits if b.uuid == parts[1]), None)
            if bit is None:
                return not_found()
            return serve_pdf(request, bit.data) if bit.access == "open" else Response("Unauthorized", 401)
        return not_found()
