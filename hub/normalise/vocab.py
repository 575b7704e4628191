"""The vocabularies of normalisation in one place: the public functions of the small modules.

Import from here (``from hub.normalise.vocab import language_code``); the tables and their
rules live, documented, in :mod:`~hub.normalise.languages`, :mod:`~hub.normalise.coar`,
:mod:`~hub.normalise.dates`, :mod:`~hub.normalise.identifiers` (with links),
:mod:`~hub.normalise.names`, :mod:`~hub.normalise.rights`, :mod:`~hub.normalise.subjects` (subjects that
mean the same in Chinese and English, merged into one facet value) and :mod:`~hub.normalise.text` (markup
and MARC punctuation: a third-party crosswalk that does not build on the oai_dc crosswalk calls
``clean_markup`` on its free-text values itself).
"""

from __future__ import annotations

from hub.normalise.coar import coar_code, coar_type
from hub.normalise.dates import ParsedDate, embargo_end, parse_date, parse_issued
from hub.normalise.identifiers import (
    canonical_doi,
    canonical_handle,
    canonical_isbn,
    canonical_issn,
    classify_identifier,
    doi_in_text,
    file_mime_type,
    landing_page_rank,
)
from hub.normalise.languages import detect_language, has_han, is_cjk, language_code
from hub.normalise.names import extract_orcid, is_organisation_name, split_name
from hub.normalise.rights import access_right, license_url
from hub.normalise.subjects import canonical_subject, subject_label, subject_variants
from hub.normalise.text import clean_markup, trim_marc_punctuation

__all__ = [
    "ParsedDate", "access_right", "canonical_doi", "canonical_handle", "canonical_isbn",
    "canonical_issn", "classify_identifier", "clean_markup", "coar_code", "coar_type", "detect_language",
    "doi_in_text", "embargo_end", "extract_orcid", "file_mime_type", "has_han", "is_cjk",
    "is_organisation_name", "landing_page_rank", "language_code", "license_url", "parse_date", "parse_issued",
    "split_name", "trim_marc_punctuation", "canonical_subject", "subject_label", "subject_variants",
]
