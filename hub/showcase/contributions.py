"""Contributions: the units (records, works, researchers) counted under each key of each figure.

A figure's row (:mod:`hub.models.showcase`) counts units: records for disciplines by member and year,
for a discipline's subjects and its researchers; works for disciplines meeting in one work and for
members sharing works; researchers for members sharing researchers. :class:`Contribution` holds one
row per (figure, key, unit): the record facts exploded along their lists (disciplines, subjects,
researchers) and, for works and researchers, what their records' facts make of them (the members
and disciplines a work gathers, the members a researcher has). It is derived from
:class:`hub.models.showcase.RecordFacts` only, so that every aggregate row is one ``GROUP BY`` over
this table restricted to its keys (an index range: ``figure, key`` is the primary key's prefix), on
SQLite and PostgreSQL alike (no JSON functions), and a refresh recomputes exactly the keys its
records touched, old facts and new.

Keys are text, their parts joined by ``|`` (:func:`key_of`, :func:`parts_of`):

=============  =============================  ==========  ===================================
figure         key                            unit        aggregate
=============  =============================  ==========  ===================================
YEAR           discipline | member | year      record      DisciplineYear (member rows)
SUBJECT        discipline | subject            record      DisciplineSubject
RESEARCHER     discipline | researcher         record      DisciplineResearcher
MEMBER         researcher (``member`` set)     record      a researcher's members (main member)
CO_RESEARCHER  member a | member b             researcher  Collaboration.researchers
CO_WORK        member a | member b             work key    Collaboration.works
PAIR           member (0: network) | a | b     work key    DisciplinePair
=============  =============================  ==========  ===================================

A work key is the work's id, or minus the record's id for a record in no work yet (it counts as its
own work).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, enum_column

SEPARATOR = "|"


class Figure(StrEnum):
    """Which figure a contribution counts towards (see the module's table)."""

    YEAR = "year"
    SUBJECT = "subject"
    RESEARCHER = "researcher"
    MEMBER = "member"
    CO_RESEARCHER = "co-researcher"
    CO_WORK = "co-work"
    PAIR = "pair"


RECORD_FIGURES = (Figure.YEAR, Figure.SUBJECT, Figure.RESEARCHER, Figure.MEMBER)  # unit: a record id
WORK_FIGURES = (Figure.CO_WORK, Figure.PAIR)  # unit: a work key


class Contribution(Base):
    """One unit counted under one key of one figure."""

    __tablename__ = "showcase_contribution"
    __table_args__ = (Index("ix_showcase_contribution_unit", "unit", "figure"), {"sqlite_with_rowid": False})

    figure: Mapped[Figure] = mapped_column(enum_column(Figure), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    unit: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[int] = mapped_column(Integer, default=0)  # MEMBER: the record's member
    open_access: Mapped[int] = mapped_column(SmallInteger, default=0)  # YEAR: 1 when the record is open access
    fulltext: Mapped[int] = mapped_column(SmallInteger, default=0)  # YEAR: 1 when the hub holds its full text


def key_of(*parts: object) -> str:
    """The key of these parts (``"0812|3|2019"``)."""
    return SEPARATOR.join(str(p) for p in parts)


def parts_of(key: str, count: int) -> list[str]:
    """The ``count`` parts of a key (the last part may hold the separator: a subject)."""
    return key.split(SEPARATOR, count - 1)


def work_key(record_id: int, work_id: int | None) -> int:
    """The unit of a record's work: its work id, or minus its own id when it is in no work."""
    return work_id if work_id else -record_id
