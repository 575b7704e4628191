"""Incremental == from scratch: after random harvest-like changes, refreshing only the records that
changed leaves every showcase table exactly as a rebuild from scratch makes it."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select, update

from hub.models import Institution, Record, Repository, WorkMember, utcnow
from hub.showcase.rebuild import rebuild_all
from hub.showcase.refresh import refresh
from tests.showcase.conftest import Network, snapshot

CODES = ("0812", "0701", "0835", "0305", "1204", "08")  # "08", a category alone, is no discipline
SUBJECTS = ("机器学习", "machine learning", "数据挖掘", "量子计算", "Deep learning", "社会学")
YEARS = (2018, 2019, 2020, "2021", None, "unknown")


def rebuilt(hub) -> dict:
    """The showcase tables as :func:`rebuild_all` makes them, in a transaction rolled back afterwards."""
    session = hub.db.sessionmaker()
    try:
        rebuild_all(session)
        return snapshot(session)
    finally:
        session.rollback()
        session.close()


def incremental(hub) -> dict:
    with hub.db.session() as session:
        return snapshot(session)


class World:
    """A random network that changes like harvests, regroupings and re-linkings change it."""

    def __init__(self, network: Network, rng: random.Random) -> None:
        self.net, self.rng = network, rng
        self.slugs = [f"m{i}" for i in range(4)]
        for slug in self.slugs:
            network.member(slug)
        self.records: list[int] = []
        self.people = [network.researcher(f"person {i}") for i in range(8)]
        self.works: dict[int, list[int]] = {}

    def new_record(self) -> int:
        rng = self.rng
        record_id = self.net.record(rng.choice(self.slugs), disciplines=tuple(rng.sample(CODES, rng.randint(0, 3))),
                                    subjects=tuple(rng.sample(SUBJECTS, rng.randint(0, 3))), year=rng.choice(YEARS),
                                    open_access=rng.random() < 0.4, fulltext=rng.random() < 0.3)
        self.records.append(record_id)
        for position in range(rng.randint(0, 2)):
            self.net.author(record_id, rng.choice(self.people + [None]), position)
        return record_id

    def change(self) -> set[int]:
        """One random change; returns the records whose facts it may change (what the stages report)."""
        rng, net = self.rng, self.net
        kind = rng.choice(["new", "new", "edit", "delete", "regroup", "unwork", "relink", "relink"])
        if kind == "new" or not self.records:
            return {self.new_record() for _ in range(rng.randint(1, 4))}
        record_id = rng.choice(self.records)
        if kind == "edit":
            net.update(record_id, disciplines=tuple(rng.sample(CODES, rng.randint(0, 3))),
                       subjects=tuple(rng.sample(SUBJECTS, rng.randint(0, 2))), year=rng.choice(YEARS),
                       fulltext=rng.random() < 0.5)
            return {record_id}
        if kind == "delete":
            net.update(record_id, deleted=True)
            return {record_id}
        if kind == "regroup":  # a few records become one work, leaving their old works
            chosen = set(rng.sample(self.records, min(len(self.records), rng.randint(2, 4))))
            net.work(sorted(chosen))
            return chosen
        if kind == "unwork":
            net.unwork(record_id)
            return {record_id}
        # relink: a creator of a record goes to another researcher (or none), or a new creator is linked
        net.author(record_id, rng.choice(self.people + [None]), rng.randint(0, 2))
        return {record_id}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_refreshed_incrementally_equal_a_rebuild(hub, network, seed):
    world = World(network, random.Random(seed))
    first = {world.new_record() for _ in range(25)}
    with hub.db.session() as session:
        refresh(session, sorted(first))
    assert incremental(hub) == rebuilt(hub)
    for _round in range(12):
        touched: set[int] = set()
        for _ in range(world.rng.randint(1, 4)):
            touched |= world.change()
        with hub.db.session() as session:
            refresh(session, sorted(touched))
        now = incremental(hub)
        assert now == rebuilt(hub), f"seed {seed}, round {_round}"
    assert now["discipline_year"] and now["record_facts"]  # the run made figures: nothing vacuous


def test_a_removed_repository_and_member_leave_the_figures(hub, network):
    world = World(network, random.Random(7))
    for _ in range(30):
        world.new_record()
    with hub.db.session() as session:
        refresh(session, world.records)
    gone = network.members["m1"]
    with hub.db.session() as session:  # as hub.members._remove leaves them: records tombstoned, rows removed
        repo_ids = list(session.scalars(select(Repository.id).where(Repository.institution_id == gone)))
        ids = list(session.scalars(select(Record.id).where(Record.repository_id.in_(repo_ids))))
        session.execute(update(Record).where(Record.id.in_(ids)).values(deleted=True))
        session.execute(update(Repository).where(Repository.id.in_(repo_ids)).values(removed_at=utcnow()))
        session.execute(update(Institution).where(Institution.id == gone).values(removed_at=utcnow()))
    assert ids
    with hub.db.session() as session:
        refresh(session, ids)
    state = incremental(hub)
    assert state == rebuilt(hub)
    assert all(row[1] != gone for row in state["record_facts"])  # institution_id
    assert all(row[1] != gone for row in state["discipline_year"])
    assert all(gone not in row[:2] for row in state["collaboration"])
    assert all(row[0] != gone for row in state["discipline_pair"])


def test_a_removed_member_whose_records_stay_live_is_left_out_too(hub, network):
    """Facts exist only for live records of live repositories of live members, whatever the records say."""
    network.member("donghai")
    network.member("xibei")
    kept = network.record("donghai")
    left = network.record("xibei")
    with hub.db.session() as session:
        refresh(session, [kept, left])
        session.execute(update(Institution).where(Institution.id == network.members["xibei"])
                        .values(removed_at=utcnow()))
    with hub.db.session() as session:
        result = refresh(session, [kept, left])
    assert result.counts["facts"] == 1 and result.counts["removed"] == 1
    assert incremental(hub) == rebuilt(hub)


def test_work_mates_outside_the_chunk_are_recounted(hub, network):
    """A record moving into a work held at another member changes that work's pairs and collaboration,
    though its work-mate was not refreshed."""
    a, b = network.member("donghai"), network.member("xibei")
    x = network.record("donghai", disciplines=("0812",))
    y = network.record("xibei", disciplines=("0701",))
    with hub.db.session() as session:
        refresh(session, [x, y])
    network.work([y])
    with hub.db.session() as session:
        refresh(session, [y])
        work_id = session.get(WorkMember, y).work_id
    with hub.db.session() as session:
        session.execute(update(WorkMember).where(WorkMember.record_id == y).values(work_id=work_id))
        session.add(WorkMember(record_id=x, work_id=work_id, repository_id=network.repositories["donghai"],
                               features={}, evidence=[]))
    with hub.db.session() as session:
        refresh(session, [x])  # only x: y's facts already name the work
    state = incremental(hub)
    assert state == rebuilt(hub)
    assert (a, b, 1, 0) in state["collaboration"]
    assert (0, "0701", "0812", 1) in state["discipline_pair"]


def test_removing_a_repository_through_the_members_module_refreshes_the_figures(hub, network):
    """hub.members.forget_records (after remove_repository commits) runs the showcase stage on its records."""
    from hub.members import forget_records, remove_institution

    world = World(network, random.Random(11))
    for _ in range(20):
        world.new_record()
    with hub.db.session() as session:
        refresh(session, world.records)
        gone = network.members["m2"]
        assert session.scalar(select(Record.id).join(Repository).where(Repository.institution_id == gone))
    with hub.db.session() as session:
        removal = remove_institution(session, "m2")
    forget_records(hub, removal.record_ids, removal.shas)
    state = incremental(hub)
    assert state == rebuilt(hub)
    assert not [row for row in state["record_facts"] if row[1] == gone]
    assert not [row for row in state["discipline_year"] if row[1] == gone]
