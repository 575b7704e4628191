"""The showcase's figures (成果·学科·合作), kept up to date by the showcase stage, never computed per request.

- :class:`RecordFacts`: what one live record of a live repository contributes: its member, year,
  disciplines, open access and full text, work and researchers. The stage rewrites the facts of the
  records it is given (a deleted record, or one of a removed repository, loses its row) and then
  recomputes only the aggregate rows those records touched, old facts and new, from this table.
- :class:`DisciplineYear`: records per (discipline, member, year); ``institution_id`` 0 is the whole
  network, ``year`` 0 an unknown year. Output by year, growth, open-access and full-text share.
- :class:`DisciplineResearcher`: a researcher's records in a discipline (most active researchers).
- :class:`DisciplineSubject`: records per subject inside a discipline (its subjects).
- :class:`Collaboration`: two members (``institution_a`` < ``institution_b``) sharing works (a work
  held by both members' records, or a record whose researchers belong to both) and researchers
  (linked from both members' authorships).
- :class:`DisciplinePair`: works (records not yet in a work count as their own work) classified in
  both disciplines (``discipline_a`` < ``discipline_b``), per member (``institution_id``) and for the
  network (0): which disciplines meet.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, JSONType

NETWORK = 0  # institution_id of the network-wide rows


class RecordFacts(Base):
    """One live record's contribution to the showcase's figures."""

    __tablename__ = "record_facts"
    __table_args__ = (Index("ix_record_facts_institution_breadth", "institution_id", "breadth"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), primary_key=True)
    institution_id: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer, default=0)  # 0: unknown
    disciplines: Mapped[list[str]] = mapped_column(JSONType, default=list)  # first-level codes (four digits)
    breadth: Mapped[int] = mapped_column(Integer, default=0, index=True)  # len(disciplines): works crossing most
    subjects: Mapped[list[str]] = mapped_column(JSONType, default=list)  # canonical subject values, at most 10
    open_access: Mapped[bool] = mapped_column(Boolean, default=False)
    fulltext: Mapped[bool] = mapped_column(Boolean, default=False)
    work_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    researchers: Mapped[list[int]] = mapped_column(JSONType, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # title, type: for lists without a join


class DisciplineYear(Base):
    """Records of one discipline at one member (0: the network) in one year (0: unknown)."""

    __tablename__ = "discipline_year"

    discipline: Mapped[str] = mapped_column(String(4), primary_key=True)
    institution_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    records: Mapped[int] = mapped_column(Integer, default=0)
    open_access: Mapped[int] = mapped_column(Integer, default=0)
    fulltext: Mapped[int] = mapped_column(Integer, default=0)


class DisciplineResearcher(Base):
    """A researcher's records in one discipline."""

    __tablename__ = "discipline_researcher"
    __table_args__ = (Index("ix_discipline_researcher_rank", "discipline", "records"),)

    discipline: Mapped[str] = mapped_column(String(4), primary_key=True)
    researcher_id: Mapped[int] = mapped_column(ForeignKey("researcher.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)  # a researcher's rows (its main member moved, cascades)
    institution_id: Mapped[int] = mapped_column(Integer, default=0)  # the researcher's main member
    records: Mapped[int] = mapped_column(Integer, default=0)


class DisciplineSubject(Base):
    """Records with one subject inside one discipline, network-wide."""

    __tablename__ = "discipline_subject"
    __table_args__ = (Index("ix_discipline_subject_rank", "discipline", "records"),)

    discipline: Mapped[str] = mapped_column(String(4), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    records: Mapped[int] = mapped_column(Integer, default=0)


class Collaboration(Base):
    """Two members working together: shared works and researchers (``institution_a < institution_b``)."""

    __tablename__ = "collaboration"

    institution_a: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_b: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    works: Mapped[int] = mapped_column(Integer, default=0)
    researchers: Mapped[int] = mapped_column(Integer, default=0)


class DisciplinePair(Base):
    """Works classified in two disciplines at once (``discipline_a < discipline_b``), per member or network (0)."""

    __tablename__ = "discipline_pair"

    institution_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    discipline_a: Mapped[str] = mapped_column(String(4), primary_key=True)
    discipline_b: Mapped[str] = mapped_column(String(4), primary_key=True)
    works: Mapped[int] = mapped_column(Integer, default=0)
