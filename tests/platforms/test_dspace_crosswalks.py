"""DSpace's dim and MODS crosswalks keep an author's ORCID when the name is trimmed or respaced.

The names normaliser trims MARC trailing punctuation and collapses whitespace (issue 13, item 7);
the ORCID found in the authority must follow the person under the name the crosswalk gives them.
"""

from __future__ import annotations

from lxml import etree

from plugins.dspace.dim import crosswalk_dim
from plugins.dspace.mods import crosswalk_mods

ORCID = "0000-0002-1825-0097"


def test_dim_orcid_survives_trailing_punctuation_and_double_spaces():
    dim = etree.fromstring(
        '<dim:dim xmlns:dim="http://www.dspace.org/xmlns/dspace/dim">'
        '<dim:field mdschema="dc" element="contributor" qualifier="author" '
        f'authority="https://orcid.org/{ORCID}">Wang,  Wei,</dim:field>'
        '<dim:field mdschema="dc" element="title">A title</dim:field></dim:dim>')
    [person] = crosswalk_dim(dim).creators
    assert person.name == "Wang, Wei" and person.orcid == ORCID


def test_mods_orcid_survives_trailing_punctuation():
    mods = etree.fromstring(
        '<mods:mods xmlns:mods="http://www.loc.gov/mods/v3"><mods:titleInfo><mods:title>T</mods:title>'
        '</mods:titleInfo><mods:name><mods:namePart>Wang, Wei,</mods:namePart>'
        f'<mods:nameIdentifier type="orcid">https://orcid.org/{ORCID}</mods:nameIdentifier>'
        '<mods:role><mods:roleTerm type="text">author</mods:roleTerm></mods:role></mods:name></mods:mods>')
    [person] = crosswalk_mods(mods).creators
    assert person.name == "Wang, Wei" and person.orcid == ORCID
