"""Validation of OAI-PMH requests: the verb, its required, optional and exclusive arguments, dates.

A request is a multi-dict of arguments (the query string of a GET, the form body of a POST).
Missing, repeated and unknown arguments are ``badArgument``; a missing, repeated or unknown verb is
``badVerb``. ``from`` and ``until`` are accepted at day (``YYYY-MM-DD``) and at seconds
(``YYYY-MM-DDThh:mm:ssZ``) granularity; mixing both in one request, an impossible date, and
``from`` later than ``until`` are ``badArgument``. A day ``until`` covers its whole day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from oai.provider.errors import ErrorCode, OAIError


class Verb(StrEnum):
    """The six OAI-PMH verbs."""

    IDENTIFY = "Identify"
    LIST_METADATA_FORMATS = "ListMetadataFormats"
    LIST_SETS = "ListSets"
    GET_RECORD = "GetRecord"
    LIST_IDENTIFIERS = "ListIdentifiers"
    LIST_RECORDS = "ListRecords"


class Granularity(StrEnum):
    """The two datestamp granularities of OAI-PMH."""

    DAY = "YYYY-MM-DD"
    SECONDS = "YYYY-MM-DDThh:mm:ssZ"


# verb -> (required, optional, exclusive)
_ARGUMENTS: dict[Verb, tuple[frozenset[str], frozenset[str], str | None]] = {
    Verb.IDENTIFY: (frozenset(), frozenset(), None),
    Verb.LIST_METADATA_FORMATS: (frozenset(), frozenset({"identifier"}), None),
    Verb.LIST_SETS: (frozenset(), frozenset(), "resumptionToken"),
    Verb.GET_RECORD: (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    Verb.LIST_IDENTIFIERS: (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
    Verb.LIST_RECORDS: (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# One character of a URI reference (RFC 3986 unreserved, reserved but "#[]", a %-escape), or a
# non-ASCII character (an IRI; :func:`valid_identifier` also requires it to be printable).
_URI_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])"
IDENTIFIER_MAX = 1024
# Patterns of OAI-PMH.xsd (setSpecType, metadataPrefixType) and a conservative xs:anyURI (libxml2,
# which validates the echo, refuses a bare "%", a second "#", brackets outside a host, spaces and
# controls): an argument that does not fit is badArgument, since the response must echo it validly.
_SYNTAX = {
    "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*"),
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+"),
    "identifier": re.compile(rf"{_URI_CHAR}+(?:#{_URI_CHAR}*)?"),
}
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@dataclass(frozen=True)
class DateArgument:
    """A parsed ``from`` or ``until``: the instant it stands for and the granularity it was given in."""

    raw: str
    moment: datetime
    granularity: Granularity


@dataclass(frozen=True)
class OAIRequest:
    """A validated request: its verb and its single-valued arguments (verb excluded)."""

    verb: Verb
    arguments: dict[str, str]

    def get(self, name: str) -> str | None:
        """One argument, or None when absent."""
        return self.arguments.get(name)


def parse_date(raw: str, *, end_of_day: bool) -> DateArgument:
    """Parse a ``from``/``until`` value; a day stands for its first (or, for until, last) second."""
    if _SECONDS.fullmatch(raw):
        try:
            moment = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise OAIError(ErrorCode.BAD_ARGUMENT, f"{raw!r} is not a valid date and time") from exc
        return DateArgument(raw, moment, Granularity.SECONDS)
    if _DAY.fullmatch(raw):
        try:
            moment = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError as exc:
            raise OAIError(ErrorCode.BAD_ARGUMENT, f"{raw!r} is not a valid date") from exc
        if end_of_day:
            moment = moment.replace(hour=23, minute=59, second=59)
        return DateArgument(raw, moment, Granularity.DAY)
    raise OAIError(ErrorCode.BAD_ARGUMENT,
                   f"{raw!r} is neither YYYY-MM-DD nor YYYY-MM-DDThh:mm:ssZ")


def parse_request(values: Mapping[str, list[str]]) -> OAIRequest:
    """Validate the arguments of one request (name -> every value sent) or raise :class:`OAIError`."""
    verbs = values.get("verb") or []
    if len(verbs) != 1:
        raise OAIError(ErrorCode.BAD_VERB, "the verb argument is missing" if not verbs
                       else "the verb argument is repeated")
    try:
        verb = Verb(verbs[0])
    except ValueError:
        raise OAIError(ErrorCode.BAD_VERB, f"{verbs[0][:100]!r} is not an OAI-PMH verb") from None
    required, optional, exclusive = _ARGUMENTS[verb]
    arguments: dict[str, str] = {}
    for name, given in values.items():
        if name == "verb":
            continue
        if name not in required | optional and name != exclusive:
            raise OAIError(ErrorCode.BAD_ARGUMENT, f"{verb} does not take the argument {name[:100]!r}")
        if len(given) != 1:
            raise OAIError(ErrorCode.BAD_ARGUMENT, f"the argument {name!r} is repeated")
        arguments[name] = given[0]
    if exclusive and exclusive in arguments:
        if len(arguments) > 1:
            raise OAIError(ErrorCode.BAD_ARGUMENT, f"{exclusive} is an exclusive argument")
        return OAIRequest(verb, arguments)
    for name in _SYNTAX:
        if name in arguments and not valid_syntax(name, arguments[name]):
            # Never echoed: the value may hold what the response cannot carry (NUL, "<", controls).
            raise OAIError(ErrorCode.BAD_ARGUMENT, f"the value of the argument {name!r} is not a valid {name}")
    missing = sorted(required - arguments.keys())
    if missing:
        raise OAIError(ErrorCode.BAD_ARGUMENT, f"{verb} requires the argument {missing[0]!r}")
    if "from" in arguments or "until" in arguments:
        dates_in_range(arguments.get("from"), arguments.get("until"))
    return OAIRequest(verb, arguments)


def valid_syntax(name: str, value: str) -> bool:
    """Whether ``value`` fits the type OAI-PMH.xsd gives the argument ``name`` (``identifier`` is an
    ``xs:anyURI`` of at most ``IDENTIFIER_MAX`` characters, printable ones only)."""
    if name == "identifier" and (len(value) > IDENTIFIER_MAX or not value.isprintable()):
        return False
    return _SYNTAX[name].fullmatch(value) is not None


def dates_in_range(raw_from: str | None, raw_until: str | None) -> tuple[datetime | None, datetime | None]:
    """The instants ``from`` and ``until`` stand for, checking granularity and order."""
    start = parse_date(raw_from, end_of_day=False) if raw_from is not None else None
    end = parse_date(raw_until, end_of_day=True) if raw_until is not None else None
    if start and end:
        if start.granularity != end.granularity:
            raise OAIError(ErrorCode.BAD_ARGUMENT, "from and until must have the same granularity")
        if start.moment > end.moment:
            raise OAIError(ErrorCode.BAD_ARGUMENT, "from is later than until")
    return (start.moment if start else None), (end.moment if end else None)
