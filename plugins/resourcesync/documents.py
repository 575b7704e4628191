"""Reading ResourceSync documents (ANSI/NISO Z39.99-2017): sitemaps with ``rs:md`` and ``rs:ln``.

Every ResourceSync document is a sitemap: a ``<urlset>`` (Source Description, Capability List,
Resource List, Change List, Resource Dump, Dump Manifest) or a ``<sitemapindex>`` (a Resource or
Change List Index) whose own ``<rs:md capability="...">`` says what it is. :func:`parse_document`
reads one into a :class:`RsDocument`; a body that is not XML, not a sitemap, or a sitemap without
a capability is a :class:`NotResourceSync` error (a source fault: the run fails, resumable).
Hashes are checked by :func:`hash_problem` (``md5``, ``sha-1`` and ``sha-256`` tokens, hex as the
standard writes them, base64 as early ``resync`` versions did).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from hub.http import HarvestError
from oai.client import parse_datestamp
from oai.xml import describe_body, safe_parser

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
RS_NS = "http://www.openarchives.org/rs/terms/"
URLSET = f"{{{SITEMAP_NS}}}urlset"
SITEMAPINDEX = f"{{{SITEMAP_NS}}}sitemapindex"
_MD = f"{{{RS_NS}}}md"
_LN = f"{{{RS_NS}}}ln"
_LOC = f"{{{SITEMAP_NS}}}loc"
_LASTMOD = f"{{{SITEMAP_NS}}}lastmod"
_ALGORITHMS = {"md5": "md5", "sha-1": "sha1", "sha-256": "sha256"}


class NotResourceSync(HarvestError):
    """A list the hub asked for is not a ResourceSync document (not XML, not a sitemap, no capability)."""


@dataclass
class RsEntry:
    """One ``<url>`` or ``<sitemap>`` of a document: its location, dates and ``rs:md`` attributes."""

    loc: str
    lastmod: str = ""
    md: dict[str, str] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)

    @property
    def change(self) -> str:
        """``created``, ``updated`` or ``deleted`` in a Change List ('' elsewhere)."""
        return self.md.get("change", "")

    @property
    def moment(self) -> str:
        """When the resource last changed, as the source says: ``rs:md datetime``, else ``lastmod``."""
        return self.md.get("datetime") or self.lastmod

    def link(self, rel: str) -> str:
        """The ``href`` of the first ``rs:ln`` with this relation ('' if none)."""
        return next((ln.get("href", "") for ln in self.links if ln.get("rel") == rel), "")


@dataclass
class RsDocument:
    """A parsed ResourceSync document: whether it is an index, its capability, ``rs:md`` and entries."""

    url: str
    is_index: bool
    capability: str
    md: dict[str, str]
    links: list[dict[str, str]]
    entries: list[RsEntry]

    def link(self, rel: str) -> str:
        """The ``href`` of the document's first ``rs:ln`` with this relation ('' if none)."""
        return next((ln.get("href", "") for ln in self.links if ln.get("rel") == rel), "")


def _attributes(element) -> dict[str, str]:
    return {str(key): str(value) for key, value in element.attrib.items()}


def parse_document(body: bytes, url: str, expected: tuple[str, ...] = ()) -> RsDocument:
    """Read a ResourceSync document; ``expected`` lists the capabilities accepted (empty: any)."""
    try:
        root = etree.fromstring(body, safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NotResourceSync(f"{url} is not a ResourceSync document: {describe_body(body)} ({exc})") from exc
    if root is None or root.tag not in (URLSET, SITEMAPINDEX):
        tag = getattr(root, "tag", None)
        raise NotResourceSync(f"{url} is not a ResourceSync document: its root element is {tag!r}, "
                              f"not a sitemap <urlset> or <sitemapindex>")
    md_node = root.find(_MD)
    capability = md_node.get("capability", "") if md_node is not None else ""
    if not capability:
        raise NotResourceSync(f"{url} is a sitemap without <rs:md capability=...>: not a ResourceSync document")
    if expected and capability not in expected:
        raise NotResourceSync(f"{url} is a ResourceSync {capability!r} document where "
                              f"{' or '.join(expected)} was expected")
    child = "sitemap" if root.tag == SITEMAPINDEX else "url"
    entries = []
    for node in root.findall(f"{{{SITEMAP_NS}}}{child}"):
        loc = (node.findtext(_LOC) or "").strip()
        md = node.find(_MD)
        entries.append(RsEntry(loc=loc, lastmod=(node.findtext(_LASTMOD) or "").strip(),
                               md=_attributes(md) if md is not None else {},
                               links=[_attributes(ln) for ln in node.findall(_LN)]))
    return RsDocument(url=url, is_index=root.tag == SITEMAPINDEX, capability=capability,
                      md=_attributes(md_node), links=[_attributes(ln) for ln in root.findall(_LN)], entries=entries)


def moment_of(value: str) -> datetime | None:
    """A W3C datetime of a document as an aware UTC datetime (None when absent or unreadable)."""
    try:
        return parse_datestamp(value) if value else None
    except ValueError:
        return None


def stamp(moment: datetime) -> str:
    """The hub's form of a source time (seconds, UTC), as stored in the high-water mark."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def digest_matches(expected: str, digest: bytes) -> bool:
    """Whether a declared digest (hex, or base64 as early ``resync`` versions wrote it) is ``digest``."""
    value = expected.strip()
    if value.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(value, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def hash_problem(declared: str, length: str, body: bytes) -> str:
    """What differs between a body and its declared ``hash``/``length`` ('' when everything matches).

    Unknown algorithms are ignored; a length that is not a number is a problem.
    """
    if length:
        if not length.strip().isdigit():
            return f"declared length {length!r} is not a number"
        if int(length) != len(body):
            return f"declared length {int(length):,} bytes, received {len(body):,}"
    for token in declared.split():
        algorithm, _, value = token.partition(":")
        name = _ALGORITHMS.get(algorithm.lower())
        if name is None or not value:
            continue
        digest = hashlib.new(name, body).digest()
        if not digest_matches(value, digest):
            return f"declared {algorithm} {value}, received {digest.hex()}"
    return ""
