"""ResourceSync documents: sitemaps (``urlset``) and sitemap indexes with the ``rs:`` extensions.

Every document is produced as text chunks, so a list of 50,000 URLs is streamed, never built
whole. Values go through :mod:`oai.provider.xmltext` (escaped, characters illegal in XML dropped).
A MIME type is written only in the form the ResourceSync schema accepts (``[\\w-]+/[\\w-]+``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from oai.provider.xmltext import attr, text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
RS_NS = "http://www.openarchives.org/rs/terms/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
CONTENT_TYPE = "application/xml"
MIME_RE = re.compile(r"[\w-]+/[\w-]+")


class Capability(StrEnum):
    """The ``capability`` values of the documents the hub serves."""

    DESCRIPTION = "description"
    CAPABILITY_LIST = "capabilitylist"
    RESOURCE_LIST = "resourcelist"
    CHANGE_LIST = "changelist"
    RESOURCE_DUMP = "resourcedump"
    RESOURCE_DUMP_MANIFEST = "resourcedump-manifest"


class Change(StrEnum):
    """The ``change`` of a Change List entry."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


def w3c(moment: datetime) -> str:
    """A W3C datetime in UTC with seconds (``2024-03-01T08:00:00Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Digest:
    """The md5 and sha-256 digests and the length of some bytes."""

    md5: str
    sha256: str
    length: int

    @classmethod
    def of(cls, data: bytes) -> Digest:
        """The digests of ``data``."""
        return cls(hashlib.md5(data, usedforsecurity=False).hexdigest(), hashlib.sha256(data).hexdigest(), len(data))

    @property
    def hash(self) -> str:
        """The ``hash`` attribute value (``md5:... sha-256:...``)."""
        return f"md5:{self.md5} sha-256:{self.sha256}"


def mime(value: str) -> str:
    """``value`` without parameters, or "" when the schema's pattern refuses it."""
    bare = (value or "").split(";", 1)[0].strip().lower()
    return bare if MIME_RE.fullmatch(bare) else ""


def _attributes(values: Mapping[str, object]) -> str:
    parts = []
    for name, value in values.items():
        if value is None or value == "":
            continue
        shown = w3c(value) if isinstance(value, datetime) else str(value)
        parts.append(f' {name}="{attr(shown)}"')
    return "".join(parts)


def md(**values: object) -> str:
    """An ``rs:md`` element (``from_`` is written ``from``); empty values are left out."""
    return f"<rs:md{_attributes({name.rstrip('_'): v for name, v in values.items()})}/>"


def ln(rel: str, href: str, **values: object) -> str:
    """An ``rs:ln`` element."""
    return f"<rs:ln{_attributes({'rel': rel, 'href': href, **values})}/>"


def digest_md(digest: Digest | None, type_: str = "", **values: object) -> str:
    """The ``rs:md`` of a resource: hash, length and type (with any other attribute)."""
    if digest is None:
        return md(type=mime(type_), **values)
    return md(hash=digest.hash, length=digest.length, type=mime(type_), **values)


def url(loc: str, lastmod: datetime | None, metadata: str, links: Iterable[str] = ()) -> str:
    """One ``<url>`` entry."""
    lastmod_xml = f"<lastmod>{w3c(lastmod)}</lastmod>" if lastmod is not None else ""
    return f"<url><loc>{text(loc)}</loc>{lastmod_xml}{metadata}{''.join(links)}</url>"


def sitemap(loc: str, metadata: str = "", lastmod: datetime | None = None) -> str:
    """One ``<sitemap>`` entry of an index."""
    lastmod_xml = f"<lastmod>{w3c(lastmod)}</lastmod>" if lastmod is not None else ""
    return f"<sitemap><loc>{text(loc)}</loc>{lastmod_xml}{metadata}</sitemap>"


URLSET_END = "</urlset>\n"
INDEX_END = "</sitemapindex>\n"


def opening(name: str, head: str, links: Iterable[str] = ()) -> str:
    """The XML declaration and the opening of a ``urlset`` or ``sitemapindex``, its ``rs:md`` and links."""
    return f'{XML_DECLARATION}<{name} xmlns="{SITEMAP_NS}" xmlns:rs="{RS_NS}">{head}{"".join(links)}'


def _root(name: str, head: str, links: Iterable[str], entries: Iterable[str]) -> Iterator[str]:
    yield opening(name, head, links)
    yield from entries
    yield f"</{name}>\n"


def urlset(head: str, entries: Iterable[str], links: Iterable[str] = ()) -> Iterator[str]:
    """A ``urlset`` document: its ``rs:md`` head, links, then the entries (streamed)."""
    return _root("urlset", head, links, entries)


def sitemapindex(head: str, entries: Iterable[str], links: Iterable[str] = ()) -> Iterator[str]:
    """A ``sitemapindex`` document: its ``rs:md`` head, links, then the component sitemaps."""
    return _root("sitemapindex", head, links, entries)
