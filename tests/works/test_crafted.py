"""The crafted set of known works: true duplicates grouped, near misses kept apart, decisions kept."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pytest
from sqlalchemy import select, update

from hub.models import Record, WorkMember
from hub.works.api import RelationType, relations_for
from hub.works.cluster import group_features
from hub.works.decisions import DecisionError, join, split
from hub.works.features import features_of
from hub.works.grouping import group_all, regroup
from tests.works.conftest import crafted_records, enriched_meta, load_crafted


def _same_work_pairs(labels: dict[int, object]) -> set[tuple[int, int]]:
    by_label = defaultdict(list)
    for record_id, label in labels.items():
        by_label[label].append(record_id)
    return {tuple(sorted(p)) for members in by_label.values() for p in combinations(members, 2)}


def _stored_works(hub) -> dict[int, int]:
    with hub.db.session() as session:
        return dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())


def test_in_memory_grouping_is_exact_on_the_crafted_set():
    records = crafted_records()
    features = [features_of(r["id"], r["repository"], enriched_meta(r["meta"])) for r in records]
    groups, edges = group_features(features)
    truth = _same_work_pairs({r["id"]: r["work"] for r in records})
    found = _same_work_pairs(groups)
    assert found == truth
    assert {e.evidence[0] for e in edges} == {"doi", "handle", "title"}


@pytest.mark.parametrize(("a", "b", "why"), [
    (20, 21, "same title and author four years apart"),
    (22, 23, "a chapter carrying its book's DOI"),
    (23, 24, "two chapters sharing the container DOI"),
    (25, 26, "a thesis and its article of the same title"),
    (30, 31, "same title, two different DOIs"),
    (36, 37, "the unregistered DSpace handle prefix"),
])
def test_near_misses_stay_apart(hub, a, b, why):
    load_crafted(hub)
    with hub.db.session() as session:
        group_all(session)
    works = _stored_works(hub)
    assert works[a] != works[b], why


def test_full_grouping_matches_the_truth_and_relations_follow_versions(hub):
    truth = load_crafted(hub)
    with hub.db.session() as session:
        group_all(session)
    assert _same_work_pairs(_stored_works(hub)) == _same_work_pairs(truth)
    with hub.db.session() as session:
        relations = relations_for(session, [7, 8, 1, 20])
    assert [(r.type, r.record_id) for r in relations[7]] == [(RelationType.IS_VERSION_OF, 8)]
    assert [(r.type, r.record_id) for r in relations[8]] == [(RelationType.HAS_VERSION, 7)]
    assert [(r.type, r.record_id) for r in relations[1]] == [(RelationType.IS_IDENTICAL_TO, 2)]
    assert relations[20] == []


def test_incremental_regrouping_follows_a_changed_and_a_deleted_record(hub):
    load_crafted(hub)
    with hub.db.session() as session:
        regroup(session, [r["id"] for r in crafted_records()])
    before = _stored_works(hub)
    assert before[5] == before[6] and before[13] == before[14] == before[15]
    with hub.db.session() as session:
        record = session.get(Record, 6)
        record.meta = {**record.meta, "titles": [{"value": "A completely different paper", "lang": "eng"}]}
        session.execute(update(Record).where(Record.id == 14).values(deleted=True))
    with hub.db.session() as session:
        report = regroup(session, [6, 14])
    after = _stored_works(hub)
    assert after[5] != after[6]
    assert 14 not in after and after[13] == after[15] == before[13]
    assert before[5] in (after[5], after[6])  # the work id stays with one of its records
    assert report.removed == 1
    untouched = {r for r in before if r not in (5, 6, 13, 14, 15)}
    assert {r: after[r] for r in untouched} == {r: before[r] for r in untouched}


def test_split_and_join_survive_reharvest_and_full_regrouping(hub):
    load_crafted(hub)
    with hub.db.session() as session:
        group_all(session)
    works = _stored_works(hub)
    with hub.db.session() as session:
        split(session, works[15], [15], note="different conference")
        join(session, works[28], works[29], note="same paper, author list fixed later")
    works = _stored_works(hub)
    assert works[15] != works[13] == works[14]
    assert works[28] == works[29]
    # a re-harvest rewrites record 15 (same evidence) and a full regrouping runs
    with hub.db.session() as session:
        record = session.get(Record, 15)
        record.meta = {**record.meta, "abstracts": [{"value": "Revised abstract.", "lang": "eng"}]}
    with hub.db.session() as session:
        regroup(session, [15])
        group_all(session)
    works = _stored_works(hub)
    assert works[15] != works[13] == works[14]
    assert works[28] == works[29]
    # a later join overrides the split
    with hub.db.session() as session:
        join(session, works[13], works[15])
    works = _stored_works(hub)
    assert works[13] == works[14] == works[15]


def test_bad_decisions_are_refused(hub):
    load_crafted(hub)
    with hub.db.session() as session:
        group_all(session)
    works = _stored_works(hub)
    with hub.db.session() as session, pytest.raises(DecisionError):
        split(session, works[13], [13, 14, 15])
    with hub.db.session() as session, pytest.raises(DecisionError):
        split(session, works[13], [20])
    with hub.db.session() as session, pytest.raises(DecisionError):
        join(session, works[13], works[13])
