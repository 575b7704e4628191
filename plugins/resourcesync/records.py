"""Turning the bytes of one ResourceSync resource into a harvested item, and back into a record.

A resource is a metadata document: XML in a format the hub has a crosswalk for (``oai_dc``:
a bare ``<oai_dc:dc>``, or one wrapped in an OAI-PMH ``GetRecord`` answer or a ``<metadata>``
element), or the JSON of a record of another CHAIR hub (``chair-json``: the API form
``{"id", "deleted", "metadata": {...}}`` or the normalised record itself, read with
:meth:`NormalisedRecord.from_dict`). The repository's metadata prefix says which of them the
hub takes; the declared ``rs:md type`` lets it leave other resources (full texts, the other
format) unfetched. A resource that does not verify (hash, length) or cannot be read is an item
error holding its bytes as received; the rest of the list goes on.
"""

from __future__ import annotations

import json
import mimetypes
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from hub.normalise.record import NormalisedRecord
from hub.platform import HarvestedItem
from oai.xml import OAI_NS, safe_parser

JSON_FORMAT = "chair-json"
XML_TYPES = ("application/xml", "text/xml")
JSON_TYPES = ("application/json",)


class ResourceFault(StrEnum):
    """Why one resource of a list was not imported (the item error's kind)."""

    HASH_MISMATCH = "hash-mismatch"
    UNAVAILABLE = "resource-unavailable"
    UNREADABLE = "unreadable-resource"


def declared_kind(media_type: str) -> str:
    """``xml``, ``json``, ``other`` from a declared ``rs:md type`` ('' when none is declared)."""
    base = media_type.split(";", 1)[0].strip().lower()
    if not base:
        return ""
    if base in XML_TYPES or base.endswith("+xml"):
        return "xml"
    if base in JSON_TYPES or base.endswith("+json"):
        return "json"
    return "other"


def guessed_kind(loc: str) -> str:
    """The kind of a resource from its address alone (``.xml``, ``.json``; '' when it says nothing).

    Used for a deletion without ``rs:md type`` (the standard does not require one): the deleted
    oai_dc document of a record must not become a tombstone of a hub harvesting its JSON.
    """
    guessed, _encoding = mimetypes.guess_type(urlsplit(loc).path)
    return declared_kind(guessed or "")


def wanted_kind(metadata_prefix: str) -> str:
    """The kind of resource a repository registered with ``metadata_prefix`` reads."""
    return "json" if metadata_prefix == JSON_FORMAT else "xml"


def _metadata_element(root: Any) -> Any:
    """The metadata element of an XML resource: the child of an OAI ``<metadata>``, else the root."""
    if root.tag in (f"{{{OAI_NS}}}OAI-PMH", f"{{{OAI_NS}}}record", f"{{{OAI_NS}}}metadata"):
        metadata = root if root.tag == f"{{{OAI_NS}}}metadata" else root.find(f".//{{{OAI_NS}}}metadata")
        child = next(iter(metadata), None) if metadata is not None else None
        if child is None:
            raise ValueError("the OAI-PMH document holds no <metadata>")
        return child
    return root


def read_resource(loc: str, moment: str, body: bytes, metadata_prefix: str) -> HarvestedItem:
    """The harvested item of a resource's verified bytes (an item error when they cannot be read)."""
    if wanted_kind(metadata_prefix) == "json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            return _unreadable(loc, f"not JSON: {exc}", body)
        if not isinstance(data, dict):
            return _unreadable(loc, "the JSON resource is not an object", body)
        deleted = bool(data.get("deleted"))
        return HarvestedItem(loc, datestamp=moment, deleted=deleted, metadata_format=metadata_prefix,
                             raw_metadata="" if deleted else body.decode("utf-8"),
                             metadata=None if deleted else data)
    try:
        root = etree.fromstring(body, safe_parser())
        element = _metadata_element(root)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return _unreadable(loc, f"not readable XML: {exc}", body)
    return HarvestedItem(loc, datestamp=moment, metadata_format=metadata_prefix,
                         raw_metadata=etree.tostring(element, encoding="unicode", with_tail=False), metadata=element)


def _unreadable(loc: str, reason: str, body: bytes) -> HarvestedItem:
    return HarvestedItem(loc, error=f"{loc}: {reason}", error_kind=ResourceFault.UNREADABLE, raw_bytes=body)


def hub_record(data: dict[str, Any], loc: str) -> NormalisedRecord:
    """The normalised record of another hub's JSON record; its address upstream kept in ``extra``."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else data
    try:
        record = NormalisedRecord.from_dict(metadata)
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"the JSON record does not have the hub's record shape: {exc}") from exc
    upstream = {key: data[key] for key in ("id", "url", "institution", "source_identifier") if key in data}
    record.extra = {**record.extra, "upstream": {"resource": loc, **upstream}}
    return record
