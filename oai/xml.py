"""Safe parsing of OAI-PMH responses, and recovery of pages where single records are broken.

Harvested XML is untrusted: the parser never resolves entities, loads DTDs or touches the network;
``huge_tree`` is on because the HTTP layer already bounds the size. A page that fails to parse
because of one bad record is split into its top-level ``<record>`` (or ``<header>``) chunks, each
parsed alone inside a copy of the root start tag. A chunk that fails is repaired (:func:`repair_xml`):
characters illegal in XML 1.0 (U+0000-U+001F but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates)
and character references to them (``&#xD800;``) are dropped, and each run of bytes invalid in the
page's encoding is replaced by one U+FFFD (a visible mark that text was lost, rather than a silent
join of the words around it). A repaired record carries notes of what was mended and its bytes as
received; only a chunk that is still not well-formed after the repair (an unclosed element, a broken
tag) is returned as a :class:`BrokenRecord` with its raw bytes. A header without an identifier is a
broken record of its own kind (:attr:`RecordFault.MISSING_IDENTIFIER`), never a record.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lxml import etree, html

from hub.http import HarvestError

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_ROOT = f"{{{OAI_NS}}}OAI-PMH"
_NAME = rb"(?:[A-Za-z_][\w.\-]*:)?"
_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.\-]*)["']""")
# What repair_xml mends: a run of undecodable bytes (surrogateescape maps each to U+DC80-U+DCFF), a
# character outside XML 1.0's Char production, or a numeric character reference (checked one by one).
_REPAIRABLE = re.compile("(?P<bytes>[\udc80-\udcff]+)"
                         "|(?P<char>[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udc7f\udd00-\udfff])"
                         "|(?P<ref>&#(?:x(?P<hex>[0-9A-Fa-f]+)|(?P<dec>[0-9]+));)")
POSITIONS_LISTED = 10


class RecordFault(StrEnum):
    """Why one record of a page could not be read: the kind of the item error it becomes."""

    UNREADABLE = "unreadable-record"  # not well-formed, even after dropping characters illegal in XML
    MISSING_IDENTIFIER = "missing-identifier"  # a header without an <identifier> (or an empty one)


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

    record_fault = RecordFault.UNREADABLE  # the item error's kind when only one record is concerned

    def __init__(self, message: str, *, raw: bytes = b"", truncated: bool = False) -> None:
        super().__init__(message)
        self.raw = raw
        self.truncated = truncated


class MissingIdentifier(MalformedResponse):
    """A header without an identifier: the record cannot be stored or matched, so it is an item error."""

    record_fault = RecordFault.MISSING_IDENTIFIER


@dataclass
class ParsedRecord:
    """One record (or header) as the source sent it; ``metadata`` is the child of ``<metadata>``.

    A record read only after :func:`repair_xml` mended it has ``repairs`` (one note per kind of
    mend) and ``raw_bytes``, the record's bytes as received; both are empty otherwise.
    """

    identifier: str
    datestamp: str
    deleted: bool = False
    sets: list[str] = field(default_factory=list)
    metadata: Any = None
    metadata_xml: str | None = None
    about_xml: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    raw_bytes: bytes | None = None


@dataclass
class BrokenRecord:
    """A record that could not be read; its raw bytes are kept for quarantine, ``kind`` says why."""

    identifier_guess: str
    reason: str
    raw: bytes
    kind: RecordFault = RecordFault.UNREADABLE

    def as_error(self, context: str) -> MalformedResponse:
        """The error to raise where one record was asked for (GetRecord): ``context``, the reason, the bytes."""
        error = MissingIdentifier if self.kind is RecordFault.MISSING_IDENTIFIER else MalformedResponse
        return error(f"{context}: {self.reason}", raw=self.raw)


@dataclass
class ParsedPage:
    """A parsed response: the root element, records recovered and records broken (recovery only)."""

    root: Any
    broken: list[BrokenRecord] = field(default_factory=list)
    recovered: list[ParsedRecord] | None = None  # set when the page was split record by record


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def parse_header(header: Any) -> ParsedRecord:
    """A :class:`ParsedRecord` (no metadata yet) from an OAI ``<header>`` element.

    Raises :class:`MissingIdentifier` when the header has no identifier, or an empty one.
    """
    parsed = ParsedRecord(
        identifier=_text(header.find(q("identifier"))),
        datestamp=_text(header.find(q("datestamp"))),
        deleted=(header.get("status") or "").strip().lower() == "deleted",
        sets=[_text(s) for s in header.findall(q("setSpec")) if _text(s)],
    )
    if not parsed.identifier:
        what = "a deleted header" if parsed.deleted else "a header"
        raise MissingIdentifier(f"{what} without an identifier (datestamp {parsed.datestamp or 'none'!r}); "
                                "the record cannot be stored without one")
    return parsed


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


def declared_encoding(body: bytes) -> str:
    """The codec of the encoding a body's XML declaration names; UTF-8 when absent or unknown."""
    match = _ENCODING.match(body)
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


def _is_xml_char(code: int) -> bool:
    """Whether ``code`` is a Char of XML 1.0 (what a document may contain, literally or by reference)."""
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _illegal_reference(match: re.Match[str]) -> bool:
    digits, base = (match.group("hex"), 16) if match.group("hex") is not None else (match.group("dec"), 10)
    return len(digits) > 8 or not _is_xml_char(int(digits, base))


def _at(offsets: list[int]) -> str:
    listed = ", ".join(str(o) for o in offsets[:POSITIONS_LISTED])
    more = f" and {len(offsets) - POSITIONS_LISTED} more" if len(offsets) > POSITIONS_LISTED else ""
    return f"at byte{'s' if len(offsets) > 1 else ''} {listed}{more}"


def _size(char: str, encoding: str) -> int:
    """How many bytes ``char`` took in ``encoding`` (a lone surrogate: as UTF-8 would carry it)."""
    try:
        return len(char.encode(encoding, "surrogatepass"))
    except UnicodeEncodeError:
        return len(char.encode("utf-8", "surrogatepass"))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def repair_xml(data: bytes, encoding: str = "utf-8") -> tuple[str, list[str]] | None:
    """``data`` decoded, with what makes it ill-formed XML mended, and one note per kind of mend.

    Characters illegal in XML 1.0 and numeric character references to them are dropped; each run of
    bytes invalid in ``encoding`` becomes one U+FFFD. Byte offsets in the notes count from the start
    of ``data``. Returns ``(data decoded, [])`` when there was nothing to mend, and None when ``data``
    cannot be decoded at all (an encoding that is not ASCII-compatible).
    """
    try:
        text = data.decode(encoding, "surrogateescape")
    except UnicodeDecodeError:
        return None
    out: list[str] = []
    chars: Counter[str] = Counter()
    char_at: list[int] = []
    refs: list[str] = []
    ref_at: list[int] = []
    runs: list[str] = []
    run_at: list[int] = []
    done, position = 0, 0  # text consumed so far, and its length in bytes
    for match in _REPAIRABLE.finditer(text):
        if match.group("ref") is not None and not _illegal_reference(match):
            continue
        kept = text[done:match.start()]
        out.append(kept)
        position += len(kept.encode(encoding, "surrogateescape"))
        found = match.group(0)
        if match.group("bytes") is not None:
            raw = found.encode(encoding, "surrogateescape")
            runs.append(raw.hex(" ").upper())
            run_at.append(position)
            out.append("\ufffd")
            size = len(raw)
        elif match.group("char") is not None:
            chars[f"U+{ord(found):04X}"] += 1
            char_at.append(position)
            size = _size(found, encoding)
        else:
            refs.append(found)
            ref_at.append(position)
            size = len(found)
        position += size
        done = match.end()
    if not (chars or refs or runs):
        return text, []
    out.append(text[done:])
    notes: list[str] = []
    if chars:
        counted = ", ".join(name if n == 1 else f"{name} x{n}" for name, n in sorted(chars.items()))
        notes.append(f"dropped {_plural(len(char_at), 'character')} illegal in XML ({counted}) {_at(char_at)}")
    if refs:
        named = ", ".join(sorted(set(refs))[:POSITIONS_LISTED])
        notes.append(f"dropped {_plural(len(refs), 'character reference')} illegal in XML ({named}) {_at(ref_at)}")
    if runs:
        shown = "; ".join(runs[:POSITIONS_LISTED])
        notes.append(f"replaced {_plural(len(runs), 'invalid ' + encoding.upper() + ' byte sequence')} ({shown}) "
                     f"with U+FFFD {_at(run_at)}")
    return "".join(out), notes


def _unread(chunk: bytes, reason: str, kind: RecordFault = RecordFault.UNREADABLE) -> BrokenRecord:
    """A chunk that could not be read; a header without identifier guesses none (not a dc:identifier)."""
    guess = "" if kind is RecordFault.MISSING_IDENTIFIER else _guess_identifier(chunk)
    return BrokenRecord(guess, reason, chunk, kind)


def _parse_chunk(prologue: bytes, chunk: bytes, epilogue: bytes, repaired_wrapper: tuple[str, str],
                 encoding: str, parser: etree.XMLParser) -> ParsedRecord | BrokenRecord:
    """One record chunk of a page that failed to parse: read as is, else repaired, else broken."""
    try:
        return parse_record(etree.fromstring(prologue + chunk + epilogue, parser)[0])
    except MalformedResponse as exc:
        return _unread(chunk, str(exc), exc.record_fault)
    except (etree.XMLSyntaxError, IndexError) as exc:
        error = exc
    repaired = repair_xml(chunk, encoding)
    if repaired is None or not repaired[1]:
        return _unread(chunk, f"not well-formed XML: {error}")
    text, notes = repaired
    start, end = repaired_wrapper
    try:
        record = parse_record(etree.fromstring((start + text + end).encode("utf-8"), parser)[0])
    except MalformedResponse as exc:
        return _unread(chunk, str(exc), exc.record_fault)
    except (etree.XMLSyntaxError, IndexError) as exc:
        return _unread(chunk, f"not well-formed XML, even after the repair ({'; '.join(notes)}): {exc}")
    record.repairs, record.raw_bytes = notes, chunk
    return record


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
    encoding = declared_encoding(body)
    # A repaired chunk is text: it is wrapped in the root start tag without the declaration, as UTF-8.
    repaired_wrapper = (root_tag.group(0).decode(encoding, "replace"), epilogue.decode(encoding, "replace"))
    parser = safe_parser()
    recovered: list[ParsedRecord] = []
    broken: list[BrokenRecord] = []
    for start, end in spans:
        result = _parse_chunk(prologue, body[start:end], epilogue, repaired_wrapper, encoding, parser)
        if isinstance(result, BrokenRecord):
            broken.append(result)
        else:
            recovered.append(result)
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
