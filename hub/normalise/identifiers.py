"""Identifiers: DOI, Handle, URN, ISBN, ISSN and URLs recognised and put in canonical form.

Canonical forms stored in ``Identifier.value``:

- ``doi``: lower-case ``10.x/y`` with no resolver or ``doi:`` prefix, percent-decoded, trailing
  ``.,;`` removed (from ``doi:10..``, ``DOI: 10..``, ``info:doi/10..``, ``https://doi.org/10..``,
  ``http://dx.doi.org/10..`` or a bare ``10.x/y``);
- ``handle``: ``prefix/suffix`` (from ``hdl:``, ``info:hdl/``, ``http(s)://hdl.handle.net/...``
  and a repository URL ``http://host/handle/123/456``);
- ``urn``: as written (``urn:nbn:...``);
- ``isbn``: the compact 10 or 13 characters, check digit verified, ``X`` upper-case;
- ``issn``: ``NNNN-NNNC``, check digit verified; a bare 8-digit number is not taken for an ISSN
  unless prefixed ``ISSN``;
- ``url``: any other http(s)/ftp URL, as written;
- ``other``: any other value without whitespace (``oai:...``, ``arXiv:...``). A value with
  whitespace that is none of these (a bibliographic citation) is not an identifier: ``None``.

Links in oai_dc: which URLs are full-text files and which are landing pages.

A URL is a **file** when its path

- ends in a document extension (``.pdf .doc .docx .epub .odt .rtf .ppt .pptx .txt .ps``), or
- contains a DSpace ``/bitstream/`` or ``/bitstreams/`` segment or a ``/download`` segment, or
- has the EPrints shape ``/<eprint id>/<document pos>/<name>.<ext>`` (also under ``/id/eprint/``).

A URL is a **landing page** (ranked, lower is better) when it is

0. a repository item page: DSpace ``/handle/<prefix>/<suffix>``, EPrints ``/id/eprint/<id>``
   or EPrints ``/<id>/``;
1. the Handle resolver (``hdl.handle.net``);
2. another URL given as the record's identifier;
3. the DOI resolver (``doi.org``, ``dx.doi.org``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from hub.normalise.record import Identifier

_DOI_PREFIX_RE = re.compile(
    r"^(?:doi\s*[:：]\s*|info:doi/|(?:https?://)?(?:dx\.|www\.)?doi\.org/|(?:https?://)?doi\.[a-z]+\.[a-z]+/)",
    re.I,
)
_BARE_DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
_DOI_IN_TEXT_RE = re.compile(r"(?:doi\s*[:：]\s*|doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_HANDLE_PREFIX_RE = re.compile(r"^(?:hdl:|info:hdl/|https?://hdl\.handle\.net/)\s*", re.I)
_HANDLE_RE = re.compile(r"\d+(?:\.\d+)*/\S+")
_REPOSITORY_HANDLE_URL_RE = re.compile(
    r"^https?://[^/?#\s]+(?:/[^?#\s]*)?/handle/(\d+(?:\.\d+)*/\d+)/?(?:[?#]\S*)?$", re.I
)
_URN_RE = re.compile(r"urn:[a-z0-9][a-z0-9-]{0,31}:\S+", re.I)
_ISBN_RE = re.compile(r"(?:ISBN(?:-1[03])?\s*[:：]?\s*)?([\dXx][\dXx\s-]{8,20})", re.I)
_ISSN_RE = re.compile(r"(?:[ep]?-?ISSN\s*[:：]?\s*(\d{4})-?(\d{3}[\dXx]))|(?:(\d{4})-(\d{3}[\dXx]))", re.I)
_URL_SCHEMES = ("http://", "https://", "ftp://")


def canonical_doi(value: str) -> str:
    """The canonical lower-case ``10.x/y`` form of a DOI in any usual notation, or ``''``."""
    text = value.strip()
    match = _DOI_PREFIX_RE.match(text)
    if match:
        text = text[match.end():]
    if "%" in text:
        text = unquote(text)
    if not _BARE_DOI_RE.fullmatch(text):
        return ""
    return text.rstrip(".,;").lower()


def doi_in_text(text: str) -> str:
    """The canonical DOI announced inside free text (``... doi:10.1/x``, ``... doi.org/10.1/x``)."""
    match = _DOI_IN_TEXT_RE.search(text)
    return canonical_doi(match[1]) if match else ""


def canonical_handle(value: str) -> str:
    """The ``prefix/suffix`` of a Handle in ``hdl:``, resolver-URL or DSpace ``/handle/`` form."""
    text = value.strip()
    match = _HANDLE_PREFIX_RE.match(text)
    if match:
        rest = text[match.end():].split("?", 1)[0].rstrip("/")
        return rest if _HANDLE_RE.fullmatch(rest) and not rest.startswith("10.") else ""
    match = _REPOSITORY_HANDLE_URL_RE.match(text)
    return match[1] if match else ""


def _isbn10_ok(digits: str) -> bool:
    if not digits[:9].isdigit():
        return False
    total = sum((10 - i) * int(c) for i, c in enumerate(digits[:9]))
    check = 10 if digits[9] == "X" else int(digits[9]) if digits[9].isdigit() else -1
    return (total + check) % 11 == 0


def _isbn13_ok(digits: str) -> bool:
    if not digits.isdigit() or digits[:3] not in ("978", "979"):
        return False
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits))
    return total % 10 == 0


def canonical_isbn(value: str) -> str:
    """The compact ISBN-10 or ISBN-13 (check digit verified), or ``''``."""
    match = _ISBN_RE.fullmatch(value.strip())
    if not match:
        return ""
    digits = match[1].replace("-", "").replace(" ", "").upper()
    if len(digits) == 10 and _isbn10_ok(digits):
        return digits
    if len(digits) == 13 and _isbn13_ok(digits):
        return digits
    return ""


def canonical_issn(value: str) -> str:
    """The ``NNNN-NNNC`` form of an ISSN (check digit verified), or ``''``."""
    match = _ISSN_RE.fullmatch(value.strip())
    if not match:
        return ""
    first, second = (match[1], match[2]) if match[1] else (match[3], match[4])
    digits = (first + second).upper()
    total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    if digits[7] != ("X" if check == 10 else str(check)):
        return ""
    return f"{digits[:4]}-{digits[4:]}"


def is_url(value: str) -> bool:
    """True for an http(s) or ftp URL."""
    return value[:8].lower().startswith(_URL_SCHEMES) and " " not in value


def classify_identifier(value: str) -> Identifier | None:
    """The scheme and canonical value of one identifier string, or None (empty or a citation).

    Checked in this order: doi, handle, urn, url, isbn, issn, other; see the module docstring.
    """
    text = value.strip()
    if not text:
        return None
    doi = canonical_doi(text)
    if doi:
        return Identifier("doi", doi)
    handle = canonical_handle(text)
    if handle:
        return Identifier("handle", handle)
    if is_url(text):
        return Identifier("url", text)
    if text[:4].lower() == "urn:" and _URN_RE.fullmatch(text):
        return Identifier("urn", text)
    if any(char.isdigit() for char in text[:12]):
        isbn = canonical_isbn(text)
        if isbn:
            return Identifier("isbn", isbn)
        issn = canonical_issn(text)
        if issn:
            return Identifier("issn", issn)
    if any(char.isspace() for char in text):
        return None
    return Identifier("other", text)


# --- links: files and landing pages ------------------------------------------------------

_URL_PARTS_RE = re.compile(r"^(?:https?|ftp)://([^/?#\s]+)([^?#\s]*)", re.I)
_EXTENSION_RE = re.compile(r"\.([A-Za-z0-9]{1,5})$")
_FILE_SEGMENT_RE = re.compile(r"/(?:bitstreams?/|download(?:/|$))", re.I)
_EPRINTS_FILE_RE = re.compile(r"/\d+/\d+/[^/]+\.[A-Za-z0-9]{1,5}$")
_ITEM_PAGE_RE = re.compile(r"(?:/handle/\d+(?:\.\d+)*/\d+|/id/eprint/\d+|^/\d+)/?$", re.I)

MIME_BY_EXTENSION: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "epub": "application/epub+zip",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "ps": "application/postscript",
}

LANDING_ITEM_PAGE, LANDING_HANDLE, LANDING_OTHER, LANDING_DOI = 0, 1, 2, 3


def url_parts(url: str) -> tuple[str, str] | None:
    """(lower-case host, path) of an http(s)/ftp URL, or None for anything else."""
    match = _URL_PARTS_RE.match(url)
    if match is None:
        return None
    return match[1].lower(), match[2]


def file_mime_type(url: str) -> str | None:
    """None when the URL is not a full-text file; else its MIME type from the extension ('' if unknown)."""
    parts = url_parts(url)
    if parts is None:
        return None
    host, path = parts
    extension = _EXTENSION_RE.search(path)
    ext = extension[1].lower() if extension else ""
    if ext in MIME_BY_EXTENSION:
        return MIME_BY_EXTENSION[ext]
    if _FILE_SEGMENT_RE.search(path) or _EPRINTS_FILE_RE.search(path):
        return ""
    return None


def landing_page_rank(url: str) -> int | None:
    """The landing-page rank of a URL (see the module docstring), or None when it is not a page."""
    parts = url_parts(url)
    if parts is None:
        return None
    host, path = parts
    if host in ("doi.org", "dx.doi.org", "www.doi.org"):
        return LANDING_DOI
    if host == "hdl.handle.net":
        return LANDING_HANDLE
    if _ITEM_PAGE_RE.search(path):
        return LANDING_ITEM_PAGE
    return LANDING_OTHER
