"""Declarative base, UTC timestamps and column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL, JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def enum_column(cls: type[StrEnum], length: int = 16) -> Enum:
    """The column type of a state or kind: its Enum's values as plain strings (VARCHAR(length)).

    No native database enum, so adding a member needs no migration; the stored strings are the
    members' values, the same on SQLite and PostgreSQL.
    """
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def utcnow() -> datetime:
    """Now, in UTC, without microseconds (OAI-PMH works in seconds)."""
    return datetime.now(UTC).replace(microsecond=0)


def utcnow_precise() -> datetime:
    """Now, in UTC, to the microsecond: for when a run started and finished (its duration), never for a
    datestamp a harvester compares with OAI-PMH's seconds."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored naive in UTC and always returned timezone-aware (UTC).

    SQLite has no time zones; storing naive UTC everywhere keeps comparisons and
    keyset cursors identical on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Base of every model; constraint names are deterministic for migrations."""

    metadata = MetaData(naming_convention=NAMING)
