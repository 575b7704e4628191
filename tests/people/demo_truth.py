"""How well researchers are linked on the demo repositories, whose truth is known.

The demo's creators come from research groups (:func:`hub.samples.records.creator_people`): each
creator of a record names one :class:`~hub.samples.records.SampleResearcher` (a group and a place in
it), so every pair of authorships is truly one person or not. Foreign co-authors (the demo leaves
their identity open) are left out. Precision and recall are over pairs of authorships: of the pairs
linked into one researcher, the share that are one person; of the pairs that are one person, the
share linked. Used by tests/people/test_demo_truth.py and bench/bench_people_demo.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from hub.models import Authorship, Record, Repository
from hub.samples.catalog import SampleRepository
from hub.samples.records import creator_people, index_from_identifier


@dataclass(frozen=True)
class Quality:
    """Pairwise precision and recall of one linking, with the counts behind them."""

    authorships: int
    researchers: int
    people: int
    linked_pairs: int
    true_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        """Linked pairs that are one person, over linked pairs (1.0 when nothing is linked)."""
        return self.correct_pairs / self.linked_pairs if self.linked_pairs else 1.0

    @property
    def recall(self) -> float:
        """Pairs of one person that are linked, over pairs of one person (1.0 when there are none)."""
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    def line(self) -> str:
        """One line for a test message or the bench."""
        return (f"{self.authorships} authorships, {self.researchers} researchers for {self.people} people: "
                f"precision {self.precision:.3f}, recall {self.recall:.3f} "
                f"({self.correct_pairs} of {self.linked_pairs} linked pairs right, {self.true_pairs} true pairs)")


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def demo_quality(session, repos: list[SampleRepository], base_url: str) -> Quality:
    """Score the stored authorships of the demo repositories ``repos`` served at ``base_url``."""
    by_url = {sample.base_url(base_url): sample for sample in repos}
    repositories = {rid: by_url[url] for rid, url in session.execute(select(Repository.id, Repository.base_url))
                    if url in by_url}
    rows = session.execute(select(Authorship.researcher_id, Authorship.name, Authorship.position,
                                  Record.repository_id, Record.source_identifier)
                           .join(Record, Record.id == Authorship.record_id)).all()
    truth: dict[tuple[str, int], list] = {}
    linked: Counter = Counter()
    people: Counter = Counter()
    both: Counter = Counter()
    counted = 0
    for researcher_id, _name, position, repository_id, identifier in rows:
        sample = repositories.get(repository_id)
        if sample is None:
            continue
        index = index_from_identifier(sample, identifier)
        if index is None:
            continue
        key = (sample.slug, index)
        if key not in truth:
            truth[key] = [person for _, person in creator_people(sample, index)]
        persons = truth[key]
        person = persons[position] if position < len(persons) else None
        if person is None or researcher_id is None:
            continue
        counted += 1
        linked[researcher_id] += 1
        people[person] += 1
        both[(researcher_id, person)] += 1
    return Quality(counted, len(linked), len(people), _pairs(linked), _pairs(people), _pairs(both))
