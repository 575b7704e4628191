"""Text fidelity through the crosswalks: escaped HTML cleaned once for every source format,
organisations among creators kept whole, MARC trailing punctuation trimmed, identifiers as sent."""

from __future__ import annotations

from lxml import etree

from hub.normalise.enrich import normalise_record
from hub.normalise.keys import name_keys, person_key
from hub.normalise.names import is_organisation_name, split_name
from hub.normalise.oai_dc import crosswalk_oai_dc
from hub.normalise.record import NormalisedRecord, Person
from plugins.dspace.dim import crosswalk_dim
from plugins.dspace.mods import crosswalk_mods

# A Zenodo ListRecords record as Zenodo sends it: the abstract is HTML escaped once in the XML.
ZENODO_RECORD = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-05-02T10:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="oai_dc">https://zenodo.org/oai2d</request><ListRecords><record>
<header><identifier>oai:zenodo.org:4567890</identifier><datestamp>2024-05-01T08:12:44Z</datestamp>
<setSpec>user-cozinha</setSpec></header><metadata>
<oai_dc:dc xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/">
<dc:creator>Souza, Ana Paula</dc:creator>
<dc:creator>Universidade de S\xc3\xa3o Paulo</dc:creator>
<dc:date>2021-03-04</dc:date>
<dc:description>&lt;p&gt;O trabalho culin&amp;aacute;rio &amp;eacute; historicamente atribu&amp;iacute;do \
&amp;agrave;s mulheres.&lt;/p&gt;

&lt;p&gt;Analisamos 40&amp;nbsp;entrevistas:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;cozinheiras&lt;/li&gt;\
&lt;li&gt;chefs&lt;/li&gt;&lt;/ul&gt;</dc:description>
<dc:identifier>https://zenodo.org/record/4567890</dc:identifier>
<dc:identifier>10.5281/zenodo.4567890</dc:identifier>
<dc:identifier>oai:zenodo.org:4567890</dc:identifier>
<dc:relation>https://zenodo.org/search?q=a&amp;amp;b&amp;lt;c</dc:relation>
<dc:rights>info:eu-repo/semantics/openAccess</dc:rights>
<dc:rights>Creative Commons Attribution 4.0 International</dc:rights>
<dc:subject>trabalho dom&amp;eacute;stico</dc:subject>
<dc:title>O trabalho culin&amp;aacute;rio e &lt;i&gt;g&amp;ecirc;nero&lt;/i&gt;</dc:title>
<dc:type>info:eu-repo/semantics/article</dc:type>
</oai_dc:dc></metadata></record></ListRecords></OAI-PMH>"""

ABSTRACT = ("O trabalho culinário é historicamente atribuído às mulheres.\n\n"
            "Analisamos 40\u00a0entrevistas:\n\ncozinheiras\nchefs")


def _zenodo() -> NormalisedRecord:
    root = etree.fromstring(ZENODO_RECORD)
    return crosswalk_oai_dc(root.find(".//{http://www.openarchives.org/OAI/2.0/}metadata"))


def test_zenodo_abstract_title_and_subject_are_clean_text() -> None:
    record = _zenodo()
    assert [a.value for a in record.abstracts] == [ABSTRACT]
    assert record.abstracts[0].lang == ""  # Portuguese is not guessed as English from the tags
    assert [t.value for t in record.titles] == ["O trabalho culinário e gênero"]
    assert [s.value for s in record.subjects] == ["trabalho doméstico"]


def test_identifiers_and_relations_are_read_as_sent() -> None:
    record = _zenodo()
    assert record.doi == "10.5281/zenodo.4567890"
    assert record.relations == ["https://zenodo.org/search?q=a&amp;b&lt;c"]


def test_an_organisation_among_creators_is_kept_whole() -> None:
    record = _zenodo()
    assert record.creators == [Person("Souza, Ana Paula", family="Souza", given="Ana Paula"),
                               Person("Universidade de São Paulo", organisation=True)]


DIM = """<dim:dim xmlns:dim="http://www.dspace.org/xmlns/dspace/dim">
<dim:field mdschema="dc" element="title">CO&lt;sub&gt;2&lt;/sub&gt; uptake /</dim:field>
<dim:field mdschema="dc" element="contributor" qualifier="author">Wang, Wei,</dim:field>
<dim:field mdschema="dc" element="contributor" qualifier="author">北京大学</dim:field>
<dim:field mdschema="dc" element="description" qualifier="abstract">&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;/p&gt;</dim:field>
</dim:dim>"""

MODS = """<mods:mods xmlns:mods="http://www.loc.gov/mods/v3">
<mods:titleInfo><mods:title>Caf&amp;eacute; society</mods:title></mods:titleInfo>
<mods:name type="corporate"><mods:namePart>World Health Organization</mods:namePart></mods:name>
<mods:abstract>Line one&lt;br/&gt;line two</mods:abstract>
</mods:mods>"""


def test_dspace_dim_and_mods_get_the_same_cleaning() -> None:
    dim = crosswalk_dim(etree.fromstring(DIM))
    assert [t.value for t in dim.titles] == ["CO2 uptake"]
    assert [a.value for a in dim.abstracts] == ["One\n\nTwo"]
    assert dim.creators == [Person("Wang, Wei", family="Wang", given="Wei"),
                            Person("北京大学", organisation=True)]
    mods = crosswalk_mods(etree.fromstring(MODS))
    assert [t.value for t in mods.titles] == ["Café society"]
    assert [a.value for a in mods.abstracts] == ["Line one\nline two"]
    assert mods.creators[0].organisation and mods.creators[0].family == ""


def test_organisations_are_told_from_people() -> None:
    for name in ("Universidade de São Paulo", "World Health Organization", "中国科学院", "CERN", "北京大学",
                 "University of California, Berkeley", "Max-Planck-Institut für Physik", "Acme Ltd",
                 "Johnson & Johnson", "ATLAS Collaboration", "MIT Press", "서울대학교", "清华大学图书馆"):
        assert is_organisation_name(name), name
    for name in ("Press, William H.", "Smith, J.", "Zhang San", "王大学", "Zhang, Wei (Tsinghua University)",
                 "张伟（清华大学）", "Smith, J. & Jones, K.", "欧阳明华", "Li"):
        assert not is_organisation_name(name), name


def test_names_lose_marc_punctuation_but_keep_initials() -> None:
    assert split_name("Wang, Wei,") == Person("Wang, Wei", family="Wang", given="Wei")
    assert split_name("Li, Na.") == Person("Li, Na", family="Li", given="Na")
    assert split_name("Smith, J.") == Person("Smith, J.", family="Smith", given="J.")
    assert split_name("Smith, John, Jr.").name == "Smith, John, Jr."


def test_enrichment_marks_organisations_of_any_crosswalk_and_keys_them_whole() -> None:
    record = normalise_record(NormalisedRecord(creators=[Person("University of California, Berkeley")]))
    org = record.creators[0]
    assert org.organisation and (org.family, org.given) == ("", "")
    assert name_keys(org) == ("university of california berkeley",) == (person_key(org),)
    assert name_keys(Person("北京大学", organisation=True)) == ("北京大学",)
    assert normalise_record(record).creators[0] == org  # idempotent


def test_organisation_flag_is_stored_only_when_true() -> None:
    record = NormalisedRecord(creators=[Person("Li, Na", family="Li", given="Na"), Person("CERN", organisation=True)])
    stored = record.to_dict()["creators"]
    assert "organisation" not in stored[0] and stored[1]["organisation"] is True
    assert NormalisedRecord.from_dict(record.to_dict()) == record
