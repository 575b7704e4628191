"""The built-in normalisation plugin: an ``enrich_record`` hook run on every imported record.

Registered like any plugin (entry point ``normalise = "hub.normalise.enrich"`` in the
``chair.plugins`` group, and in ``hub.plugins.BUILTIN_PLUGINS``) and marked ``tryfirst``, so that
a third-party ``enrich_record`` sees records already normalised. Every crosswalk (oai_dc, a
platform's own format, a custom feed) gets the same treatment, and the function is idempotent:
enriching an enriched record changes nothing.

What it does (:func:`normalise_record`):

- people: an ORCID iD still inside a name is pulled out, an organisation is marked as one (and
  never split), a ``Family, Given`` name not yet split is split (Chinese names stay as written),
  and every creator and contributor gets a person key
  (:func:`hub.normalise.keys.person_key`: ``orcid:<iD>`` when known, else the name key);
- dates: ``issued`` and ``year`` from the verbatim dates when the crosswalk set none;
- languages: every value turned into ISO 639-3; values no table knows are kept out of
  ``languages`` and listed in ``extra['invalid']['languages']`` for the quality report;
- resource type: the COAR type of the verbatim types when none was set;
- licence and access: the Creative Commons URL and COAR access right found in ``rights`` when
  none was set, and the SPDX id of the licence (``license_spdx``);
- DOI: one canonical form (``10.x/y`` lower case) for ``doi`` and for every ``doi`` identifier;
  ``doi`` taken from the identifiers when empty; a ``doi`` not among the identifiers is added;
- subjects: discipline codes of the Chinese discipline catalogue in ``disciplines``.
"""

from __future__ import annotations

from typing import Any

from hub.hookspecs import hookimpl
from hub.normalise.coar import coar_type
from hub.normalise.dates import parse_issued
from hub.normalise.disciplines import disciplines_for
from hub.normalise.identifiers import canonical_doi
from hub.normalise.keys import person_key
from hub.normalise.languages import language_code
from hub.normalise.names import extract_orcid, split_name
from hub.normalise.record import Identifier, NormalisedRecord, Person
from hub.normalise.rights import access_right, license_url
from hub.normalise.spdx import spdx_for_license_url, spdx_from_text


def _person(person: Person) -> Person:
    if not person.orcid and "-" in person.name:
        rest, orcid = extract_orcid(person.name)
        if orcid:
            person.name, person.orcid = rest, orcid
    if not person.family and not person.organisation:
        split = split_name(person.name)
        if split.organisation:
            person.organisation = True
        elif "," in person.name:
            person.family, person.given = split.family, split.given
    person.key = person_key(person)
    return person


def _languages(record: NormalisedRecord) -> None:
    codes: dict[str, None] = {}
    invalid: list[str] = []
    for value in record.languages:
        code = language_code(value)
        if code:
            codes.setdefault(code, None)
        elif value not in invalid:
            invalid.append(value)
    record.languages = list(codes)
    if invalid:
        record.extra.setdefault("invalid", {})["languages"] = invalid


def _doi(record: NormalisedRecord) -> None:
    identifiers: list[Identifier] = []
    for identifier in record.identifiers:
        if identifier.scheme == "doi":
            value = canonical_doi(identifier.value)
            if not value:
                identifier = Identifier("other", identifier.value)
            else:
                identifier = Identifier("doi", value)
        if identifier not in identifiers:
            identifiers.append(identifier)
    doi = canonical_doi(record.doi) if record.doi else ""
    if not doi:
        doi = next((i.value for i in identifiers if i.scheme == "doi"), "")
    if doi and Identifier("doi", doi) not in identifiers:
        identifiers.append(Identifier("doi", doi))
    record.identifiers, record.doi = identifiers, doi


def _rights(record: NormalisedRecord) -> None:
    for value in record.rights:
        if not record.license_url:
            record.license_url = license_url(value)
        if not record.access_rights:
            record.access_rights = access_right(value)
    spdx = spdx_for_license_url(record.license_url)
    if not spdx and not record.license_url:
        spdx = next((found for found in map(spdx_from_text, record.rights) if found), "")
    record.license_spdx = spdx


def normalise_record(record: NormalisedRecord) -> NormalisedRecord:
    """Normalise ``record`` in place (see the module docstring) and return it."""
    record.creators = [_person(p) for p in record.creators]
    record.contributors = [_person(p) for p in record.contributors]
    if not record.issued and record.dates:
        record.issued, record.year = parse_issued(record.dates)
    elif record.issued and record.year is None and record.issued[:4].isdigit():
        record.year = int(record.issued[:4])
    _languages(record)
    if not record.resource_type and record.types:
        found = coar_type(record.types)
        if found:
            record.resource_type, record.resource_type_label = found
    _rights(record)
    _doi(record)
    codes = disciplines_for([s.value for s in record.subjects])
    record.disciplines = list(dict.fromkeys([*record.disciplines, *codes]))
    return record


@hookimpl(tryfirst=True)
def enrich_record(record: NormalisedRecord, repository: Any) -> None:
    """Normalise names, dates, languages, types, licences, DOIs and disciplines of an imported record."""
    normalise_record(record)
