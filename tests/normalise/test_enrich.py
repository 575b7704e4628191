"""The normalisation plugin: person keys, disciplines, SPDX ids, DOIs, languages and types."""

from __future__ import annotations

import pytest

from hub.normalise.disciplines import CATEGORIES, DISCIPLINES, clc_discipline, discipline_of, disciplines_for
from hub.normalise.enrich import normalise_record
from hub.normalise.keys import name_keys, title_key
from hub.normalise.record import Identifier, LangString, NormalisedRecord, Person
from hub.normalise.spdx import spdx_for_license_url, spdx_from_text
from hub.plugins import get_plugin_manager


def test_catalogue_has_every_category_and_codes_nest():
    assert len(CATEGORIES) == 14
    assert DISCIPLINES["0812"] == ("计算机科学与技术", "Computer Science and Technology")
    assert all(code[:2] in CATEGORIES for code in DISCIPLINES)


@pytest.mark.parametrize(("subject", "code"), [
    ("计算机科学", "0812"), ("Computer Science", "0812"), ("人工智能", "0812"), ("deep learning", "0812"),
    ("基于深度学习的水稻病害识别", "0812"), ("Library Science", "1205"), ("图书馆学", "1205"),
    ("Agronomy", "09"), ("交通运输工程", "0823"), ("ＣＯＭＰＵＴＥＲ　ＳＣＩＥＮＣＥ", "0812"),
    ("TP391.4", "0812"), ("fuzzy logic", ""), ("", ""),
])
def test_subjects_map_to_disciplines(subject, code):
    assert discipline_of(subject) == code


def test_clc_longest_prefix_wins():
    assert clc_discipline("TP311.5") == "0835"
    assert clc_discipline("R285") == "1005"
    assert clc_discipline("XYZ") == ""
    assert disciplines_for(["计算机科学", "Computer Science", "历史"]) == ["0812", "06"]


def test_spdx_ids():
    assert spdx_for_license_url("https://creativecommons.org/licenses/by-nc-sa/4.0/") == "CC-BY-NC-SA-4.0"
    assert spdx_for_license_url("https://creativecommons.org/publicdomain/zero/1.0/") == "CC0-1.0"
    assert spdx_for_license_url("https://creativecommons.org/licenses/by/3.0/de/") == "CC-BY-3.0-DE"
    assert spdx_for_license_url("https://creativecommons.org/licenses/by/3.0/cn/") == ""
    assert spdx_from_text("Released under the MIT License") == "MIT"
    assert spdx_from_text("All rights reserved") == ""


def test_keys_fold_width_punctuation_case_and_name_order():
    assert title_key("基于深度学习的图像识别：以ＣＮＮ为例") == title_key("基于深度学习的图像识别:以CNN为例")
    assert title_key("Deep Learning: A Survey") == title_key("deep learning -- a survey")
    assert name_keys(Person("张 伟")) == ("张伟",)
    assert name_keys(Person("Müller, Anna", family="Müller", given="Anna")) == ("muller a",)
    assert set(name_keys(Person("Wei Zhang"))) == {"zhang w", "wei z"}


def test_enrichment_links_forms_of_one_person_through_orcid():
    a = normalise_record(NormalisedRecord(creators=[Person("李明 (0000-0002-1825-0097)")]))
    b = normalise_record(NormalisedRecord(creators=[Person("Li, Ming https://orcid.org/0000-0002-1825-0097")]))
    c = normalise_record(NormalisedRecord(creators=[Person("Zhang, San")]))
    assert a.creators[0].key == b.creators[0].key == "orcid:0000-0002-1825-0097"
    assert a.creators[0].name == "李明" and b.creators[0].family == "Li"
    assert c.creators[0].key == "zhang s"


def test_enrichment_normalises_what_a_crosswalk_left_raw():
    record = NormalisedRecord(
        titles=[LangString("T")], dates=["2016年5月3日"], languages=["中文", "klingon-ish", "en"],
        types=["Doctoral thesis"], rights=["CC BY 4.0", "info:eu-repo/semantics/openAccess"],
        doi="https://doi.org/10.1000/ABC.1", identifiers=[Identifier("doi", "DOI: 10.1000/abc.1")],
        subjects=[LangString("人工智能")])
    normalise_record(record)
    assert (record.issued, record.year) == ("2016-05-03", 2016)
    assert record.languages == ["zho", "eng"] and record.extra["invalid"]["languages"] == ["klingon-ish"]
    assert record.resource_type.endswith("c_db06")
    assert record.license_url == "https://creativecommons.org/licenses/by/4.0/"
    assert record.license_spdx == "CC-BY-4.0"
    assert record.access_rights.endswith("c_abf2")
    assert record.doi == "10.1000/abc.1" and record.identifiers == [Identifier("doi", "10.1000/abc.1")]
    assert record.disciplines == ["0812"]
    again = NormalisedRecord.from_dict(record.to_dict())
    assert normalise_record(again).to_dict() == record.to_dict()


def test_plugin_is_registered_and_runs_first():
    pm = get_plugin_manager()
    names = [impl.plugin_name for impl in pm.hook.enrich_record.get_hookimpls()]
    assert "hub.normalise.enrich" in names or "normalise" in names
    record = NormalisedRecord(subjects=[LangString("Economics")])
    pm.hook.enrich_record(record=record, repository=None)
    assert record.disciplines == ["02"]
