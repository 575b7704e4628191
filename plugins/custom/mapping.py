"""Declarative field mappings: which source values fill which normalised field.

A mapping names normalised fields (the keys of :data:`FIELDS`) and, for each, where its values
are: an XPath (for XML formats, with a ``namespaces`` table of prefixes) or a column (for
feeds). Values are handed to the oai_dc crosswalk through a
:class:`~plugins.dspace.dcbuild.DCBuilder`, so dates, languages, COAR types, identifiers,
licences and file links are normalised by the same rules as every other source.

Mappings are validated when a repository is saved (:func:`validate_xpath_mapping`): unknown
fields are refused, every XPath is compiled and tried once, and the message names the field.

An XPath may select elements rather than strings. The text of an element whose content is only
child elements (a MARC ``datafield`` and its ``subfield`` elements, a MODS ``name`` and its
``namePart`` elements) is the text of each child joined with the field's separator, a space unless the
mapping names another; an element with text of its own (mixed content: ``CO<sub>2</sub>``) reads
as its text, as before. A field is given as an XPath string or as an object::

    "creators": {"xpath": "marc:datafield[@tag='100']", "separator": ", ", "trim": true}

MARC trailing punctuation (``Wang, Wei,`` ``Title /`` ``Publisher :`` ``Subject.``) is trimmed
from the values of :data:`TRIMMED_FIELDS` (``trim`` turns it on or off per field), keeping the
period of an initial or an abbreviation (``Smith, J.``, ``Inc.``; the oai_dc crosswalk trims
`` /`` `` :`` and a trailing comma of every title, publisher and source, whatever the source,
and of every name, the period rule included); when a separator holds
punctuation, each child's own trailing punctuation is dropped before joining, so that ``$a
Röglin,`` and ``$b Heiko`` joined with ``", "`` read ``Röglin, Heiko``. HTML markup and entities
are cleaned later, by the oai_dc crosswalk, for every source alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from hub.normalise.record import NormalisedRecord
from hub.normalise.text import trim_marc_punctuation
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
# fields whose values lose MARC trailing punctuation unless the mapping says "trim": false
# (never abstracts, where a final period ends a sentence, nor identifiers, links or rights)
TRIMMED_FIELDS = frozenset({"titles", "creators", "contributors", "subjects", "dates", "types", "publisher",
                            "source"})
DEFAULT_SEPARATOR = " "
MAX_SEPARATOR = 16  # characters
_FIELD_KEYS = frozenset({"xpath", "separator", "trim"})


@dataclass(frozen=True)
class FieldXPath:
    """One compiled field of a mapping: its XPath, how child texts are joined, whether to trim."""

    xpath: etree.XPath
    separator: str = DEFAULT_SEPARATOR
    trim: bool = False


def _known(fields: dict[str, Any], where: str) -> None:
    if not isinstance(fields, dict) or not fields:
        raise ValueError(f"{where} must be a non-empty object mapping normalised fields to their source")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}; known fields: {', '.join(sorted(FIELDS))}")


def _field_spec(name: str, spec: Any) -> tuple[str, str, bool]:
    """(XPath expression, separator, trim) of one mapped field; ValueError naming what is wrong."""
    where = f"options.fields.{name}"
    trim = name in TRIMMED_FIELDS
    if isinstance(spec, str):
        expression, separator = spec, DEFAULT_SEPARATOR
    elif isinstance(spec, dict):
        unknown = sorted(set(spec) - _FIELD_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; known keys: xpath, separator, trim")
        expression = spec.get("xpath")
        separator = spec.get("separator", DEFAULT_SEPARATOR)
        if not isinstance(separator, str) or len(separator) > MAX_SEPARATOR:
            raise ValueError(f"{where}.separator: give a string of at most {MAX_SEPARATOR} characters")
        trim = spec.get("trim", trim)
        if not isinstance(trim, bool):
            raise ValueError(f"{where}.trim: give true or false")
    else:
        expression = None
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError(f"{where}: give an XPath expression as a string (or an object with an \"xpath\")")
    return expression, separator, trim


def compile_xpaths(options: dict[str, Any]) -> dict[str, FieldXPath]:
    """Compile ``options['fields']`` (field -> XPath) with ``options['namespaces']``; ValueError if invalid."""
    namespaces = options.get("namespaces") or {}
    if not isinstance(namespaces, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in namespaces.items()):
        raise ValueError("options.namespaces must map prefixes to namespace URIs")
    fields = options.get("fields")
    _known(fields, "options.fields")
    compiled: dict[str, FieldXPath] = {}
    probe = etree.Element("probe")
    for name, spec in fields.items():
        expression, separator, trim = _field_spec(name, spec)
        try:
            xpath = etree.XPath(expression, namespaces=namespaces, smart_strings=False)
            xpath(probe)  # undefined prefixes and functions only show when evaluated
        except etree.XPathError as exc:
            raise ValueError(f"options.fields.{name}: invalid XPath {expression!r}: {exc}") from exc
        compiled[name] = FieldXPath(xpath, separator, trim)
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


def element_text(node: Any, separator: str = DEFAULT_SEPARATOR, trim_parts: bool = False) -> str:
    """The text of an element: its children's texts joined with ``separator`` when it holds only
    child elements (MARC subfields), else its whole text content (mixed content stays as written).

    ``trim_parts``: drop each child's trailing MARC punctuation before joining (used when the
    separator is punctuation itself, so that it is not doubled).
    """
    children = [child for child in node if isinstance(child.tag, str)]
    mixed = bool((node.text or "").strip()) or any((child.tail or "").strip() for child in node)
    if not children or mixed:
        return "".join(node.itertext())
    parts = []
    for child in children:
        text = " ".join(element_text(child, separator, trim_parts).split())
        if trim_parts and text:
            text = trim_marc_punctuation(text)
        if text:
            parts.append(text)
    return separator.join(parts)


def _texts(value: Any, separator: str = DEFAULT_SEPARATOR, trim_parts: bool = False) -> list[str]:
    """Strings of an XPath result or a feed cell (elements give their text, see :func:`element_text`)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [t for v in value[:MAX_VALUES] for t in _texts(v, separator, trim_parts)]
    if isinstance(value, bool):
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    if hasattr(value, "itertext"):
        return [element_text(value, separator, trim_parts)]
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


def apply_xpaths(compiled: dict[str, FieldXPath], metadata: Any) -> NormalisedRecord:
    """Evaluate each XPath on the metadata element and build the record (see the module docstring)."""
    values: dict[str, list[str]] = {}
    for name, field in compiled.items():
        try:
            result = field.xpath(metadata)
        except etree.XPathError:
            continue
        texts = _texts(result, field.separator, trim_parts=field.trim and bool(field.separator.strip()))
        if field.trim:
            texts = [trim_marc_punctuation(text.strip()) for text in texts]
        values[name] = texts
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
