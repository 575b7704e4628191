"""Record generation: determinism, bilingual content, deletions, duplicates, touching, selection maths."""

from __future__ import annotations

import random
import re

import pytest

from hub.samples import demo_repositories, find_repository, generate_record
from hub.samples.records import record_timestamp, set_specs
from hub.samples.selection import select, set_predicate
from hub.samples.vocabulary import SET_PERIOD


def test_same_seed_same_record_and_different_seed_differs():
    repo_a, repo_b = demo_repositories()[0], demo_repositories()[0]
    assert generate_record(repo_a, 123) == generate_record(repo_b, 123)
    repo_b.seed += 1
    assert generate_record(repo_a, 123).titles != generate_record(repo_b, 123).titles or \
        generate_record(repo_a, 123).creators != generate_record(repo_b, 123).creators


def test_records_are_bilingual_and_varied():
    repo = find_repository(demo_repositories(), "donghai")
    records = [generate_record(repo, i) for i in range(repo.records)]
    live = [r for r in records if not r.deleted]
    kinds = {r.language_kind for r in live}
    assert kinds == {"zh", "en", "both"}
    zh = [r for r in live if r.language_kind == "zh"]
    assert 0.3 < len(zh) / len(live) < 0.6
    assert all(re.search(r"[\u4e00-\u9fff]", r.title) for r in zh)
    assert any("machine learning" in t.lower() for r in live for t, _ in r.titles)
    both = [r for r in live if r.language_kind == "both"]
    assert all([lang for _, lang in r.titles] == ["zh", "en"] for r in both)
    assert any(re.fullmatch(r"[A-Z][a-z]+, [A-Z][a-z]+", c) for r in live for c in r.creators)
    assert any(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", c) for r in zh for c in r.creators)
    assert {"zh", "en"} & {r.language for r in live} and {"中文", "chi"} & {r.language for r in live}
    assert {"学位论文", "期刊论文", "会议论文", "Thesis", "Article", "Dataset"} <= {r.dc_type for r in live}
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月", r.date) for r in live)
    assert any(re.fullmatch(r"\d{4}", r.date) for r in live)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.date) for r in live)
    assert all(2001 <= int(r.date[:4]) <= 2025 for r in live)
    assert any(r.doi for r in live) and any(not r.doi for r in live)
    with_files = [r for r in live if r.has_file]
    assert 0.55 < len(with_files) / len(live) < 0.75


def test_deleted_records_every_97th_keep_sets():
    repo = demo_repositories()[0]
    record = generate_record(repo, 96)
    assert record.deleted and record.set_specs == set_specs(repo, 96) and not record.titles
    assert [i for i in range(repo.records) if generate_record(repo, i).deleted] == [96, 193]


def test_datestamps_increase_with_index():
    repo = demo_repositories()[4]  # yunling: milliseconds
    stamps = [generate_record(repo, i).datestamp for i in range(50)]
    assert stamps == sorted(stamps) and stamps[0] == "2024-01-01T00:00:00.000Z"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s) for s in stamps)


def test_every_50th_record_duplicates_a_work_of_the_partner_repository():
    repos = demo_repositories()
    donghai, nanhu = find_repository(repos, "donghai"), find_repository(repos, "nanhu")
    for i in (25, 75, 125, 175, 225):
        original, copy = generate_record(donghai, i), generate_record(nanhu, i)
        assert copy.doi and copy.doi == original.doi
        assert copy.titles == original.titles and copy.identifier != original.identifier
    assert generate_record(nanhu, 26).doi != generate_record(donghai, 26).doi or generate_record(nanhu, 26).doi is None


def test_revision_touches_every_kth_record():
    repo = demo_repositories()[0]
    before = [generate_record(repo, i) for i in range(30)]
    repo.revision = 1
    after = [generate_record(repo, i) for i in range(30)]
    for i in range(30):
        if i % repo.touch_every == 0 and not before[i].deleted:
            assert after[i].timestamp > record_timestamp(repo, repo.records - 1)
            assert after[i].description != before[i].description
        else:
            assert after[i] == before[i]


@pytest.mark.parametrize("slug", ["donghai", "xiling"])
def test_selection_arithmetic_matches_brute_force(slug):
    repo = find_repository(demo_repositories(), slug)
    repo.records = 523
    rng = random.Random(7)
    sets = [None] + [spec for spec in (set_specs(repo, r) for r in range(SET_PERIOD)) for spec in spec]
    for revision in (0, 2):
        repo.revision = revision
        stamps = [record_timestamp(repo, i) for i in range(repo.records)]
        for _ in range(60):
            spec = rng.choice(sets)
            lo = rng.choice([None, rng.choice(stamps) + rng.choice([-1, 0, 1])])
            hi = rng.choice([None, rng.choice(stamps) + rng.choice([-1, 0, 1])])
            predicate = set_predicate(repo.style, spec) if spec else (lambda r: True)
            expected = [i for i in range(repo.records) if predicate(i % SET_PERIOD)
                        and (lo is None or stamps[i] >= lo) and (hi is None or stamps[i] <= hi)]
            selection = select(repo, spec, lo, hi)
            assert selection.total == len(expected)
            assert list(selection.iter_from(0, 10_000)) == expected
            for n in rng.sample(range(len(expected)), min(5, len(expected))):
                assert selection.nth(n) == expected[n]
