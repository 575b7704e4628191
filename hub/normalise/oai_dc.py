"""The oai_dc crosswalk: one ``oai_dc:dc`` element to a :class:`NormalisedRecord`.

Tolerant by design: elements are recognised by local name whatever their namespace (``dc:``,
``dcterms:``, none), stray namespace declarations, comments and processing instructions are
ignored, values are stripped, empty values dropped and exact duplicates kept once.

Free text is cleaned here, once, for every crosswalk (oai_dc, and DSpace dim/mods, ``oai-mapped``
and feeds, which build an oai_dc element with :class:`~plugins.dspace.dcbuild.DCBuilder`): the
values of title, description, subject, creator, contributor, publisher and source have their HTML
markup reduced to text and their entities decoded (:func:`~hub.normalise.text.clean_markup`:
Zenodo's ``&lt;p&gt;O trabalho culin&amp;aacute;rio...`` becomes ``O trabalho culinário...``,
paragraphs kept, ``a < b`` and ``AT&T`` untouched), before language detection and duplicate
removal; titles, publishers and sources also lose MARC/ISBD trailing punctuation (``Title /``,
``Publisher :``, a trailing comma; periods are kept). Identifiers, URLs, dates, rights, relations,
types and formats are read as written. The raw metadata is never changed.

Mapping rules (the vocabularies are documented in their own modules):

- ``title`` (and dcterms ``alternative``) -> ``titles``; ``description`` / ``abstract`` ->
  ``abstracts``; each with its ``xml:lang`` as ISO 639-3, else the language detected from the
  text (mostly CJK -> ``zho``; Latin -> ``eng`` only when clearly English, else ``''``; the
  record's dc:language is not used, as bilingual records give one language for the whole);
- ``creator`` / ``contributor`` -> :func:`~hub.normalise.names.split_name` (values holding
  several names separated by ``;`` are split);
- ``subject`` -> split on ``;`` and ``；`` (also ``，`` ``、`` ``,`` when the value is Chinese);
- ``date`` -> ``dates`` verbatim, ``issued`` and ``year`` by :func:`~hub.normalise.dates.parse_issued`;
  an OpenAIRE ``info:eu-repo/date/embargoEnd/...`` date goes to ``extra['embargo_end']``;
- ``type`` -> ``types`` verbatim and the most specific COAR type;
- ``identifier`` -> file links (:mod:`~hub.normalise.identifiers`) or classified ``identifiers``; the
  first DOI is ``doi``; values that are citations go to ``extra['citations']`` (a DOI written in
  one is used when no identifier is a DOI);
- ``relation`` -> ``relations`` verbatim; file URLs -> ``files``; repository item pages and
  Handle URLs are landing-page candidates; OpenAIRE ``info:eu-repo/semantics/altIdentifier/...``
  values are identifiers of this record; when no DOI was found elsewhere and the relations hold
  exactly one DOI (EPrints puts the published version there), it is the record's DOI;
- ``landing_page``: the best ranked candidate (item page > Handle resolver > other identifier
  URL > DOI resolver); with none, the DOI resolver URL of ``doi``;
- ``language`` -> ISO 639-3 codes; ``rights`` verbatim with ``license_url`` (Creative Commons,
  also found in relations) and ``access_rights`` (COAR); ``publisher``, ``source``, ``format``
  verbatim. Files get the access of the record (embargoed until the embargo end, restricted for
  restricted or metadata-only records) and, when the extension says nothing, the record's only
  MIME type in ``format``.
"""

from __future__ import annotations

import re
from typing import Any

from hub.normalise.coar import coar_type
from hub.normalise.dates import embargo_end, parse_issued
from hub.normalise.identifiers import (
    LANDING_HANDLE,
    canonical_doi,
    classify_identifier,
    doi_in_text,
    file_mime_type,
    is_url,
    landing_page_rank,
)
from hub.normalise.languages import detect_language, has_han, language_code
from hub.normalise.names import split_name
from hub.normalise.record import FileLink, Identifier, LangString, NormalisedRecord, Person
from hub.normalise.rights import (
    EMBARGOED_ACCESS,
    METADATA_ONLY_ACCESS,
    RESTRICTED_ACCESS,
    access_right,
    license_url,
)
from hub.normalise.text import clean_markup, trim_marc_punctuation

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_TAG = f"{{{OAI_DC_NS}}}dc"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOI_RESOLVER = "https://doi.org/"
ALT_IDENTIFIER = "info:eu-repo/semantics/altIdentifier/"

_FIELD_BY_LOCAL_NAME: dict[str, str] = {
    "title": "title", "alternative": "title",
    "creator": "creator", "contributor": "contributor",
    "subject": "subject", "description": "description", "abstract": "description",
    "date": "date", "issued": "date", "created": "date",
    "type": "type", "identifier": "identifier", "language": "language",
    "rights": "rights", "license": "rights", "accessRights": "rights",
    "publisher": "publisher", "source": "source", "relation": "relation", "format": "format",
}
_LANG_FIELDS = frozenset({"title", "description", "subject"})
_TEXT_FIELDS = frozenset({"title", "description", "subject", "creator", "contributor", "publisher", "source"})
_ISBD_FIELDS = frozenset({"title", "publisher", "source"})  # trailing " /", " :", "," trimmed
_field_by_tag: dict[str, str] = {}  # cache of full tag -> field ("" for ignored tags)
_MAX_CACHED_TAGS = 512

_SUBJECT_SPLIT_RE = re.compile(r"\s*[;；]\s*")
_CJK_SUBJECT_SPLIT_RE = re.compile(r"\s*[;；，、,]\s*")
_NAMES_SPLIT_RE = re.compile(r"\s*[;；]\s*")
_LANGUAGE_SPLIT_RE = re.compile(r"\s*[;,，；、/]\s*")
_MIME_RE = re.compile(r"[a-z]+/[a-z0-9][a-z0-9.+-]*")

Values = list[tuple[str, str]]  # (stripped text, xml:lang)


def _field_of(tag: str) -> str:
    field = _field_by_tag.get(tag)
    if field is None:
        field = _FIELD_BY_LOCAL_NAME.get(tag.rpartition("}")[2], "")
        if len(_field_by_tag) < _MAX_CACHED_TAGS:
            _field_by_tag[tag] = field
    return field


def _find_dc(metadata: Any) -> Any:
    if metadata is None or metadata.tag == OAI_DC_TAG:
        return metadata
    found = metadata.find(f".//{OAI_DC_TAG}")
    return metadata if found is None else found


def _collect(dc: Any) -> dict[str, Values]:
    """Field name -> [(stripped text, xml:lang)] for every non-empty element of the dc record."""
    values: dict[str, Values] = {}
    for child in dc:
        tag = child.tag
        field = _field_by_tag.get(tag)
        if field is None:
            if not isinstance(tag, str):  # comments, processing instructions
                continue
            field = _field_of(tag)
        if not field:
            continue
        text = child.text if len(child) == 0 else "".join(child.itertext())
        if not text:
            continue
        text = text.strip()
        if field in _TEXT_FIELDS:
            if "<" in text or "&" in text:
                text = clean_markup(text).strip()
            if field in _ISBD_FIELDS and text:
                text = trim_marc_punctuation(text, periods=False)
        if not text:
            continue
        lang = child.get(XML_LANG, "") if field in _LANG_FIELDS else ""
        bucket = values.get(field)
        if bucket is None:
            values[field] = [(text, lang)]
        else:
            bucket.append((text, lang))  # duplicates are dropped field by field later
    return values


def _unique(items: Values | None) -> list[str]:
    if not items:
        return []
    seen: dict[str, None] = {}
    for text, _ in items:
        seen.setdefault(text, None)
    return list(seen)


def _lang_strings(items: Values | None, collapse: bool) -> list[LangString]:
    result: list[LangString] = []
    seen: set[str] = set()
    for text, lang in items or ():
        value = " ".join(text.split()) if collapse else text
        if value in seen:
            continue
        seen.add(value)
        code = language_code(lang) if lang else ""
        result.append(LangString(value, code or detect_language(value)))
    return result


def _subjects(items: Values | None) -> list[LangString]:
    result: list[LangString] = []
    seen: set[str] = set()
    for text, lang in items or ():
        if has_han(text):
            parts = _CJK_SUBJECT_SPLIT_RE.split(text)
        elif ";" in text or "；" in text:
            parts = _SUBJECT_SPLIT_RE.split(text)
        else:
            parts = [text]
        for part in parts:
            value = " ".join(part.split())
            if not value or value in seen:
                continue
            seen.add(value)
            code = language_code(lang) if lang else ""
            result.append(LangString(value, code or detect_language(value)))
    return result


def _people(items: Values | None) -> list[Person]:
    people: list[Person] = []
    seen: set[str] = set()
    for text, _ in items or ():
        for part in _NAMES_SPLIT_RE.split(text) if (";" in text or "；" in text) else (text,):
            person = split_name(part)
            if person.name and person.name not in seen:
                seen.add(person.name)
                people.append(person)
    return people


def _languages(items: Values | None) -> list[str]:
    codes: dict[str, None] = {}
    for text, _ in items or ():
        for part in _LANGUAGE_SPLIT_RE.split(text):
            code = language_code(part)
            if code:
                codes.setdefault(code, None)
    return list(codes)


class _Links:
    """Accumulates identifiers, files and landing-page candidates of one record."""

    def __init__(self) -> None:
        self.identifiers: list[Identifier] = []
        self.files: dict[str, str] = {}  # url -> mime type ('' when unknown)
        self.landing: tuple[int, str] | None = None
        self.doi = ""

    def add_identifier(self, identifier: Identifier) -> None:
        if identifier not in self.identifiers:
            self.identifiers.append(identifier)
        if identifier.scheme == "doi" and not self.doi:
            self.doi = identifier.value

    def add_file_or_page(self, url: str, max_rank: int) -> bool:
        """Take a URL as a file or a landing-page candidate; True when it was a file."""
        mime = file_mime_type(url)
        if mime is not None:
            self.files.setdefault(url, mime)
            return True
        rank = landing_page_rank(url)
        if rank is not None and rank <= max_rank and (self.landing is None or rank < self.landing[0]):
            self.landing = (rank, url)
        return False


def _identifiers(links: _Links, items: Values | None, citations: list[str]) -> None:
    for text, _ in items or ():
        if is_url(text) and links.add_file_or_page(text, max_rank=99):
            continue
        identifier = classify_identifier(text)
        if identifier is None:
            citations.append(text)
        else:
            links.add_identifier(identifier)


def _relations(links: _Links, relations: list[str]) -> list[str]:
    """Files, landing pages and alternative identifiers found in dc:relation; returns its DOIs."""
    dois: list[str] = []
    for text in relations:
        if text.startswith(ALT_IDENTIFIER):
            scheme, _, value = text[len(ALT_IDENTIFIER):].partition("/")
            identifier = classify_identifier(value)
            if identifier is None or identifier.scheme == "other":
                identifier = Identifier("other", f"{scheme.lower()}:{value}")
            links.add_identifier(identifier)
            continue
        if is_url(text) and links.add_file_or_page(text, max_rank=LANDING_HANDLE):
            continue
        doi = canonical_doi(text)
        if doi and doi not in dois:
            dois.append(doi)
    return dois


def _files(links: _Links, formats: list[str], access: str, embargo: str) -> list[FileLink]:
    mimes = {value.lower() for value in formats if _MIME_RE.fullmatch(value.lower())}
    only_mime = mimes.pop() if len(mimes) == 1 else ""
    file_access, until = "open", ""
    if access == EMBARGOED_ACCESS:
        file_access, until = "embargoed", embargo
    elif access in (RESTRICTED_ACCESS, METADATA_ONLY_ACCESS):
        file_access = "restricted"
    return [
        FileLink(url=url, mime_type=mime or only_mime, access=file_access, embargo_until=until)
        for url, mime in links.files.items()
    ]


def crosswalk_oai_dc(metadata: Any) -> NormalisedRecord:
    """The NormalisedRecord of one ``{http://www.openarchives.org/OAI/2.0/oai_dc/}dc`` element.

    ``metadata`` is the lxml element (the OAI ``<metadata>`` wrapper is accepted too); None
    gives an empty record. See the module docstring for the mapping rules.
    """
    record = NormalisedRecord()
    dc = _find_dc(metadata)
    if dc is None:
        return record
    values = _collect(dc)
    get = values.get

    record.titles = _lang_strings(get("title"), collapse=True)
    record.abstracts = _lang_strings(get("description"), collapse=False)
    record.creators = _people(get("creator"))
    record.contributors = _people(get("contributor"))
    record.subjects = _subjects(get("subject"))
    record.dates = _unique(get("date"))
    record.issued, record.year = parse_issued(record.dates)
    record.types = _unique(get("type"))
    resource_type = coar_type(record.types)
    if resource_type:
        record.resource_type, record.resource_type_label = resource_type
    record.languages = _languages(get("language"))
    record.rights = _unique(get("rights"))
    record.publisher = _unique(get("publisher"))
    record.source = _unique(get("source"))
    record.relations = _unique(get("relation"))
    record.formats = _unique(get("format"))

    for value in record.rights:
        record.license_url = record.license_url or license_url(value)
        record.access_rights = record.access_rights or access_right(value)
    if not record.license_url:
        for value in record.relations:
            if "creativecommons.org" in value:
                record.license_url = license_url(value)
                break

    links = _Links()
    citations: list[str] = []
    _identifiers(links, get("identifier"), citations)
    relation_dois = _relations(links, record.relations)
    if not links.doi:
        found = next((doi for doi in map(doi_in_text, citations) if doi), "")
        if not found and len(relation_dois) == 1:
            found = relation_dois[0]
        if found:
            links.add_identifier(Identifier("doi", found))
    record.identifiers = links.identifiers
    record.doi = links.doi
    embargo = embargo_end(record.dates)
    record.files = _files(links, record.formats, record.access_rights, embargo)
    if links.landing is not None:
        record.landing_page = links.landing[1]
    elif record.doi:
        record.landing_page = DOI_RESOLVER + record.doi
    if citations:
        record.extra["citations"] = citations
    if embargo:
        record.extra["embargo_end"] = embargo
    return record
