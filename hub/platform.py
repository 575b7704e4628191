"""The Platform contract every source plugin implements, and the shapes it exchanges.

A platform reads one kind of repository (generic OAI-PMH, DSpace, EPrints, a feed...).
The pipeline hands it a :class:`SourceConfig` (a snapshot of the repository row, so
plugins never touch the database) and an HTTP client with the hub's safety rules; the
platform yields :class:`Page` objects, each carrying an opaque checkpoint the pipeline
stores after importing the page, and turns each :class:`HarvestedItem` into a
:class:`~hub.normalise.record.NormalisedRecord`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from hub.normalise.record import FileLink, NormalisedRecord

if TYPE_CHECKING:
    from hub.http import HttpClient


@dataclass(frozen=True)
class SourceConfig:
    """What a platform knows of the repository it harvests."""

    id: int
    base_url: str
    metadata_prefix: str = "oai_dc"
    sets_include: tuple[str, ...] = ()
    sets_exclude: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    granularity: str = ""

    @classmethod
    def from_repository(cls, repo: Any) -> SourceConfig:
        return cls(
            id=repo.id, base_url=repo.base_url, metadata_prefix=repo.metadata_prefix or "oai_dc",
            sets_include=tuple(repo.sets_include or ()), sets_exclude=tuple(repo.sets_exclude or ()),
            options=dict(repo.options or {}), granularity=repo.granularity or "",
        )


@dataclass
class HarvestedItem:
    """One record as the source sent it. ``error`` set means it could not be read and is quarantined."""

    source_identifier: str
    datestamp: str = ""
    deleted: bool = False
    sets: list[str] = field(default_factory=list)
    metadata_format: str = ""
    raw_metadata: str = ""  # the metadata element, verbatim XML ('' for deletions)
    metadata: Any = None  # parsed form for the crosswalk (an lxml element, a dict...), not stored
    error: str = ""
    error_kind: str = ""
    raw_bytes: bytes | None = None  # the offending bytes of a broken item, kept verbatim
    about: list[str] = field(default_factory=list)  # OAI-PMH <about> contents, verbatim XML
    # What was mended to read the item (characters illegal in XML dropped, ...); the importer notes each
    # repair on the run, with ``raw_bytes`` holding the item as the source sent it.
    repairs: list[str] = field(default_factory=list)
    list_set: str | None = None  # the set whose list delivered the item (None: the whole repository)


@dataclass
class Notice:
    """Something a gather step wants recorded on the run (a fallback taken, a quirk met)."""

    kind: str
    message: str


@dataclass
class Page:
    """One page of a source: its items and the checkpoint to resume after it."""

    items: list[HarvestedItem]
    checkpoint: dict[str, Any]
    response_date: str = ""  # the source's own clock
    notices: list[Notice] = field(default_factory=list)
    list_set: str | None = None  # the set whose list this page belongs to (None: the whole repository)
    list_done: bool = False  # the last page of that list: a full harvest may prune memberships of list_set


@dataclass
class CheckFinding:
    """One finding of a repository check; problems say what to change in both languages."""

    key: str
    ok: bool
    detail: str
    advice_en: str = ""
    advice_zh: str = ""


@dataclass
class CheckReport:
    """What the hub can and cannot get from a repository."""

    reachable: bool
    findings: list[CheckFinding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # what the check learnt, merged into Repository.options

    @property
    def ok(self) -> bool:
        return self.reachable and all(f.ok for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "reachable": self.reachable, "facts": self.facts,
            "findings": [f.__dict__ for f in self.findings], "options": self.options,
        }


@dataclass(frozen=True)
class Probe:
    """A quick look at a source before it is registered: whether it answers as the platform's kind of
    repository (``detail`` says why not), and the name it gives itself (OAI-PMH's repositoryName)."""

    answers: bool
    detail: str = ""
    name: str = ""


class CapabilityMissing(NotImplementedError):
    """The platform cannot do what was asked of it (list its identifiers, fetch one record)."""


# (source identifier, datestamp, deleted) of one record a source lists.
SourceEntry = tuple[str, str, bool]


class Platform(ABC):
    """Base class of a source platform. Subclasses set ``name`` and ``label``.

    The abstract methods are what every platform does; the others are the optional capabilities
    the hub asks of a platform, each with the default a platform without it gets. The hub calls
    nothing else on a platform.
    """

    name: ClassVar[str]
    label: ClassVar[str] = ""  # shown in the admin area; empty: the name is shown
    description: ClassVar[str] = ""
    # Whether :meth:`fetch_item` works: completeness repair fetches records one by one with it.
    fetches_items: ClassVar[bool] = False
    # Whether :meth:`discover_files` asks the source's own API: the files stage then calls it per record.
    discovers_files: ClassVar[bool] = False

    def __init__(self, source: SourceConfig, http: HttpClient,
                 crosswalks: Mapping[str, Callable[[Any], NormalisedRecord]] | None = None) -> None:
        self.source = source
        self.http = http
        self.crosswalks = dict(crosswalks or {})

    @abstractmethod
    def gather(self, *, since: datetime | None, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        """Yield pages from ``checkpoint`` (a resumed run) or from ``since`` (None: everything).

        ``since`` already has the overlap subtracted; the platform formats it in the
        source's granularity. Each page's checkpoint must let a later call continue
        right after that page.
        """

    @abstractmethod
    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        """The normalised form of a harvested, non-deleted item."""

    def fulltext_links(self, item: HarvestedItem, record: NormalisedRecord) -> list[FileLink]:
        """Full-text candidates of a record; the default keeps what the crosswalk found."""
        return list(record.files)

    @abstractmethod
    def check(self) -> CheckReport:
        """Probe the repository and report what the hub can harvest from it."""

    # -- optional capabilities ---------------------------------------------------------------------

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """The checked form of a repository's ``options`` (ValueError with a clear message when they are
        invalid), asked at registration and on every edit. The default accepts them as they are."""
        return dict(options)

    @classmethod
    def reads_format(cls, prefix: str, crosswalks: Mapping[str, Any],
                     options: Mapping[str, Any] | None = None) -> bool | None:
        """Whether this platform can turn records in metadata format ``prefix`` into normalised records,
        asked at registration before anything is fetched. None (the default): the platform harvests no
        metadata formats (a feed), so registration does not ask."""
        return None

    def fulltext_strategy(self) -> str:
        """One phrase saying how this platform finds a record's full texts (shown by the check)."""
        return "file links in the records"

    def list_source_identifiers(self) -> Iterator[SourceEntry]:
        """Every record the source lists (its sets honoured), for the completeness check.

        The default raises :class:`CapabilityMissing`: the platform cannot list its source.
        """
        raise CapabilityMissing(f"the {self.name} platform cannot list its source's identifiers")

    def discover_files(self, source_identifier: str, links: list[FileLink]) -> list[FileLink]:
        """A record's full-text files as the source's own API lists them (set ``discovers_files`` when
        implemented). The files stage asks, never the import: no request is made while a page's
        transaction is open. ``links`` are those the record itself gave; the default keeps them.
        Raises :class:`~hub.http.HarvestError` when the API fails (the record's own links then stand).
        """
        return list(links)

    def fetch_item(self, identifier: str) -> HarvestedItem:
        """One record fetched by its source identifier (set ``fetches_items`` when implemented).

        The default raises :class:`CapabilityMissing`: the platform fetches whole lists only.
        """
        raise CapabilityMissing(f"the {self.name} platform cannot fetch a single record")

    def probe(self) -> Probe:
        """Whether the source answers as this platform at all (registration refuses it otherwise), and
        its own name. Platforms answer with one cheap request; this default runs :meth:`check` and
        takes its reachability and its ``repository_name`` fact."""
        report = self.check()
        failed = next((f.detail for f in report.findings if not f.ok), "it does not answer")
        return Probe(report.reachable, "" if report.reachable else failed,
                     str(report.facts.get("repository_name") or ""))
