"""Safe parsing of OAI-PMH responses, and recovery of pages where single records are broken.

Harvested XML is untrusted: the parser never resolves entities, loads DTDs or touches the network;
``huge_tree`` is on because the HTTP layer already bounds the size. A page that fails to parse
because of one bad record (characters illegal in XML, invalid UTF-8) is split into its top-level
``<record>`` (or ``<header>``) chunks, each parsed alone inside a copy of the root start tag; the
good ones are kept and the bad ones returned with their raw bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree, html

from hub.http import HarvestError

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_ROOT = f"{{{OAI_NS}}}OAI-PMH"
_NAME = rb"(?:[A-Za-z_][\w.\-]*:)?"


def q(name: str) -> str:
    """The Clark name of an element of the OAI-PMH namespace."""
    return f"{{{OAI_NS}}}{name}"


def safe_parser() -> etree.XMLParser:
    """An lxml parser that resolves no entity, loads no DTD and uses no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False,
                           remove_comments=False)


class NotOAIResponse(HarvestError):
    """The body is not an OAI-PMH response at all (an HTML page, plain text, another XML)."""

    retryable = False


class MalformedResponse(HarvestError):
    """An OAI-PMH response that is not well-formed beyond what record-level recovery can repair."""

    retryable = False

    def __init__(self, message: str, *, raw: bytes = b"", truncated: bool = False) -> None:
        super().__init__(message)
        self.raw = raw
        self.truncated = truncated


@dataclass
class ParsedRecord:
    """One record (or header) as the source sent it; ``metadata`` is the child of ``<metadata>``."""

    identifier: str
    datestamp: str
    deleted: bool = False
    sets: list[str] = field(default_factory=list)
    metadata: Any = None
    metadata_xml: str | None = None
    about_xml: list[str] = field(default_factory=list)


@dataclass
class BrokenRecord:
    """A record that could not be parsed; its raw bytes are kept for quarantine."""

    identifier_guess: str
    reason: str
    raw: bytes


@dataclass
class ParsedPage:
    """A parsed response: the root element, records recovered and records broken (recovery only)."""

    root: Any
    broken: list[BrokenRecord] = field(default_factory=list)
    recovered: list[ParsedRecord] | None = None  # set when the page was split record by record


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse_header(header: Any) -> ParsedRecord:
    """A :class:`ParsedRecord` (no metadata yet) from an OAI ``<header>`` element."""
    return ParsedRecord(
        identifier=_text(header.find(q("identifier"))),
        datestamp=_text(header.find(q("datestamp"))),
        deleted=(header.get("status") or "").strip().lower() == "deleted",
        sets=[_text(s) for s in header.findall(q("setSpec")) if _text(s)],
    )


def parse_record(record: Any) -> ParsedRecord:
    """A :class:`ParsedRecord` from an OAI ``<record>`` element (or a bare ``<header>``)."""
    if record.tag == q("header"):
        return parse_header(record)
    header = record.find(q("header"))
    if header is None:
        raise MalformedResponse("a <record> without a <header>")
    parsed = parse_header(header)
    metadata = record.find(q("metadata"))
    if metadata is not None:
        children = [c for c in metadata if isinstance(c.tag, str)]
        if children:
            parsed.metadata = children[0]
            parsed.metadata_xml = etree.tostring(children[0], encoding="unicode", with_tail=False)
    for about in record.findall(q("about")):
        for child in about:
            if isinstance(child.tag, str):
                parsed.about_xml.append(etree.tostring(child, encoding="unicode", with_tail=False))
    return parsed


def describe_body(body: bytes) -> str:
    """Name what a non-OAI body is, for an error message ('an HTML page (<html>, title 'Login')')."""
    head = body[:4096].lstrip().lower()
    if not body.strip():
        return "an empty body"
    if b"<html" in head or head.startswith(b"<!doctype html"):
        try:
            doc = html.fromstring(body)
            title = " ".join((doc.findtext(".//title") or "").split())
        except (etree.ParserError, ValueError):
            title = ""
        return "an HTML page (<html>" + (f", title {title[:80]!r})" if title else ")")
    snippet = body[:60].decode("utf-8", "replace").strip()
    return f"text that is not XML ({snippet!r})"


def _describe_root(root: Any) -> str:
    tag = root.tag if isinstance(root.tag, str) else "?"
    local = etree.QName(tag).localname if tag != "?" else tag
    if local.lower() == "html":
        title = " ".join((root.findtext(".//{*}title") or "").split())
        return "an HTML page (<html>" + (f", title {title[:80]!r})" if title else ")")
    return f"an XML document whose root is <{local}> ({etree.QName(tag).namespace or 'no namespace'})"


def _looks_like_oai(body: bytes) -> bool:
    return re.search(rb"<" + _NAME + rb"OAI-PMH[\s>]", body[:8192]) is not None


def _is_truncated(body: bytes) -> bool:
    return re.search(rb"</" + _NAME + rb"OAI-PMH\s*>\s*$", body[-4096:]) is None


def split_elements(body: bytes, local_name: bytes) -> list[tuple[int, int]]:
    """Byte spans of the outermost ``<local_name>`` elements (any prefix), nesting-aware.

    A nested element of the same name (MARCXML's ``<record>`` inside ``<metadata>``) stays in its
    enclosing chunk.
    """
    pattern = re.compile(rb"<(/?)" + _NAME + re.escape(local_name) + rb"(?=[\s/>])[^>]*?(/?)>")
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for match in pattern.finditer(body):
        closing, selfclosing = match.group(1), match.group(2)
        if closing:
            if depth == 0:
                continue
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
        elif selfclosing:
            if depth == 0:
                spans.append((match.start(), match.end()))
        else:
            if depth == 0:
                start = match.start()
            depth += 1
    return spans


def _guess_identifier(chunk: bytes) -> str:
    match = re.search(rb"<" + _NAME + rb"identifier>\s*(.*?)\s*</", chunk, re.S)
    return match.group(1).decode("utf-8", "replace")[:500] if match else ""


def _recover(body: bytes, error: etree.XMLSyntaxError) -> ParsedPage:
    """Parse a page record by record; raise MalformedResponse if the page itself is broken."""
    root_tag = re.search(rb"<(" + _NAME + rb"OAI-PMH)(?=[\s>])[^>]*>", body)
    if root_tag is None:
        raise MalformedResponse(f"the response is not well-formed XML: {error}", raw=body)
    declaration = re.match(rb"\s*<\?xml[^>]*\?>", body)
    prologue = (declaration.group(0) if declaration else b"") + root_tag.group(0)
    epilogue = b"</" + root_tag.group(1) + b">"
    spans = split_elements(body, b"record") or split_elements(body, b"header")
    if not spans:
        raise MalformedResponse(f"the response is not well-formed XML: {error}", raw=body)
    parser = safe_parser()
    recovered: list[ParsedRecord] = []
    broken: list[BrokenRecord] = []
    for start, end in spans:
        chunk = body[start:end]
        try:
            wrapper = etree.fromstring(prologue + chunk + epilogue, parser)
            recovered.append(parse_record(wrapper[0]))
        except (etree.XMLSyntaxError, MalformedResponse, IndexError) as exc:
            broken.append(BrokenRecord(_guess_identifier(chunk), f"not well-formed XML: {exc}", chunk))
    rest = bytearray()
    previous = 0
    for start, end in spans:
        rest += body[previous:start]
        previous = end
    rest += body[previous:]
    try:
        root = etree.fromstring(bytes(rest), parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(f"the response is not well-formed XML outside its records: {exc}",
                                raw=body) from exc
    return ParsedPage(root=root, broken=broken, recovered=recovered)


def parse_response(body: bytes) -> ParsedPage:
    """Parse an OAI-PMH response body safely, recovering single broken records.

    Raises :class:`NotOAIResponse` for anything that is not OAI-PMH, and :class:`MalformedResponse`
    (``truncated=True`` when the body stops before ``</OAI-PMH>``) when recovery is impossible.
    """
    if not body.strip():
        raise MalformedResponse("the response body is empty", truncated=True)
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as exc:
        if not _looks_like_oai(body):
            raise NotOAIResponse(f"expected an OAI-PMH response, got {describe_body(body)}") from exc
        if _is_truncated(body):
            raise MalformedResponse(f"the response is truncated (it stops before </OAI-PMH>): {exc}",
                                    raw=body, truncated=True) from exc
        page = _recover(body, exc)
        root = page.root
    else:
        page = ParsedPage(root=root)
    if root.tag != OAI_ROOT:
        raise NotOAIResponse(f"expected an OAI-PMH response, got {_describe_root(root)}")
    return page
