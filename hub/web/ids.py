"""Ids in URLs and forms: whole numbers the database can hold, or not found; no NUL in any text.

Every table's id is a 32-bit ``INTEGER`` on PostgreSQL (SQLite takes 64 bits); a larger number
sent in a path (``/records/99999999999999999999``) or a form makes the driver raise
(OverflowError, DataError) instead of finding nothing. :class:`IdConverter` replaces Werkzeug's
``int`` converter on the whole application (every ``<int:...>`` rule), so such a path matches no
route and answers 404; :func:`form_id` reads an id from a form or query value.

PostgreSQL text cannot hold a NUL character (the driver raises DataError): :class:`TextConverter`
(every ``<name>`` and ``<string:name>`` rule) matches no path segment holding one, and a query or
form value holding one is a 400, except at the OAI-PMH endpoint, which answers every bad argument
itself (``badArgument``, HTTP 200).
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError

MAX_ID = 2**31 - 1  # the largest INTEGER of PostgreSQL, the narrower of the two databases


class IdConverter(IntegerConverter):
    """``<int:name>`` limited to 0..MAX_ID (an explicit ``max`` stays, capped at MAX_ID)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - Werkzeug's names
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        upper = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=0 if min is None else min, max=upper, signed=signed)


class TextConverter(UnicodeConverter):
    """``<name>``: a path segment without NUL characters."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return value


def refuse_nul() -> None:
    """400 for a request whose query or form values (or names) hold a NUL character."""
    if request.blueprint == "oai_provider":
        return
    for values in (request.args, request.form) if request.method == "POST" else (request.args,):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, "a NUL character is not allowed in a request")


def form_id(value: object) -> int:
    """An id from a form or query value; ValueError unless it is a whole number in 0..MAX_ID."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError(f"not an id: {text[:40]!r}")
    number = int(text)
    if number > MAX_ID:
        raise ValueError(f"not an id: {text[:40]!r}")
    return number


def install(app: Flask) -> None:
    """Make every ``<int:...>`` rule of ``app`` bounded and refuse NUL characters (call before any
    blueprint is registered)."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.before_request(refuse_nul)
