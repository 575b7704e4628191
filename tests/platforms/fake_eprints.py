"""A fake EPrints 3.4 repository: OAI-PMH (oai_dc) with EPrints' quirks, abstract pages, EP3 exports, files.

Shapes follow the real EP3 XML exports in the shared fixtures (documents with ``files``,
``security``, ``date_embargo``, derived ``indexcodes.txt`` documents with isVolatileVersionOf
relations) and EPrints' OAI-PMH (hex setSpecs, URL-escaped offset tokens, earliestDatestamp
``0001-01-01T00:00:00Z``). Abstract pages carry the export links EPrints puts in their head;
export file names use the repository id (``uniwah``), not the host name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from tests.platforms.fake_oai import FakeOAI, OAIItem
from tests.platforms.site import not_found, pdf_bytes, serve_pdf

REPO_ID = "uniwah"
DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
TYPES = ("article", "thesis", "book_section")


def hex_spec(text: str) -> str:
    return text.encode("utf-8").hex().upper()


@dataclass
class Doc:
    pos: int
    filename: str
    security: str = "public"
    embargo: str = ""
    derived: bool = False


@dataclass
class EPrint:
    number: int
    deleted: bool = False
    docs: list[Doc] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return TYPES[self.number % 3]


def make_eprints(count: int = 10) -> list[EPrint]:
    """Public, public+indexcodes, validuser, embargoed, staffonly and no documents; one deleted."""
    found = []
    for n in range(1, count + 1):
        eprint = EPrint(n, deleted=(n == 7))
        pattern = n % 5
        if pattern in (0, 1):
            eprint.docs.append(Doc(1, f"paper{n}.pdf"))
        if pattern == 1:
            eprint.docs.append(Doc(2, "indexcodes.txt", derived=True))
        if pattern == 2:
            eprint.docs.append(Doc(1, f"thesis{n}.pdf", security="validuser", embargo="2099-06-01"))
        if pattern == 3:
            eprint.docs += [Doc(1, f"draft{n}.pdf", security="staffonly"), Doc(2, f"final{n}.pdf")]
        found.append(eprint)
    return found


class FakeEPrints:
    """An EPrints repository mounted at ``/<slug>/``."""

    def __init__(self, slug: str, server_url: str, eprints: list[EPrint] | None = None) -> None:
        self.slug = slug
        self.root = f"{server_url.rstrip('/')}/{slug}"
        self.eprints = eprints if eprints is not None else make_eprints()
        self.by_number = {e.number: e for e in self.eprints}
        items = [OAIItem(f"oai:eprints.example.edu.cn:{e.number}", f"2024-03-{e.number:02d}T09:30:00Z", e.deleted,
                         [hex_spec(f"types={e.kind}"), hex_spec("status=pub")]) for e in self.eprints]
        sets = [(hex_spec(f"types={t}"), f"Item Type = {t}") for t in TYPES] + [(hex_spec("status=pub"), "Published")]
        self.oai = FakeOAI(f"{self.root}/cgi/oai2", items, {"oai_dc": self.render_dc}, {"oai_dc": DC_NS},
                           style="eprints", sets=sets, earliest="0001-01-01T00:00:00Z", name="Fake EPrints 3.4")

    @property
    def base_url(self) -> str:
        return self.oai.base_url

    def held(self) -> tuple[int, int]:
        return sum(not e.deleted for e in self.eprints), sum(e.deleted for e in self.eprints)

    def files_held(self, access: str) -> int:
        """Main documents held per access: open = public, embargo = under a future embargo."""
        def kind(doc: Doc) -> str:
            return "embargo" if doc.embargo else ("open" if doc.security == "public" else "restricted")
        return sum(1 for e in self.eprints if not e.deleted for d in e.docs if not d.derived and kind(d) == access)

    def file_url(self, eprint: EPrint, doc: Doc) -> str:
        return f"{self.root}/{eprint.number}/{doc.pos}/{doc.filename}"

    def render_dc(self, item: OAIItem) -> str:
        eprint = self.by_number[int(item.identifier.rpartition(":")[2])]
        files = "".join(f"<dc:identifier>{self.file_url(eprint, d)}</dc:identifier>" for d in eprint.docs
                        if d.security == "public" and not d.derived)
        return (f'<oai_dc:dc xmlns:oai_dc="{DC_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>Tidal flats of the Yellow Sea {eprint.number}</dc:title>"
                "<dc:creator>Liu, Yang</dc:creator><dc:creator>Brown, Ann</dc:creator>"
                f"<dc:date>2019-0{1 + eprint.number % 9}</dc:date><dc:type>Article</dc:type>"
                "<dc:type>PeerReviewed</dc:type>"
                f"{files}<dc:relation>{self.root}/id/eprint/{eprint.number}/</dc:relation></oai_dc:dc>")

    def export(self, eprint: EPrint) -> str:
        docs = []
        for d in eprint.docs:
            data = pdf_bytes(f"{eprint.number}-{d.pos}")
            relation = ("<relation><item><type>http://eprints.org/relation/isVolatileVersionOf</type>"
                        f"<uri>{self.root}/id/document/{eprint.number}1</uri></item></relation>" if d.derived else "")
            embargo = f"<date_embargo>{d.embargo}</date_embargo>" if d.embargo else ""
            mime = "text/plain" if d.derived else "application/pdf"
            docs.append(
                f"<document id='{self.root}/id/document/{eprint.number}{d.pos}'><docid>{eprint.number}{d.pos}</docid>"
                f"<files><file><filename>{d.filename}</filename><mime_type>{mime}</mime_type>"
                f"<hash>{hashlib.md5(data).hexdigest()}</hash><hash_type>MD5</hash_type>"
                f"<filesize>{len(data)}</filesize><url>{self.file_url(eprint, d)}</url></file></files>"
                f"<eprintid>{eprint.number}</eprintid><pos>{d.pos}</pos><format>{mime}</format>"
                f"<security>{d.security}</security>{embargo}<main>{d.filename}</main>{relation}</document>")
        return ("<?xml version='1.0' encoding='utf-8'?>\n<eprints xmlns='http://eprints.org/ep2/data/2.0'>"
                f"<eprint id='{self.root}/id/eprint/{eprint.number}'><eprintid>{eprint.number}</eprintid>"
                f"<documents>{''.join(docs)}</documents>"
                f"<eprint_status>{'deletion' if eprint.deleted else 'archive'}</eprint_status>"
                "<creators><item><name><family>Liu</family><given>Yang</given></name>"
                "<orcid>0000-0002-1825-0097</orcid></item><item><name><family>Brown</family><given>Ann</given></name>"
                f"</item></creators><type>{eprint.kind}</type></eprint></eprints>")

    def __call__(self, request: Request, parts: list[str]) -> Response:
        if parts == ["cgi", "oai2"]:
            return self.oai(request)
        if len(parts) == 3 and parts[:2] == ["id", "eprint"] and parts[2].isdigit():
            eprint = self.by_number.get(int(parts[2]))
            if eprint is None:
                return not_found()
            export = f"{self.root}/cgi/export/eprint/{eprint.number}/XML/{REPO_ID}-eprint-{eprint.number}.xml"
            return Response(f'<html><head><title>{eprint.number}</title><link rel="alternate" href="{escape(export)}" '
                            'type="application/vnd.eprints.data+xml; charset=utf-8" title="EP3 XML" /></head>'
                            "<body>abstract</body></html>", content_type="text/html; charset=utf-8")
        if len(parts) == 6 and parts[:3] == ["cgi", "export", "eprint"] and parts[3].isdigit() and parts[4] == "XML":
            eprint = self.by_number.get(int(parts[3]))
            if eprint is None or parts[5] != f"{REPO_ID}-eprint-{eprint.number}.xml":
                return not_found()
            return Response(self.export(eprint), content_type="text/xml; charset=utf-8")
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            eprint = self.by_number.get(int(parts[0]))
            doc = next((d for d in eprint.docs if d.pos == int(parts[1]) and d.filename == parts[2]), None) if eprint \
                else None
            if doc is None:
                return not_found()
            if doc.security != "public":
                return Response("<html>login required</html>", 401, content_type="text/html")
            return serve_pdf(request, pdf_bytes(f"{eprint.number}-{doc.pos}"))
        return not_found()
