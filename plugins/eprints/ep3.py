"""Reading EPrints' EP3 XML export: documents, their files, security levels and embargo dates.

One export (``/cgi/export/eprint/<id>/XML/<repoid>-eprint-<id>.xml``) lists every document of
an eprint. A document is a full-text candidate when it is not a derived, volatile version
(thumbnails, ``indexcodes.txt``: documents with an ``isVolatileVersionOf`` or
``isIndexCodesVersionOf`` relation). Its main file (``<main>``, else its first file) becomes a
:class:`FileLink` with ``mime_type``, ``filesize`` and ``hash``/``hash_type``. Access:

- ``security`` ``public`` and no ``date_embargo`` in the future -> ``open``;
- a ``date_embargo`` in the future -> ``embargoed`` until that date (EPrints lifts the embargo by
  making the document public, so the hub sees it open on a later harvest);
- anything else (``validuser``, ``staffonly``, ``internal``...) -> restricted: left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from hub.normalise.record import FileLink
from oai.xml import safe_parser

EP_NS = "http://eprints.org/ep2/data/2.0"
DERIVED_RELATIONS = ("isVolatileVersionOf", "isIndexCodesVersionOf", "isThumbnailVersionOf")
EXPORT_LINK_RE = re.compile(r"/cgi/export/eprint/\d+/XML/([^\"'<>\s/]+?)-eprint-\d+\.xml")


def e(name: str) -> str:
    """The Clark name of an EP3 element."""
    return f"{{{EP_NS}}}{name}"


@dataclass
class EPrintExport:
    """What the hub reads of one EP3 export."""

    status: str = ""
    files: list[FileLink] = field(default_factory=list)
    withheld: int = 0  # documents left out because they are not readable by the public
    orcids: dict[str, str] = field(default_factory=dict)  # family name -> ORCID iD


def _text(node: Any, name: str) -> str:
    child = node.find(e(name)) if node is not None else None
    return "".join(child.itertext()).strip() if child is not None else ""


def _embargo(value: str) -> date | None:
    try:
        parts = [int(p) for p in value.split("-")]
        return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def _derived(document: Any) -> bool:
    for item in document.iterfind(f"{e('relation')}/{e('item')}"):
        if _text(item, "type").rpartition("/")[2] in DERIVED_RELATIONS:
            return True
    return False


def _main_file(document: Any) -> Any:
    files = document.findall(f"{e('files')}/{e('file')}")
    main = _text(document, "main")
    return next((f for f in files if _text(f, "filename") == main), files[0] if files else None)


def document_link(document: Any, today: date) -> tuple[FileLink | None, bool]:
    """(the document's FileLink or None, whether it was withheld for access reasons)."""
    if _derived(document):
        return None, False
    node = _main_file(document)
    url = _text(node, "url")
    if node is None or not url:
        return None, False
    security = _text(document, "security") or "public"
    until = _embargo(_text(document, "date_embargo"))
    if until is not None and until > today:
        access, embargo_until = "embargoed", until.isoformat()
    elif security == "public":
        access, embargo_until = "open", ""
    else:
        return None, True
    size = _text(node, "filesize")
    digest, kind = _text(node, "hash"), _text(node, "hash_type")
    return FileLink(url=url, mime_type=_text(node, "mime_type") or _text(document, "mime_type"),
                    size=int(size) if size.isdigit() else None,
                    checksum=f"{(kind or 'md5').lower()}:{digest}" if digest else "",
                    access=access, embargo_until=embargo_until,
                    label=_text(document, "formatdesc") or _text(node, "filename")), False


def parse_export(body: bytes, today: date | None = None) -> EPrintExport:
    """The documents (open and embargoed files) and creator ORCIDs of an EP3 XML export."""
    root = etree.fromstring(body, safe_parser())
    eprint = root if root.tag == e("eprint") else root.find(e("eprint"))
    result = EPrintExport()
    if eprint is None:
        return result
    today = today or datetime.now(UTC).date()
    result.status = _text(eprint, "eprint_status")
    if result.status == "deletion":
        return result
    for document in eprint.iterfind(f"{e('documents')}/{e('document')}"):
        link, withheld = document_link(document, today)
        if link is not None:
            result.files.append(link)
        result.withheld += withheld
    for item in eprint.iterfind(f"{e('creators')}/{e('item')}"):
        orcid = _text(item, "orcid")
        family = _text(item.find(e("name")), "family")
        if orcid and family:
            result.orcids[family] = orcid
    return result


def export_name_in(html: bytes) -> str:
    """The repository id EPrints uses in export file names, found in an abstract page's links."""
    match = EXPORT_LINK_RE.search(html.decode("utf-8", "replace"))
    return match[1] if match else ""
