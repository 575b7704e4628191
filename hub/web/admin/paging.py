"""Pagination and filter parsing of the admin lists (repositories, quality problems, works, audit).

A list page reads ``?page=N`` (1-based, bad input falls back to 1) and shows ``PER_PAGE`` rows;
:class:`Page` carries what the pager macro needs. Filters read from the query string never raise:
an unknown value is treated as no filter, and :func:`choice` says so to the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from flask import request

from hub.web.ids import form_id

PER_PAGE = 50
T = TypeVar("T")
E = TypeVar("E", bound=Enum)


@dataclass
class Page(Generic[T]):
    """One page of a list: its rows, its number and how many rows the whole list holds."""

    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        """The 1-based position of the page's first row (0 on an empty list)."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.per_page)


def int_arg(name: str) -> int | None:
    """The query-string value ``name`` as an id; None when missing or unreadable."""
    value = request.args.get(name, "")
    try:
        return form_id(value) if value else None
    except ValueError:
        return None


def page_number() -> int:
    """``?page=`` as a positive integer (1 when missing or unreadable)."""
    number = int_arg("page")
    return number if number and number > 0 else 1


def paginate(rows: Sequence[T], per_page: int = PER_PAGE) -> Page[T]:
    """The requested page of a list already in memory (a page past the end shows the last one)."""
    total = len(rows)
    number = min(page_number(), max(1, -(-total // per_page)))
    start = (number - 1) * per_page
    return Page(rows[start:start + per_page], number, per_page, total)


def choice(name: str, enum: type[E]) -> E | None:
    """The query-string value ``name`` as a member of ``enum``; None when missing or unknown."""
    value = request.args.get(name, "")
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def query_without_page() -> dict[str, Any]:
    """The current query string without ``page`` (the pager's links keep the filters)."""
    return {k: v for k, v in request.args.items() if k != "page"}
