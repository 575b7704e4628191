"""Declarative field mappings: which source values fill which normalised field.

A mapping names normalised fields (the keys of :data:`FIELDS`) and, for each, where its values
are: an XPath (for XML formats, with a ``namespaces`` table of prefixes) or a column (for
feeds). Values are handed to the oai_dc crosswalk through a
:class:`~plugins.dspace.dcbuild.DCBuilder`, so dates, languages, COAR types, identifiers,
licences and file links are normalised by the same rules as every other source.

Mappings are validated when a repository is saved (:func:`validate_xpath_mapping`): unknown
fields are refused, every XPath is compiled and tried once, and the message names the field.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from hub.normalise.record import NormalisedRecord
from plugins.dspace.dcbuild import DCBuilder

# normalised field -> the oai_dc element its values are read as
FIELDS: dict[str, str] = {
    "titles": "title", "abstracts": "description", "creators": "creator", "contributors": "contributor",
    "subjects": "subject", "dates": "date", "types": "type", "identifiers": "identifier", "doi": "identifier",
    "languages": "language", "rights": "rights", "license_url": "rights", "publisher": "publisher",
    "source": "source", "relations": "relation", "formats": "format", "files": "identifier",
    "landing_page": "identifier",
}
MAX_VALUES = 200  # per field and record


def _known(fields: dict[str, Any], where: str) -> None:
    if not isinstance(fields, dict) or not fields:
        raise ValueError(f"{where} must be a non-empty object mapping normalised fields to their source")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(FIELDS))}")


def compile_xpaths(options: dict[str, Any]) -> dict[str, etree.XPath]:
    """Compile ``options['fields']`` (field -> XPath) with ``options['namespaces']``; ValueError if invalid."""
    namespaces = options.get("namespaces") or {}
    if not isinstance(namespaces, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in namespaces.items()):
        raise ValueError("options.namespaces must map prefixes to namespace URIs")
    fields = options.get("fields")
    _known(fields, "options.fields")
    compiled: dict[str, etree.XPath] = {}
    probe = etree.Element("probe")
    for name, expression in fields.items():
        if not isinstance(expression, str) or not expression.strip():
            raise ValueError(f"options.fields.{name}: give an XPath expression as a string")
        try:
            xpath = etree.XPath(expression, namespaces=namespaces, smart_strings=False)
            xpath(probe)  # undefined prefixes and functions only show when evaluated
        except etree.XPathError as exc:
            raise ValueError(f"options.fields.{name}: invalid XPath {expression!r}: {exc}") from exc
        compiled[name] = xpath
    return compiled


def validate_xpath_mapping(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` when its XPath mapping is valid; ValueError naming the problem otherwise."""
    compile_xpaths(options)
    return options


def validate_column_mapping(columns: Any) -> dict[str, Any]:
    """A feed's ``columns`` when valid: known fields plus ``identifier``, ``datestamp`` and ``status``."""
    if not isinstance(columns, dict):
        raise ValueError("options.columns must map fields to column names")
    for required in ("identifier", "datestamp"):
        if not isinstance(columns.get(required), str) or not columns[required]:
            raise ValueError(f"options.columns.{required} must name the column holding the record's {required}")
    fields = {k: v for k, v in columns.items() if k not in ("identifier", "datestamp", "status")}
    _known(fields, "options.columns")
    for name, column in columns.items():
        if not isinstance(column, str) or not column:
            raise ValueError(f"options.columns.{name} must be a column name")
    return columns


def _texts(value: Any) -> list[str]:
    """Strings of an XPath result or a feed cell (elements give their text content)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [t for v in value[:MAX_VALUES] for t in _texts(v)]
    if isinstance(value, bool):
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    if hasattr(value, "itertext"):
        return ["".join(value.itertext())]
    return []


def build_record(values: dict[str, list[str]]) -> NormalisedRecord:
    """The normalised record of ``{field: [values]}`` through the oai_dc rules."""
    builder = DCBuilder()
    for name, texts in values.items():
        element = FIELDS[name]
        for text in texts[:MAX_VALUES]:
            builder.add(element, f"doi:{text}" if name == "doi" and not text.lower().startswith(("doi", "http"))
                        else text)
    return builder.crosswalk()


def apply_xpaths(compiled: dict[str, etree.XPath], metadata: Any) -> NormalisedRecord:
    """Evaluate each XPath on the metadata element and build the record."""
    values: dict[str, list[str]] = {}
    for name, xpath in compiled.items():
        try:
            result = xpath(metadata)
        except etree.XPathError:
            continue
        values[name] = _texts(result)
    return build_record(values)


def apply_columns(columns: dict[str, str], row: dict[str, Any], separator: str) -> NormalisedRecord:
    """Read the mapped columns of a feed row (strings split on ``separator``) and build the record."""
    values: dict[str, list[str]] = {}
    for name, column in columns.items():
        if name in ("identifier", "datestamp", "status"):
            continue
        cell = row.get(column)
        texts = _texts(cell)
        if separator and isinstance(cell, str):
            texts = [part.strip() for part in cell.split(separator) if part.strip()]
        values[name] = texts
    return build_record(values)
