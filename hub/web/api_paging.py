"""The one pagination style of every list in the JSON API (/api/v1).

Every list takes ``page`` (1, 2, ...) and ``per_page`` (1-100) and answers with the same fields:
``total`` (items in the whole list), ``page``, ``per_page``, ``pages`` and ``links`` — ``self``,
``first``, ``last``, and ``next`` / ``prev`` when there is such a page. A client pages on by
following ``links.next`` until it is absent; it never builds the next URL itself.

Older parameters keep working: ``size`` (search) and ``limit`` (records) are other names of
``per_page``; ``after`` (records) continues after a record id — the records list's ``links.next``
carries it, so that its last page costs what its first page costs (a keyset, not an offset).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, request

MAX_PER_PAGE = 100
T = TypeVar("T")


def int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    """The whole-number argument ``name`` of the request, between ``low`` and ``high`` (a 400
    otherwise); ``default`` when it is absent or empty."""
    raw = request.args.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, f"{name} must be a whole number")
    if not low <= value <= high:
        abort(400, f"{name} must be between {low} and {high}")
    return value


@dataclass(frozen=True)
class PageRequest:
    """The page a list request asks for: ``page`` (None when only ``after`` says where) and ``per_page``."""

    page: int | None
    per_page: int

    @property
    def offset(self) -> int:
        """Items before this page (numbered pages)."""
        return ((self.page or 1) - 1) * self.per_page


def page_request(default_per_page: int, aliases: Sequence[str] = (), numbered: bool = True) -> PageRequest:
    """``page`` and ``per_page`` of the request (``aliases`` are older names of ``per_page``);
    ``numbered=False``: the page is None unless ``page`` is given (a list continued by a cursor)."""
    per_page = int_arg("per_page", None, 1, MAX_PER_PAGE)
    for alias in aliases:
        if per_page is None:
            per_page = int_arg(alias, None, 1, MAX_PER_PAGE)
    page = int_arg("page", 1 if numbered else None, 1, 2**31)
    return PageRequest(page, per_page or min(default_per_page, MAX_PER_PAGE))


def pages_of(total: int, per_page: int) -> int:
    """Pages of a list of ``total`` items (at least one: an empty list has one empty page)."""
    return max(1, -(-total // per_page))


def envelope(total: int, wanted: PageRequest, url: Callable[..., str], args: dict[str, Any],
             next_args: dict[str, Any] | None = None) -> dict[str, Any]:
    """The paging fields of a list answer: total, page, per_page, pages and links.

    ``url(**arguments)`` builds a URL of this list; ``args`` are the request's own filters;
    ``next_args`` the arguments of the next page when there is one (None: there is none).
    """
    pages = pages_of(total, wanted.per_page)
    common = {**args, "per_page": wanted.per_page}
    self_args = {**common, **({"page": wanted.page} if wanted.page else {}),
                 **({"after": request.args["after"]} if request.args.get("after") else {})}
    links = {"self": url(**self_args), "first": url(**common, page=1), "last": url(**common, page=pages)}
    if next_args is not None:
        links["next"] = url(**common, **next_args)
    if wanted.page and wanted.page > 1:
        links["prev"] = url(**common, page=min(wanted.page - 1, pages))
    return {"total": total, "page": wanted.page, "per_page": wanted.per_page, "pages": pages, "links": links}


def paged_list(items: list[T], wanted: PageRequest, url: Callable[..., str], args: dict[str, Any],
               render: Callable[[T], Any]) -> dict[str, Any]:
    """An answer of a list held whole in memory (institutions, repositories, dumps): one page of
    ``items``, each through ``render``, with the paging fields."""
    page = wanted.page or 1
    chosen = items[wanted.offset:wanted.offset + wanted.per_page]
    following = {"page": page + 1} if wanted.offset + wanted.per_page < len(items) else None
    return {**envelope(len(items), wanted, url, args, following), "items": [render(x) for x in chosen]}
