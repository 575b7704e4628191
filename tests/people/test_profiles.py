"""Researcher profiles and lists (hub.people.profiles) over researchers and authorships written directly.

:func:`build_people` makes a small network that the web and API tests use too: 王伟 at Peking
University (three records in 2019-2020 written 王伟 and Wang, Wei, linked by evidence), 李娜 (his
co-author at the same member), 张三 (his co-author, mainly at Fudan), and a namesake 王伟 at Fudan.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.models.people import Authorship, Researcher
from hub.people import profiles
from hub.people.names import name_form
from hub.people.profiles import CoauthorScope, EvidenceKind
from tests.search.conftest import add_member, add_record


@dataclass
class People:
    """Ids of what :func:`build_people` made."""

    pku: int
    fudan: int
    wang: int
    li: int
    zhang: int
    namesake: int
    records: dict[str, int]


def _researcher(session, **values) -> int:
    row = Researcher(**values)
    session.add(row)
    session.flush()
    return row.id


def build_people(hub) -> People:
    """The small network of the module docstring; returns its ids."""
    pku, pku_repo = add_member(hub, "pku", "Peking University", "北京大学")
    fudan, fudan_repo = add_member(hub, "fudan", "Fudan University", "复旦大学")
    recs = {
        "r1": add_record(hub, pku_repo, 1, title="图神经网络研究", title_lang="chi", creators=("王伟", "李娜"), year=2019),
        "r2": add_record(hub, pku_repo, 2, title="Graph learning at scale", creators=("Wang, Wei", "李娜"), year=2020),
        "r3": add_record(hub, pku_repo, 3, title="Cross-member networks", creators=("王伟", "张三"), year=2020),
        "r4": add_record(hub, fudan_repo, 4, title="复旦的论文", title_lang="chi", creators=("张三",), year=2018),
        "r5": add_record(hub, fudan_repo, 5, title="Another Wang Wei", creators=("Wang, Wei",), year=2021),
        "r6": add_record(hub, pku_repo, 6, title="Undated note", creators=("王伟",), year=None),
    }
    with hub.db.session() as session:
        wang = _researcher(session, name="王伟", name_zh="王伟", name_latin="Wang, Wei",
                           search_names="王伟|wang wei|wang, wei", orcid="0000-0002-1825-0097", institution_id=pku,
                           institutions=[pku], disciplines=["0812"], records=4, works=4, first_year=2019,
                           last_year=2020)
        li = _researcher(session, name="李娜", name_zh="李娜", search_names="李娜|li na", institution_id=pku,
                         institutions=[pku], disciplines=["0812"], records=2, works=2, first_year=2019, last_year=2020)
        zhang = _researcher(session, name="张三", name_zh="张三", search_names="张三|zhang san", institution_id=fudan,
                            institutions=[fudan, pku], disciplines=[], records=2, works=2, first_year=2018,
                            last_year=2020)
        namesake = _researcher(session, name="Wang, Wei", name_latin="Wang, Wei", search_names="wang, wei|wang wei",
                               institution_id=fudan, institutions=[fudan], records=1, works=1, first_year=2021,
                               last_year=2021)

        def ship(record: str, position: int, researcher: int, name: str, inst: int, repo: int, evidence=(),
                 score: float = 0.0) -> None:
            session.add(Authorship(record_id=recs[record], position=position, researcher_id=researcher,
                                   repository_id=repo, institution_id=inst, name=name, key=name_form(name).key,
                                   evidence=list(evidence), score=score))

        r1, r2, r3 = recs["r1"], recs["r2"], recs["r3"]
        ship("r1", 0, wang, "王伟", pku, pku_repo,
             [{"with": f"{r2}:Wang, Wei", "evidence": ["pinyin", "member", "coauthors:1"], "score": 0.82}], 0.82)
        ship("r2", 0, wang, "Wang, Wei", pku, pku_repo,
             [{"with": f"{r1}:王伟", "evidence": ["pinyin", "member", "coauthors:1"], "score": 0.82}], 0.82)
        ship("r3", 0, wang, "王伟", pku, pku_repo,
             [{"with": f"{r1}:王伟", "evidence": ["orcid"], "score": 1.0}], 1.0)
        ship("r6", 0, wang, "王伟", pku, pku_repo,
             [{"with": f"{r3}:王伟", "evidence": ["name", "member", "subjects:2"], "score": 0.7}], 0.7)
        ship("r1", 1, li, "李娜", pku, pku_repo)
        ship("r2", 1, li, "李娜", pku, pku_repo)
        ship("r3", 1, zhang, "张三", pku, pku_repo)
        ship("r4", 0, zhang, "张三", fudan, fudan_repo)
        ship("r5", 0, namesake, "Wang, Wei", fudan, fudan_repo)
    return People(pku, fudan, wang, li, zhang, namesake, recs)


def test_list_is_most_records_first_and_searches_han_and_latin(hub):
    people = build_people(hub)
    with hub.db.session() as session:
        everyone = profiles.researcher_list(session)
        assert [r.id for r in everyone.items] == [people.wang, people.li, people.zhang, people.namesake]
        assert everyone.total == 4 and everyone.pages == 1
        assert everyone.items[0].member.slug == "pku" and everyone.items[0].disciplines[0].zh
        han = profiles.researcher_list(session, q="王伟")
        assert [r.id for r in han.items] == [people.wang]
        latin = profiles.researcher_list(session, q="Wang Wei")  # words in any order and punctuation
        assert {r.id for r in latin.items} == {people.wang, people.namesake}
        assert [r.id for r in profiles.researcher_list(session, q="WEI, wang", institution_id=people.fudan).items] \
            == [people.namesake]
        assert profiles.researcher_list(session, q="nobody").total == 0
        assert profiles.researcher_list(session, q="100%_").total == 0  # LIKE wildcards are literal
        assert [r.id for r in profiles.researcher_list(session, q="王").items] == [people.wang]  # a lone word
        assert profiles.name_keys("Wang Wei") == {"wang w", "wei w"} and profiles.name_keys("王") == set()


def test_list_pages(hub):
    build_people(hub)
    with hub.db.session() as session:
        first = profiles.researcher_list(session, per_page=3)
        second = profiles.researcher_list(session, page=2, per_page=3)
    assert len(first.items) == 3 and len(second.items) == 1 and first.pages == 2
    assert not {r.id for r in first.items} & {r.id for r in second.items}


def test_profile_names_years_timeline_and_coauthors(hub):
    people = build_people(hub)
    with hub.db.session() as session:
        p = profiles.profile(session, people.wang)
    assert p is not None
    assert p.names == [("王伟", 3), ("Wang, Wei", 1)]
    assert [m.slug for m in p.members] == ["pku"]
    assert p.by_year == [(2019, 1), (2020, 2)] and p.undated == 1
    assert [year for year, _items in p.timeline] == [2020, 2019, None]
    titles_2020 = {t.title for t in p.timeline[0][1]}
    assert titles_2020 == {"Graph learning at scale", "Cross-member networks"}
    coauthors = {c.id: c for c in p.coauthors}
    assert coauthors[people.li].shared == 2 and coauthors[people.li].scope is CoauthorScope.INSIDE
    assert coauthors[people.zhang].shared == 1 and coauthors[people.zhang].scope is CoauthorScope.ACROSS
    assert people.namesake not in coauthors
    assert p.researcher.disciplines[0].code == "0812" and p.researcher.disciplines[0].en
    assert sorted(p.refs) == sorted(f"{people.records[r]}:{n}" for r, n in
                                    [("r1", "王伟"), ("r2", "Wang, Wei"), ("r3", "王伟"), ("r6", "王伟")])


def test_profile_evidence_each_link_once_with_kinds_and_score(hub):
    people = build_people(hub)
    r1, r2, r3 = people.records["r1"], people.records["r2"], people.records["r3"]
    with hub.db.session() as session:
        p = profiles.profile(session, people.wang)
    assert len(p.links) == 3  # r1<->r2 is stored on both authorships, shown once
    by_pair = {(link.record_id, link.with_record_id): link for link in p.links}
    orcid = by_pair[(r3, r1)]
    assert orcid.kinds == [(EvidenceKind.ORCID, 1)] and orcid.score == 1.0 and orcid.with_title == "图神经网络研究"
    pinyin = by_pair.get((r1, r2)) or by_pair[(r2, r1)]
    assert (EvidenceKind.COAUTHORS, 1) in pinyin.kinds and (EvidenceKind.PINYIN, 1) in pinyin.kinds
    assert pinyin.score == 0.82
    subjects = next(link for link in p.links if link.with_record_id == r3)
    assert (EvidenceKind.SUBJECTS, 2) in subjects.kinds and subjects.raw == ["name", "member", "subjects:2"]


def test_unknown_or_empty_researcher_has_no_profile(hub):
    people = build_people(hub)
    with hub.db.session() as session:
        assert profiles.profile(session, 999_999) is None
        session.add(Researcher(name="nobody", records=0))
        session.flush()
        empty = max(people.wang, people.li, people.zhang, people.namesake) + 1
        assert profiles.profile(session, empty) is None


def test_parse_helpers():
    assert profiles.parse_ref("12:Wang, Wei") == (12, "Wang, Wei")
    assert profiles.parse_ref("garbage") == (None, "garbage")
    assert profiles.parse_evidence(["coauthors:3", "strange"]) == [(EvidenceKind.COAUTHORS, 3),
                                                                  (EvidenceKind.OTHER, 1)]
    assert profiles.query_words("  Wáng,  WEI ") == ["wang", "wei"]


def test_record_page_lookup(hub):
    people = build_people(hub)
    with hub.db.session() as session:
        assert profiles.researchers_of_record(session, people.records["r3"]) == {"王伟": people.wang,
                                                                                 "张三": people.zhang}


def test_a_prolific_researcher_is_read_in_part_but_charted_whole(hub, monkeypatch):
    from hub.models.showcase import RecordFacts

    people = build_people(hub)
    with hub.db.session() as session:  # the facts the showcase stage keeps (its years, its titles)
        for key, year in (("r1", 2019), ("r2", 2020), ("r3", 2020), ("r6", 0)):
            session.add(RecordFacts(record_id=people.records[key], institution_id=people.pku, year=year,
                                    extra={"title": f"facts title {key}"}))
    monkeypatch.setattr(profiles, "MAX_AUTHORSHIPS", 2)
    monkeypatch.setattr(profiles, "MAX_LINKS", 1)
    with hub.db.session() as session:
        p = profiles.profile(session, people.wang)
    assert p.truncated and p.authorships == 4 and len(p.refs) == 2
    assert p.by_year == [(2019, 1), (2020, 2)] and p.undated == 1  # every record, from the facts
    assert sum(len(items) for _y, items in p.timeline) == 2  # the most recent ones only
    assert {t.title for _y, items in p.timeline for t in items} == {"facts title r6", "facts title r3"}
    assert len(p.links) == 1
