"""Deterministic sample records: record i of a repository is a pure function of (seed, i, revision).

Nothing is stored. `generate_record(repo, i)` builds one `SampleRecord` in a few microseconds from a
`random.Random` seeded with (seed, i), so any page of a repository of a million records costs only its
own size. Datestamps grow with i (`BASE_TIMESTAMP` + i minutes + a few seconds), which lets the
selection code map from/until to index ranges arithmetically; "touched" records (every
`touch_every`-th record once `repo.revision` > 0) move after all others and change their description.

Fixed patterns the tests rely on:
- record i is deleted when i % repo.deleted_every == repo.deleted_every - 1 (every 97th by default);
- record i has a full-text file when i % 3 != 2 and it is not deleted;
- record i of a repository with `duplicates_of` reuses the work (titles, creators, DOI) of record i of
  that repository when i % duplicate_every == duplicate_every // 2;
- set membership depends only on i % SET_PERIOD (type, EPrints status, DSpace collection);
- about half of a repository's records are in its member's strong subjects (``focus``);
- creators come from research groups (:func:`roster`): each repository has a group of
  :data:`ROSTER` people per subject, written in Han characters in Chinese records and as
  ``Family, Given`` pinyin in English ones, some with an ORCID iD after the name; a few people of
  the network's own groups (:data:`NETWORK_SEED`, all with an ORCID iD) write with every member.
  The same Han name may be drawn for two groups of one repository: two namesakes at one member.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from hub.samples import vocabulary as v
from hub.samples.catalog import RepositoryStyle, SampleRepository

BASE_TIMESTAMP = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
HANDLE_PREFIX = "123456789"
FIRST_NUMBER = {RepositoryStyle.DSPACE: 10, RepositoryStyle.EPRINTS: 1}


@dataclass
class SampleRecord:
    """One generated record with everything the OAI, HTML, EP3 and PDF renderers need."""

    index: int
    number: int  # DSpace handle suffix or EPrints eprintid
    identifier: str
    timestamp: int  # seconds since the epoch, UTC
    datestamp: str
    deleted: bool
    set_specs: list[str]
    language_kind: str = "en"  # "zh", "en" or "both"
    titles: list[tuple[str, str | None]] = field(default_factory=list)  # (text, xml:lang)
    creators: list[str] = field(default_factory=list)
    people: list[SampleResearcher | None] = field(default_factory=list)  # the person each creator names
    subjects: list[str] = field(default_factory=list)
    description: str = ""
    date: str = ""
    item_type: str = "article"
    dc_type: str = "Article"
    language: str = "en"
    publisher: str = ""
    rights: str = ""
    doi: str | None = None
    file_name: str | None = None
    security: str = "public"  # EPrints document security: public, validuser, staffonly
    embargo: str = ""  # EPrints date_embargo (YYYY-MM-DD) or ""
    touched: bool = False

    @property
    def title(self) -> str:
        """The first title."""
        return self.titles[0][0] if self.titles else ""

    @property
    def has_file(self) -> bool:
        """Whether the record has a full-text PDF."""
        return self.file_name is not None


def is_deleted(repo: SampleRepository, i: int) -> bool:
    """Whether record i is a tombstone."""
    return i % repo.deleted_every == repo.deleted_every - 1


def is_touched(repo: SampleRepository, i: int) -> bool:
    """Whether record i was changed by the repository's current revision."""
    return repo.revision > 0 and i % repo.touch_every == 0


def record_timestamp(repo: SampleRepository, i: int) -> int:
    """The datestamp of record i in seconds since the epoch (increasing with i within a segment)."""
    minutes = repo.revision * repo.records + i if is_touched(repo, i) else i
    return BASE_TIMESTAMP + 60 * minutes + (i * 37) % 60


def format_datestamp(repo: SampleRepository, i: int, timestamp: int) -> str:
    """A UTC datestamp, with milliseconds when the repository imitates DSpace 5+."""
    text = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if repo.milliseconds:
        return f"{text}.{(i * 271) % 1000:03d}Z"
    return text + "Z"


def record_number(repo: SampleRepository, i: int) -> int:
    """The handle suffix (DSpace) or eprintid (EPrints) of record i."""
    return i + FIRST_NUMBER[repo.style]


def index_from_number(repo: SampleRepository, number: int) -> int | None:
    """The index of the record with this number, or None when there is none."""
    i = number - FIRST_NUMBER[repo.style]
    return i if 0 <= i < repo.records else None


def oai_identifier(repo: SampleRepository, i: int) -> str:
    """The OAI identifier of record i (`oai:<domain>:123456789/<n>` or `oai:<domain>:<n>`)."""
    n = record_number(repo, i)
    if repo.style is RepositoryStyle.DSPACE:
        return f"oai:{repo.domain}:{HANDLE_PREFIX}/{n}"
    return f"oai:{repo.domain}:{n}"


def index_from_identifier(repo: SampleRepository, identifier: str) -> int | None:
    """The index of the record an OAI identifier names, or None."""
    prefix = f"oai:{repo.domain}:" + (f"{HANDLE_PREFIX}/" if repo.style is RepositoryStyle.DSPACE else "")
    if not identifier.startswith(prefix) or not identifier[len(prefix):].isdigit():
        return None
    return index_from_number(repo, int(identifier[len(prefix):]))


def hex_set(text: str) -> str:
    """EPrints' hex encoding of a set name (`types=article` -> `74797065733D61727469636C65`)."""
    return text.encode("utf-8").hex().upper()


def set_specs(repo: SampleRepository, i: int) -> list[str]:
    """The setSpecs of record i (kept by deleted records too)."""
    if repo.style is RepositoryStyle.DSPACE:
        collection = 3 + i % v.DSPACE_COLLECTIONS
        community = 1 + (i % v.DSPACE_COLLECTIONS) // 2
        return [f"com_{HANDLE_PREFIX}_{community}", f"hdl_{HANDLE_PREFIX}_{community}",
                f"col_{HANDLE_PREFIX}_{collection}", f"hdl_{HANDLE_PREFIX}_{collection}"]
    item_type = v.TYPE_CYCLE[i % len(v.TYPE_CYCLE)]
    status = v.STATUS_CYCLE[i % len(v.STATUS_CYCLE)]
    return [hex_set(f"types={item_type}"), hex_set(f"status={status}")]


ROSTER = 6  # people per research group (one group per repository and subject)
NETWORK_SEED = 0  # the seed of the groups whose people write with every member
NETWORK_ROSTER = 2
ORCID_SHARE = 0.4  # of a group's people having an ORCID iD


@dataclass(frozen=True)
class SampleResearcher:
    """A person of a sample research group: the Han and pinyin forms of one name, and maybe an ORCID iD."""

    han: str
    latin: str  # "Wang, Wei"
    orcid: str = ""
    group: str = ""  # "<seed>/<subject>": two namesakes of one repository are in different groups
    number: int = 0  # place in the group


def _orcid(rng: random.Random) -> str:
    """A well-formed ORCID iD (ISO 7064 MOD 11-2 check digit) in the 0000-0002 block."""
    digits = "00000002" + "".join(str(rng.randrange(10)) for _ in range(7))
    total = 0
    for char in digits:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    body = digits + ("X" if check == 10 else str(check))
    return "-".join(body[k:k + 4] for k in range(0, 16, 4))


@lru_cache(maxsize=512)
def roster(seed: int, subject: int) -> tuple[SampleResearcher, ...]:
    """The research group of the repository with ``seed`` in subject ``subject`` (``NETWORK_SEED``: the
    network's own group, whose people all have an ORCID iD)."""
    rng = random.Random(f"roster:{seed}:{subject}")
    people = []
    names: set[tuple[int, int]] = set()
    for number in range(NETWORK_ROSTER if seed == NETWORK_SEED else ROSTER):
        s, g = rng.randrange(len(v.ZH_SURNAMES)), rng.randrange(len(v.ZH_GIVEN))
        while (s, g) in names:  # one group never holds two people of one name (nobody could tell them apart)
            s, g = rng.randrange(len(v.ZH_SURNAMES)), rng.randrange(len(v.ZH_GIVEN))
        names.add((s, g))
        orcid = _orcid(rng) if seed == NETWORK_SEED or rng.random() < ORCID_SHARE else ""
        people.append(SampleResearcher(v.ZH_SURNAMES[s] + v.ZH_GIVEN[g], f"{v.PINYIN_SURNAMES[s]}, {v.PINYIN_GIVEN[g]}",
                                       orcid, f"{seed}/{subject}", number))
    return tuple(people)


CREATORS_DRAW = 10  # the draw of creators whose chance look-alikes (same title, a year apart, a shared name
# key) the works matcher does not take for copies: tests/works/test_demo_grouping.py finds only the planted ones
FOCUS_SHARE = 0.5  # of a repository's records in the subjects its member is strongest in


def _focused(repo: SampleRepository, i: int, subject: int) -> int:
    """Record i's subject: one of its member's strong subjects for about half the records (their own
    draw, so every other field of the record stays as it was), ``subject`` for the rest."""
    focus = repo.institution.focus
    rng = random.Random(f"focus:{repo.seed}:{i}")
    return rng.choice(focus) if focus and rng.random() < FOCUS_SHARE else subject


def _group_people(repo: SampleRepository, i: int, subject: int, count: int,
                  chinese: bool) -> list[tuple[str, SampleResearcher | None]]:
    """``count`` creators of record i from the repository's group in ``subject``, each with the person
    it names (None for a foreign co-author): the group's first people write most; sometimes a person of
    the network's group or a foreign co-author joins."""
    rng = random.Random(f"creators{CREATORS_DRAW}:{repo.seed}:{i}")
    group = list(roster(repo.seed, subject))
    weights = [ROSTER - k for k in range(len(group))]
    people: list[SampleResearcher] = []
    while len(people) < min(count, len(group)):
        person = rng.choices(group, weights)[0]
        if person not in people:
            people.append(person)
    if rng.random() < 0.12:
        people[-1] = rng.choice(roster(NETWORK_SEED, subject))
    named: dict[str, SampleResearcher | None] = {}
    for person in people:
        name = person.han if chinese else person.latin
        if person.orcid and rng.random() < (0.3 if chinese else 0.7):
            name += f" (https://orcid.org/{person.orcid})"
        named.setdefault(name, person)
    if not chinese and rng.random() < 0.15:
        named.setdefault(rng.choice(v.WESTERN_NAMES), None)
    return list(named.items())


def creator_people(repo: SampleRepository, i: int) -> list[tuple[str, SampleResearcher | None]]:
    """Record i's creators, each with the person it names (the truth a researcher linking is measured
    against; None for a foreign co-author, whose identity the demo leaves open): [] for a tombstone."""
    record = generate_record(repo, i)
    if record.deleted:
        return []
    return list(zip(record.creators, record.people, strict=True))


def _chinese_name(rng: random.Random) -> str:
    return rng.choice(v.ZH_SURNAMES) + rng.choice(v.ZH_GIVEN)


def _english_name(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(v.WESTERN_NAMES)
    return f"{rng.choice(v.PINYIN_SURNAMES)}, {rng.choice(v.PINYIN_GIVEN)}"


def _date_text(rng: random.Random, year: int, chinese: bool) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if chinese and form < 0.25:
        return f"{year}年{month}月"
    if form < 0.5:
        return f"{year}-{month:02d}-{day:02d}"
    if form < 0.75:
        return str(year)
    return f"{year}-{month:02d}"


def _file_name(record: SampleRecord) -> str:
    english = next((t for t, lang in record.titles if lang != "zh"), "")
    words = re.findall(r"[a-z0-9]+", english.lower())[:5] if record.language_kind != "zh" else []
    return ("-".join(words) if words else f"fulltext-{record.number}") + ".pdf"


def _fill_work(record: SampleRecord, rng: random.Random, repo: SampleRepository) -> None:
    """Titles, creators, subjects, abstract, date, language: the parts a duplicate reuses."""
    roll = rng.random()
    record.language_kind = "zh" if roll < 0.45 else ("en" if roll < 0.85 else "both")
    k_method, k_topic = rng.randrange(len(v.ZH_METHODS)), rng.randrange(len(v.ZH_TOPICS))
    k_suffix, k_subject = rng.randrange(len(v.ZH_SUFFIXES)), rng.randrange(len(v.SUBJECTS_ZH))
    k_subject = _focused(repo, record.index, k_subject)
    year = rng.randint(2001, 2025)
    zh_title = f"基于{v.ZH_METHODS[k_method]}的{v.ZH_TOPICS[k_topic]}{v.ZH_SUFFIXES[k_suffix]}"
    en_title = f"{v.EN_METHODS[k_method]} for {v.EN_TOPICS[k_topic]}: {v.EN_SUFFIXES[k_suffix % 6]}"
    chinese = record.language_kind != "en"
    if record.language_kind == "zh":
        record.titles = [(zh_title, None)]
    elif record.language_kind == "en":
        record.titles = [(en_title, None)]
    else:
        record.titles = [(zh_title, "zh"), (en_title, "en")]
    name = _chinese_name if chinese else _english_name
    drawn = [name(rng) for _ in range(rng.randint(1, 4))]  # drawn as before, so the fields after stay as they were
    named = _group_people(repo, record.index, k_subject, len(drawn), chinese)
    record.creators = [name for name, _ in named]
    record.people = [person for _, person in named]
    subjects = v.SUBJECTS_ZH if chinese else v.SUBJECTS_EN
    record.subjects = [subjects[k_subject], subjects[(k_subject + 1 + rng.randrange(3)) % len(subjects)]]
    sentences = v.ZH_ABSTRACT_SENTENCES if chinese else v.EN_ABSTRACT_SENTENCES
    method = v.ZH_METHODS[k_method] if chinese else v.EN_METHODS[k_method].lower()
    topic = v.ZH_TOPICS[k_topic] if chinese else v.EN_TOPICS[k_topic]
    picked = [sentences[0]] + rng.sample(sentences[1:], rng.randint(1, 3))
    record.description = "".join(s.format(topic=topic, method=method, year=year, subject=subjects[k_subject])
                                 + ("" if chinese else " ") for s in picked).strip()
    record.date = _date_text(rng, year, chinese)
    record.language = rng.choice(v.LANGUAGE_ZH if chinese else v.LANGUAGE_EN)
    doi_wanted = rng.random() < 0.3 or record.index % repo.duplicate_every == repo.duplicate_every // 2
    record.doi = f"10.{20000 + repo.seed % 10000}/{repo.slug}.{year}.{record.number:06d}" if doi_wanted else None


def generate_record(repo: SampleRepository, i: int) -> SampleRecord:
    """Record i of `repo` (0 <= i < repo.records), built from scratch; same inputs, same record."""
    timestamp = record_timestamp(repo, i)
    record = SampleRecord(
        index=i, number=record_number(repo, i), identifier=oai_identifier(repo, i), timestamp=timestamp,
        datestamp=format_datestamp(repo, i, timestamp), deleted=is_deleted(repo, i),
        set_specs=set_specs(repo, i), touched=is_touched(repo, i))
    if record.deleted:
        return record
    rng = random.Random(repo.seed * 1_000_003 + i)
    _fill_work(record, rng, repo)
    source = repo.duplicates_of
    if (source is not None and i % repo.duplicate_every == repo.duplicate_every // 2 and i < source.records
            and not is_deleted(source, i)):
        original = generate_record(source, i)
        for name in ("language_kind", "titles", "creators", "people", "subjects", "description", "date",
                     "language", "doi"):
            setattr(record, name, getattr(original, name))
    chinese = record.language_kind != "en"
    record.item_type = v.TYPE_CYCLE[i % len(v.TYPE_CYCLE)]
    item_type = v.ITEM_TYPES[record.item_type]
    record.dc_type = item_type.dc_zh if chinese and rng.random() < 0.6 else item_type.dc_en
    inst = repo.institution
    publishers = v.PUBLISHERS_ZH if chinese else v.PUBLISHERS_EN
    record.publisher = rng.choice(publishers).format(name_zh=inst.name_zh, name_en=inst.name_en)
    record.rights = rng.choice(v.RIGHTS).format(name_zh=inst.name_zh)
    if i % repo.no_file_every != repo.no_file_every - 1:
        record.file_name = _file_name(record)
        if repo.style is RepositoryStyle.EPRINTS:
            roll = rng.random()
            if 0.85 <= roll < 0.93:
                record.security = "validuser"
                record.embargo = f"{2030 + i % 5}-0{1 + i % 9}-01" if roll < 0.89 else ""
            elif roll >= 0.93:
                record.security = "staffonly"
    if record.touched:
        note = f"（第{repo.revision}次修订）" if chinese else f" (Revision {repo.revision}.)"
        record.description += note
    return record
