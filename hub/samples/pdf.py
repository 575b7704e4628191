"""A minimal PDF writer (pure Python) for the sample repositories' full texts.

English lines use the standard Type1 font Helvetica (WinAnsiEncoding). Lines with Chinese use a Type0
font: the Adobe CJK font STSong-Light (CIDFontType0, Adobe-GB1, not embedded, as Acrobat's Asian font
packs provide it) with the UniGB-UCS2-H encoding, so each character is its UCS-2 code, plus a ToUnicode
CMap listing every character used, so text extractors (pypdf, pdfminer, Tika) recover the Unicode text.

`record_pdf(repo, record)` lays out a record's titles, creators, abstract and keywords on one A4 page.
The output is deterministic: the same record gives the same bytes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.samples.catalog import SampleRepository
from hub.samples.records import SampleRecord

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 595, 842, 56


@dataclass(frozen=True)
class PdfLine:
    """One line of text and its font size."""

    text: str
    size: float = 11.0


def _needs_cjk_font(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def _literal(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _ucs2_hex(text: str) -> bytes:
    codes = "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)
    return f"<{codes}>".encode("ascii")


def _pdf_text_string(text: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM, as hex) for the document information dictionary."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _to_unicode_cmap(chars: set[str]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    codes = sorted(ord(ch) for ch in chars if ord(ch) <= 0xFFFF)
    for start in range(0, len(codes), 100):
        chunk = codes[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{c:04X}> <{c:04X}>" for c in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMapResource defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _content_stream(lines: list[PdfLine]) -> tuple[bytes, set[str]]:
    out = [b"BT", f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
    cjk_chars: set[str] = set()
    y: float = PAGE_HEIGHT - MARGIN
    for line in lines:
        leading = round(line.size * 1.45, 2)
        y -= leading
        if y < MARGIN:
            break
        if _needs_cjk_font(line.text):
            cjk_chars.update(line.text)
            shown = _ucs2_hex(line.text)
            font = b"/F2"
        else:
            shown = _literal(line.text)
            font = b"/F1"
        out.append(font + f" {line.size} Tf {leading} TL T*".encode() + b" " + shown + b" Tj")
    out.append(b"ET")
    return b"\n".join(out) + b"\n", cjk_chars


def build_pdf(lines: list[PdfLine], title: str = "", author: str = "", created: datetime | None = None) -> bytes:
    """A one-page PDF showing `lines` top to bottom."""
    content, cjk_chars = _content_stream(lines)
    cmap = _to_unicode_cmap(cjk_chars or {" "})
    info = b"<< /Producer (CHAIR Hub sample repository)"
    if title:
        info += b" /Title " + _pdf_text_string(title)
    if author:
        info += b" /Author " + _pdf_text_string(author)
    if created is not None:
        info += f" /CreationDate (D:{created.strftime('%Y%m%d%H%M%S')}Z)".encode()
    info += b" >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
        "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [7 0 R] /ToUnicode 8 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 9 0 R /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)


def _wrap(text: str, size: float) -> list[PdfLine]:
    usable = PAGE_WIDTH - 2 * MARGIN
    if _needs_cjk_font(text):
        width = max(8, int(usable / size))
        return [PdfLine(text[k:k + width], size) for k in range(0, len(text), width)]
    width = max(20, int(usable / (size * 0.5)))
    return [PdfLine(chunk, size) for chunk in textwrap.wrap(text, width)]


def record_pdf(repo: SampleRepository, record: SampleRecord) -> bytes:
    """The full text of a record: its titles, creators, abstract and keywords."""
    chinese = record.language_kind != "en"
    lines: list[PdfLine] = []
    for title, _lang in record.titles:
        lines += _wrap(title, 16)
    lines.append(PdfLine(""))
    lines += _wrap(("，" if chinese else ", ").join(record.creators), 11)
    inst = repo.institution
    lines += _wrap(inst.name_zh if chinese else inst.name_en, 11)
    lines.append(PdfLine(""))
    lines.append(PdfLine("摘要" if chinese else "Abstract", 13))
    lines += _wrap(record.description, 11)
    lines.append(PdfLine(""))
    lines += _wrap(("关键词：" if chinese else "Keywords: ") + ("；" if chinese else "; ").join(record.subjects), 11)
    if record.doi:
        lines.append(PdfLine(f"DOI: {record.doi}", 9))
    lines.append(PdfLine(f"{record.identifier}  {record.date}", 9))
    created = datetime.fromtimestamp(record.timestamp, UTC)
    return build_pdf(lines, title=record.title, author="; ".join(record.creators), created=created)
