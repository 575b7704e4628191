"""The demo catalog: fictional member institutions and their sample repositories.

A `SampleRepository` describes one simulated member repository: its URL slug, its platform style
(DSpace XOAI or EPrints), how many records it holds, the seed its records are generated from, and the
quirks it shows (milliseconds in datestamps, transient deletions, faults). Nothing here holds records:
`hub.samples.records.generate_record(repo, i)` builds record i on demand.

`demo_repositories()` returns fresh copies of the catalog, so a test or the demo can change counts,
revisions and faults without touching the module-level data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.samples.faults import Fault


class RepositoryStyle(StrEnum):
    """Which platform a sample repository imitates."""

    DSPACE = "dspace"
    EPRINTS = "eprints"


@dataclass(frozen=True)
class SampleInstitution:
    """A fictional member institution (bilingual names, province, website) and the subjects it is
    strongest in (indexes into ``hub.samples.vocabulary.SUBJECTS_ZH``/``SUBJECTS_EN``)."""

    slug: str
    name_en: str
    name_zh: str
    region: str
    region_zh: str
    website: str
    contact_email: str
    focus: tuple[int, ...] = ()


@dataclass
class SampleRepository:
    """A simulated member repository; records are generated from (seed, index) on demand.

    `revision` may be raised at run time: every `touch_every`-th record then gets a later datestamp and
    a changed description, so incremental harvests have something to pick up.
    """

    slug: str
    style: RepositoryStyle
    records: int
    seed: int
    institution: SampleInstitution
    domain: str  # the host named in oai identifiers, e.g. oai:<domain>:123456789/17
    name: str = ""
    page_size: int = 100
    deleted_every: int = 97  # record i is deleted when i % deleted_every == deleted_every - 1
    no_file_every: int = 3  # record i has no full text when i % no_file_every == no_file_every - 1
    revision: int = 0
    touch_every: int = 10
    duplicates_of: SampleRepository | None = None  # every `duplicate_every`-th record reuses its work
    duplicate_every: int = 50
    milliseconds: bool = False  # DSpace 5+ style datestamps with milliseconds
    deleted_record: str = "persistent"  # Identify's deletedRecord: persistent or transient
    has_sets: bool = True
    faults: list[Fault] = field(default_factory=list)

    @property
    def oai_path(self) -> str:
        """The path of the OAI-PMH endpoint under the server root."""
        if self.style is RepositoryStyle.DSPACE:
            return f"/{self.slug}/oai/request"
        return f"/{self.slug}/cgi/oai2"

    def base_url(self, server_url: str) -> str:
        """The OAI-PMH base URL of this repository on a server rooted at `server_url`."""
        return server_url.rstrip("/") + self.oai_path

    @property
    def display_name(self) -> str:
        """The repository's name as Identify reports it."""
        return self.name or f"{self.institution.name_en} Repository"


DONGHAI = SampleInstitution(
    "donghai", "Donghai University", "东海大学", "Shanghai", "上海",
    "https://www.donghai.example.edu.cn", "repository@donghai.example.edu.cn", (0, 1, 4))
XILING = SampleInstitution(
    "xiling", "Xiling University of Technology", "西岭理工大学", "Sichuan", "四川",
    "https://www.xiling.example.edu.cn", "library@xiling.example.edu.cn", (6, 8, 0))
NANHU = SampleInstitution(
    "nanhu", "Nanhu Normal University", "南湖师范大学", "Hubei", "湖北",
    "https://www.nanhu.example.edu.cn", "ir@nanhu.example.edu.cn", (5, 9, 4))
BEISHAN = SampleInstitution(
    "beishan", "Beishan Agricultural University", "北山农业大学", "Heilongjiang", "黑龙江",
    "https://www.beishan.example.edu.cn", "eprints@beishan.example.edu.cn", (3, 2))
YUNLING = SampleInstitution(
    "yunling", "Yunling Medical University", "云岭医科大学", "Yunnan", "云南",
    "https://www.yunling.example.edu.cn", "oai@yunling.example.edu.cn", (7, 1))

INSTITUTIONS: tuple[SampleInstitution, ...] = (DONGHAI, XILING, NANHU, BEISHAN, YUNLING)


def demo_repositories(records: int | None = None) -> list[SampleRepository]:
    """Fresh copies of the demo catalog; `records` overrides every repository's record count."""
    donghai = SampleRepository(
        "donghai", RepositoryStyle.DSPACE, 240, 1101, DONGHAI, "dspace.donghai.example.edu.cn",
        name="东海大学机构知识库 Donghai University Institutional Repository")
    xiling = SampleRepository(
        "xiling", RepositoryStyle.EPRINTS, 180, 2202, XILING, "eprints.xiling.example.edu.cn",
        name="西岭理工大学学术典藏 Xiling Tech ePrints", deleted_record="transient")
    nanhu = SampleRepository(
        "nanhu", RepositoryStyle.DSPACE, 300, 3303, NANHU, "ir.nanhu.example.edu.cn",
        name="南湖师范大学机构知识库 Nanhu Normal University Repository", duplicates_of=donghai)
    beishan = SampleRepository(
        "beishan", RepositoryStyle.EPRINTS, 150, 4404, BEISHAN, "eprints.beishan.example.edu.cn",
        name="北山农业大学学术仓储 Beishan Agricultural University ePrints", duplicates_of=xiling)
    yunling = SampleRepository(
        "yunling", RepositoryStyle.DSPACE, 200, 5505, YUNLING, "dspace.yunling.example.edu.cn",
        name="云岭医科大学机构知识库 Yunling Medical University DSpace", milliseconds=True)
    repos = [donghai, xiling, nanhu, beishan, yunling]
    if records is not None:
        for repo in repos:
            repo.records = records
    return repos


def find_repository(repos: list[SampleRepository], slug: str) -> SampleRepository:
    """The repository with this slug (KeyError when there is none)."""
    for repo in repos:
        if repo.slug == slug:
            return repo
    raise KeyError(slug)


def copy_repository(repo: SampleRepository, **changes: object) -> SampleRepository:
    """A copy of `repo` with some fields changed (its faults list is copied, not shared)."""
    changes.setdefault("faults", list(repo.faults))
    return dataclasses.replace(repo, **changes)  # type: ignore[arg-type]
