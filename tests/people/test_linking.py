"""Linking creators to researchers on crafted hard cases: ORCID, pinyin, namesakes, two members,
organisations, deleted records, re-harvests, splits and joins."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from hub.models import Authorship, DecisionKind, Record, ResearcherDecision
from hub.people.decisions import DecisionError, decide, institutions_of
from hub.people.linking import relink
from tests.people.conftest import add_members, meta, person, researcher_of, researchers, store

ORCID = "0000-0002-1825-0097"


def _relink(hub, ids):
    with hub.db.session() as session:
        return relink(session, ids, 400)


def test_same_orcid_links_across_formats_and_members_and_different_orcids_never_do(hub):
    a, b = add_members(hub, 2)
    ids = store(hub, {
        1: (a, meta([person("王伟", ORCID), person("李明")], disciplines=("0812",))),
        2: (b, meta([person("Wang, Wei", ORCID)], disciplines=("0701",))),
        3: (b, meta([person("W. Wang", ORCID)], year=2015)),
        4: (a, meta([person("王伟", "0000-0001-5109-3700"), person("李明")], disciplines=("0812",))),
    })
    result = _relink(hub, ids)
    links = researcher_of(hub)
    assert links["1:王伟"] == links["2:Wang, Wei"] == links["3:W. Wang"]
    assert links["4:王伟"] != links["1:王伟"]  # same name, member, co-author and discipline: another ORCID
    assert result.records == 4 and result.changed == {1, 2, 3, 4}
    person_row = researchers(hub)[links["1:王伟"]]
    assert person_row.orcid == ORCID and person_row.name_zh == "王伟" and person_row.name_latin in ("Wang, Wei",
                                                                                                    "W. Wang")
    assert set(person_row.institutions) == {1, 2} and person_row.records == 3
    assert person_row.first_year == 2015 and person_row.last_year == 2020
    assert "wang wei" in person_row.search_names.split("|") and "王伟" in person_row.search_names
    with hub.db.session() as session:
        evidence = session.scalar(select(Authorship.evidence).where(Authorship.record_id == 2))
    assert {e["with"] for e in evidence} == {"1:王伟", "3:W. Wang"}
    assert all(e["evidence"] == ["orcid"] and e["score"] == 1.0 for e in evidence)


def test_han_name_and_pinyin_need_further_evidence(hub):
    (a,) = add_members(hub, 1)
    ids = store(hub, {
        1: (a, meta([person("王伟"), person("李明")], subjects=("machine learning",), disciplines=("0812",))),
        2: (a, meta([person("Wang, Wei"), person("Li, Ming")], disciplines=("0812",))),  # co-author
        3: (a, meta([person("Wang Wei")], subjects=("Machine Learning",))),  # subject
        4: (a, meta([person("Wei Wang")], disciplines=("0812",))),  # discipline alone: not enough for pinyin
        5: (a, meta([person("Wang, W."), person("Li, M.")], disciplines=("0812",))),  # initials, one co-author
    })
    _relink(hub, ids)
    links = researcher_of(hub)
    assert links["1:王伟"] == links["2:Wang, Wei"] == links["3:Wang Wei"]
    # "Wei Wang" is the same full form as "Wang, Wei", but a shared discipline alone is not enough
    assert links["4:Wei Wang"] not in (links["2:Wang, Wei"], links["1:王伟"])
    # initials with one co-author and a discipline: enough at one member
    assert links["5:Wang, W."] == links["1:王伟"]
    with hub.db.session() as session:
        evidence = {r: e for r, e in session.execute(select(Authorship.record_id, Authorship.evidence)
                                                      .where(Authorship.position == 0))}
    assert any("pinyin" in e["evidence"] for e in evidence[1])
    assert any(e["evidence"][:2] == ["initials", "member"] for e in evidence[5])


def test_pinyin_with_only_a_discipline_stays_apart(hub):
    (a,) = add_members(hub, 1)
    ids = store(hub, {1: (a, meta([person("王伟")], disciplines=("0812",))),
                      2: (a, meta([person("Wang Wei")], disciplines=("0812",)))})
    _relink(hub, ids)
    links = researcher_of(hub)
    assert links["1:王伟"] != links["2:Wang Wei"]


def test_two_namesakes_at_one_member_in_different_disciplines_stay_two(hub):
    (a,) = add_members(hub, 1)
    ids = store(hub, {
        1: (a, meta([person("王伟"), person("张三")], subjects=("deep learning",), disciplines=("0812",))),
        2: (a, meta([person("王伟"), person("张三")], subjects=("computer vision",), disciplines=("0812",))),
        3: (a, meta([person("王伟"), person("赵六")], subjects=("Tang poetry", "Song ci"), disciplines=("0501",))),
        4: (a, meta([person("王伟")], subjects=("Song ci", "Tang poetry"), disciplines=("0501",))),
        5: (a, meta([person("王薇"), person("张三")], subjects=("deep learning",), disciplines=("0812",))),
    })
    _relink(hub, ids)
    links = researcher_of(hub)
    assert links["1:王伟"] == links["2:王伟"]
    assert links["3:王伟"] == links["4:王伟"]
    assert links["1:王伟"] != links["3:王伟"]
    assert links["5:王薇"] != links["1:王伟"]  # a homophone written differently is someone else
    people = researchers(hub)
    assert people[links["1:王伟"]].disciplines == ["0812"] and people[links["3:王伟"]].disciplines == ["0501"]


def test_one_person_at_two_members_needs_a_full_name_and_two_coauthors(hub):
    a, b = add_members(hub, 2)
    ids = store(hub, {
        1: (a, meta([person("Chen, Jing"), person("Liu, Yang"), person("Zhou, Min")], disciplines=("0703",))),
        2: (b, meta([person("陈静"), person("刘洋"), person("周敏")], disciplines=("0703",))),  # moved: two co-authors
        3: (b, meta([person("Chen, Jing"), person("Liu, Yang")], disciplines=("0703",))),  # one co-author only
        4: (b, meta([person("Chen, J."), person("Liu, Y."), person("Zhou, M.")], disciplines=("0703",))),
    })
    _relink(hub, ids)
    links = researcher_of(hub)
    assert links["1:Chen, Jing"] == links["2:陈静"]
    # at member b "Chen, Jing" (record 3) shares a co-author with 陈静 there: pinyin + member + co-author
    assert links["3:Chen, Jing"] == links["2:陈静"]
    assert links["4:Chen, J."] == links["2:陈静"]  # initials at member b with two co-authors
    row = researchers(hub)[links["1:Chen, Jing"]]
    assert sorted(row.institutions) == [1, 2] and row.institution_id == 2


def test_namesakes_at_two_members_with_one_shared_coauthor_stay_two(hub):
    a, b = add_members(hub, 2)
    ids = store(hub, {1: (a, meta([person("Li, Na"), person("Wang, Fang")])),
                      2: (b, meta([person("Li, Na"), person("Wang, Fang")]))})
    _relink(hub, ids)
    links = researcher_of(hub)
    assert links["1:Li, Na"] != links["2:Li, Na"]


def test_organisations_and_empty_names_are_not_researchers(hub):
    (a,) = add_members(hub, 1)
    ids = store(hub, {1: (a, meta([person("北京大学", organisation=True), person(""), person("王伟")]))})
    _relink(hub, ids)
    with hub.db.session() as session:
        rows = session.execute(select(Authorship.position, Authorship.name)).all()
    assert rows == [(2, "王伟")]
    assert len(researchers(hub)) == 1


def test_a_deleted_record_loses_its_authorships_and_emptied_researchers_go(hub):
    (a,) = add_members(hub, 1)
    ids = store(hub, {1: (a, meta([person("王伟"), person("李明")], disciplines=("0812",))),
                      2: (a, meta([person("王伟"), person("李明")], disciplines=("0812",))),
                      3: (a, meta([person("赵六")]))})
    _relink(hub, ids)
    before = researcher_of(hub)
    with hub.db.session() as session:
        session.execute(update(Record).where(Record.id.in_([2, 3])).values(deleted=True))
    result = _relink(hub, [2, 3])
    after = researcher_of(hub)
    assert set(after) == {"1:王伟", "1:李明"}
    assert after["1:王伟"] == before["1:王伟"]
    assert result.deleted == 1 and before["3:赵六"] not in researchers(hub)
    assert researchers(hub)[after["1:王伟"]].records == 1
    assert {2, 3} <= result.changed


def test_a_reharvest_keeps_researcher_ids_and_decisions(hub):
    (a,) = add_members(hub, 1)
    ids = store(hub, {1: (a, meta([person("王伟"), person("李明")], disciplines=("0812",))),
                      2: (a, meta([person("王伟"), person("李明")], disciplines=("0812",))),
                      3: (a, meta([person("王伟"), person("李明")], disciplines=("0812",)))})
    _relink(hub, ids)
    first = researcher_of(hub)
    assert first["1:王伟"] == first["2:王伟"] == first["3:王伟"]
    with hub.db.session() as session:
        decide(session, DecisionKind.SPLIT, ["3:王伟"], ["1:王伟", "2:王伟"], username="admin", note="two people")
    split = researcher_of(hub)
    assert split["1:王伟"] == split["2:王伟"] == first["1:王伟"] != split["3:王伟"]
    # re-harvest: creators reordered, the same record ids and names
    with hub.db.session() as session:
        for record_id in ids:
            record = session.get(Record, record_id)
            record.meta = {**record.meta, "creators": list(reversed(record.meta["creators"]))}
    result = _relink(hub, ids)
    again = researcher_of(hub)
    assert again == split
    assert result.changed == set() and result.created == 0
    with hub.db.session() as session:
        assert session.scalar(select(Authorship.position).where(Authorship.record_id == 1,
                                                                Authorship.name == "王伟")) == 1


def test_join_overrides_and_the_latest_decision_wins(hub):
    a, b = add_members(hub, 2)
    ids = store(hub, {1: (a, meta([person("王伟", ORCID)])),
                      2: (b, meta([person("Wang, Wei", "0000-0001-5109-3700")]))})
    _relink(hub, ids)
    assert researcher_of(hub)["1:王伟"] != researcher_of(hub)["2:Wang, Wei"]
    with hub.db.session() as session:
        result = decide(session, DecisionKind.JOIN, ["1:王伟"], ["2:Wang, Wei"], username="admin")
        assert institutions_of(session, ["1:王伟", "2:Wang, Wei", "bad", "9:nobody"]) == {1, 2}
    joined = researcher_of(hub)
    assert joined["1:王伟"] == joined["2:Wang, Wei"] and result.edges >= 1
    with hub.db.session() as session:
        evidence = session.scalar(select(Authorship.evidence).where(Authorship.record_id == 1))
        assert evidence[0]["evidence"] == ["joined"]
        decide(session, DecisionKind.SPLIT, ["2:Wang, Wei"], ["1:王伟"], username="admin")
        assert session.query(ResearcherDecision).count() == 2
    again = researcher_of(hub)
    assert again["1:王伟"] != again["2:Wang, Wei"]


@pytest.mark.parametrize(("left", "right", "message"), [
    ([], ["1:王伟"], "left side names no authorship"),
    (["1"], ["1:王伟"], "not an authorship reference"),
    (["x:王伟"], ["1:王伟"], "not an authorship reference"),
    (["1:李四"], ["1:王伟"], "no authorship '1:李四'"),
    (["1:王伟"], ["1:王伟"], "on both sides"),
])
def test_bad_decisions_are_refused(hub, left, right, message):
    (a,) = add_members(hub, 1)
    _relink(hub, store(hub, {1: (a, meta([person("王伟")]))}))
    with hub.db.session() as session, pytest.raises(DecisionError, match=message):
        decide(session, DecisionKind.SPLIT, left, right, username="admin")


def test_link_all_finds_the_people_relink_finds_and_keeps_ids_and_decisions(hub):
    from hub.people.linking import link_all

    a, b = add_members(hub, 2)
    ids = store(hub, {
        1: (a, meta([person("王伟", ORCID), person("李明")], disciplines=("0812",))),
        2: (b, meta([person("Wang, Wei", ORCID)])),
        3: (a, meta([person("王伟"), person("李明")], subjects=("Tang poetry",), disciplines=("0501",))),
        4: (a, meta([person("Wei Lu"), person("Li, Ming")], disciplines=("0812",))),
        5: (a, meta([person("Lu, Wei"), person("Li, Ming")], disciplines=("0812",))),
    })
    _relink(hub, ids)
    incremental = researcher_of(hub)
    with hub.db.session() as session:
        decide(session, DecisionKind.SPLIT, ["5:Lu, Wei"], ["4:Wei Lu"], username="admin")
    decided = researcher_of(hub)
    with hub.db.session() as session:
        result = link_all(session, 400)
    assert researcher_of(hub) == decided and result.changed == set() and result.created == 0
    assert incremental["4:Wei Lu"] == incremental["5:Lu, Wei"] != decided["5:Lu, Wei"]
    assert incremental["1:王伟"] == incremental["2:Wang, Wei"] == incremental["3:王伟"]  # 李明 co-authors both


def test_a_person_at_two_members_links_on_coauthors_shared_over_their_records(hub):
    a, b = add_members(hub, 2)
    ids = store(hub, {
        1: (a, meta([person("Sun, Hao"), person("Liu, Yang"), person("Zhou, Min")], disciplines=("0703",))),
        2: (b, meta([person("孙昊"), person("刘洋")], subjects=("optics", "lasers"), disciplines=("0703",))),
        3: (b, meta([person("孙昊"), person("周敏")], subjects=("lasers", "optics"), disciplines=("0703",))),
        4: (b, meta([person("Sun, Hao"), person("Gao, Lin")], disciplines=("0812",))),  # a namesake
    })
    _relink(hub, ids)
    links = researcher_of(hub)
    assert links["2:孙昊"] == links["3:孙昊"] == links["1:Sun, Hao"] != links["4:Sun, Hao"]
    with hub.db.session() as session:
        evidence = [e for es in session.scalars(select(Authorship.evidence)) for e in es]
    assert any(e["evidence"][1:] == ["profile", "coauthors:2"] for e in evidence)
