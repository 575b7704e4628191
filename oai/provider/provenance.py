"""``<about><provenance>``: where a republished record came from (OAI provenance guidelines).

Each record names the repository the hub harvested it from (its base URL), its identifier and
datestamp there, and the namespace of the format it was harvested in; ``harvestDate`` is when
the hub first stored it and ``altered="true"`` because the hub serves metadata rebuilt from its
normalised record. When the source was itself an aggregator that exposed provenance, the earlier
``originDescription`` (kept by the harvester as XML text in ``meta["extra"]["provenance"]``) is
nested inside ours: it is parsed safely, and rebuilt field by field, so that nothing untrusted is
copied verbatim into the output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from lxml import etree

from hub.redaction import redact_url
from oai.provider.xmltext import attr, datestamp, text, uri

PROVENANCE_NS = "http://www.openarchives.org/OAI/2.0/provenance"
MAX_NESTING = 8
KNOWN_NAMESPACES = {
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "oai_openaire": "http://namespace.openaire.eu/schema/oaire/",
    "mods": "http://www.loc.gov/mods/v3",
    "marc21": "http://www.loc.gov/MARC21/slim",
    "marcxml": "http://www.loc.gov/MARC21/slim",
    "didl": "urn:mpeg:mpeg21:2002:02-DIDL-NS",
    "qdc": "http://purl.org/dc/terms/",
    "ore": "http://www.w3.org/2005/Atom",
    "xoai": "http://www.lyncode.com/xoai",
    "rioxx": "http://www.rioxx.net/schema/v2.0/rioxx/",
    "datacite": "http://datacite.org/schema/kernel-4",
}
_ROOT_TAG = re.compile(r"<(?:([A-Za-z_][\w.\-]*):)?[A-Za-z_][\w.\-]*\b([^>]*)>")
_XMLNS = re.compile(r"""xmlns(?::([A-Za-z_][\w.\-]*))?\s*=\s*["']([^"']*)["']""")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class Origin:
    """One ``originDescription``."""

    base_url: str
    identifier: str
    datestamp: str
    namespace: str
    harvest_date: str
    altered: bool
    earlier: Origin | None = None


def source_namespace(raw_head: str | None, metadata_format: str) -> str:
    """The namespace of the source's metadata: from its root element, else from its prefix."""
    match = _ROOT_TAG.search(raw_head or "")
    if match:
        prefix = match.group(1)
        for declared_prefix, namespace in _XMLNS.findall(match.group(2)):
            if (declared_prefix or None) == prefix and namespace:
                return str(namespace)
    return KNOWN_NAMESPACES.get(metadata_format, f"urn:chair:metadata-format:{metadata_format or 'unknown'}")


def provenance_date(value: str, fallback: datetime) -> str:
    """A datestamp valid as ``xs:date`` or ``xs:dateTime``: the source's own when it is, else ``fallback``."""
    value = (value or "").strip()
    if _DATE.fullmatch(value) or _DATETIME.fullmatch(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return value
        except ValueError:
            pass
    return datestamp(fallback)


def parse_origin(xml: str, depth: int = 0) -> Origin | None:
    """An :class:`Origin` from the XML text of an earlier ``originDescription``; None if unusable."""
    if not isinstance(xml, str) or not xml.strip() or len(xml) > 65536:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag == f"{{{PROVENANCE_NS}}}provenance":
        root = root.find(f"{{{PROVENANCE_NS}}}originDescription")
    return _origin_from(root, depth) if root is not None else None


def _origin_from(element: Any, depth: int) -> Origin | None:
    if element.tag != f"{{{PROVENANCE_NS}}}originDescription" or depth >= MAX_NESTING:
        return None

    def child(name: str) -> str:
        return (element.findtext(f"{{{PROVENANCE_NS}}}{name}") or "").strip()

    base_url, identifier, namespace = child("baseURL"), child("identifier"), child("metadataNamespace")
    if not (base_url and identifier and namespace):
        return None
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    nested = element.find(f"{{{PROVENANCE_NS}}}originDescription")
    return Origin(base_url, identifier, provenance_date(child("datestamp"), epoch), namespace,
                  provenance_date(element.get("harvestDate", ""), epoch),
                  (element.get("altered") or "").strip().lower() in ("true", "1"),
                  _origin_from(nested, depth + 1) if nested is not None else None)


def render_origin(origin: Origin) -> str:
    """The ``originDescription`` element of ``origin`` and of those nested in it."""
    nested = render_origin(origin.earlier) if origin.earlier else ""
    return (f'<originDescription harvestDate="{attr(origin.harvest_date)}" '
            f'altered="{"true" if origin.altered else "false"}">'
            f"<baseURL>{_shared_uri(origin.base_url)}</baseURL><identifier>{uri(origin.identifier)}</identifier>"
            f"<datestamp>{text(origin.datestamp)}</datestamp>"
            f"<metadataNamespace>{_shared_uri(origin.namespace)}</metadataNamespace>{nested}</originDescription>")


@lru_cache(maxsize=512)
def _shared_uri(value: str) -> str:
    """:func:`uri` of a value shared by many records (a repository's base URL, a namespace), with any
    user name and password inside it hidden (an earlier aggregator's provenance may carry them)."""
    return uri(redact_url(value))


def record_origin(record: Any, base_url: str) -> Origin:
    """The origin of one record row (see :func:`oai.provider.query.record_columns`)."""
    meta = record.meta or {}
    extra = meta.get("extra") if isinstance(meta.get("extra"), dict) else {}
    earlier = parse_origin(extra.get("provenance", "")) if extra else None
    harvested = record.created_at or record.hub_datestamp
    return Origin(base_url, record.source_identifier, provenance_date(record.source_datestamp, record.hub_datestamp),
                  source_namespace(record.raw_head, record.metadata_format), datestamp(harvested), True, earlier)


def render_about(record: Any, base_url: str) -> str:
    """The ``<about>`` element of one record."""
    origin = render_origin(record_origin(record, base_url))
    return (f'<about><provenance xmlns="{PROVENANCE_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{PROVENANCE_NS} http://www.openarchives.org/OAI/2.0/provenance.xsd">'
            f"{origin}</provenance></about>")
