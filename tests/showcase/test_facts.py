"""What a record contributes: member, year, first-level disciplines, subjects, open access, full text,
work and researchers; and bad input to the refresh."""

from __future__ import annotations

import pytest

from hub.models import Record
from hub.normalise.rights import METADATA_ONLY_ACCESS, OPEN_ACCESS
from hub.showcase.facts import MAX_SUBJECTS, compute_facts, disciplines_of, facts_of, subjects_of, year_of
from hub.showcase.refresh import BadRecordIds, record_ids_of, refresh
from hub.states import FulltextState


def _facts(meta, state=FulltextState.NONE):
    return facts_of(Record(id=7, meta=meta, fulltext_state=state), 3, None, [5, 2, 5])


def test_only_catalogue_first_level_disciplines_count():
    assert disciplines_of({"disciplines": ["0812", "08", "0812", "9999", "0701", "", None]}) == ["0812", "0701"]
    facts = _facts({"disciplines": ["09"]})  # a category alone (农学) is no first-level discipline
    assert facts.disciplines == [] and facts.breadth == 0


def test_years_subjects_and_researchers():
    assert [year_of({"year": y}) for y in (2020, "2019", " 2018 ", "20xx", 12, True, None, 3000)] == [
        2020, 2019, 2018, 0, 0, 0, 0, 0]
    subjects = subjects_of({"subjects": [{"value": "Machine learning"}, {"value": "机器学习"}, {"value": "  "},
                                         "数据  挖掘", *({"value": f"topic {i}"} for i in range(20))]})
    assert subjects[0] == subjects_of({"subjects": [{"value": "机器学习"}]})[0]  # one concept, one value
    assert len(subjects) == MAX_SUBJECTS and len(set(subjects)) == len(subjects) and "数据 挖掘" in subjects
    facts = _facts({"titles": [{"value": "A title"}], "resource_type_label": "thesis"})
    assert facts.researchers == [2, 5] and facts.institution_id == 3 and facts.year == 0
    assert facts.extra == {"title": "A title", "type": "thesis"}


def test_open_access_and_full_text_as_the_portal_decides():
    assert _facts({"access_rights": OPEN_ACCESS}).open_access
    assert not _facts({"access_rights": METADATA_ONLY_ACCESS}).open_access
    listed = {"files": [{"url": "https://r.example/a.pdf", "access": "open"}]}
    assert _facts(listed).open_access and not _facts(listed).fulltext  # listed by the source, not held
    held = _facts({}, FulltextState.EXTRACTED)
    assert held.open_access and held.fulltext
    assert _facts({}, FulltextState.STORED).fulltext and not _facts({}, FulltextState.FAILED).fulltext
    assert not _facts({"files": [{"url": "https://r.example/a.pdf", "access": "restricted"}]}).open_access


def test_dead_records_have_no_facts(hub, network):
    network.member("donghai")
    live = network.record("donghai")
    dead = network.record("donghai", deleted=True)
    with hub.db.session() as session:
        assert set(compute_facts(session, [live, dead, 999999])) == {live}


def test_bad_record_ids_are_refused_and_unknown_ones_ignored(hub, network):
    assert record_ids_of(["3", 3, 4, 0, -2]) == [3, 4]
    for bad in (["abc"], [1.5], [None], [True]):
        with pytest.raises(BadRecordIds):
            record_ids_of(bad)
    with hub.db.session() as session:
        result = refresh(session, [424242, 0])
        empty = refresh(session, [])
    assert result.counts["facts"] == 0 and result.counts["records"] == 1
    assert empty.counts["records"] == 0 and "0 records" in empty.line()
