"""Fault injection for the sample repositories: the failures real repositories show harvesters.

A fault is written as a spec string, shared by the CLI (`chair sample-repos --fault ...`), the demo and
the tests. Grammar (items separated by ':'; one bare item names the kind, the others are key=value):

    spec     := item (':' item)*
    item     := kind | 'page=' N | 'times=' (N | 'always') | 'repo=' slug | 'verb=' Verb(','Verb)*
              | 'retry-after=' SECONDS | 'retry-after-date=' SECONDS | 'char=' HEX

    page=N            the 1-based page of a list request (ListRecords/ListIdentifiers) it fires on;
                      page 1 is the request without a resumptionToken. Omitted: any page.
    times=N           fire on the first N matching requests, then behave (a transient fault);
                      'always' (or 0) fires every time. The default depends on the kind (below).
    repo=slug         only this repository (default: every repository the spec is attached to).
    verb=V1,V2        the verbs it applies to (default ListRecords,ListIdentifiers).

Kinds (default `times` in brackets):

    html-login        HTTP 200 with an HTML login page instead of XML                       [1]
    empty-body        HTTP 200 with an empty body                                            [1]
    truncated         HTTP 200 with the first half of the real body                          [1]
    http500           HTTP 500 with an empty body                                            [1]
    http504           HTTP 504 with a gateway's HTML error page                              [1]
    http429           HTTP 429; with retry-after=S a Retry-After header                      [1]
    http503           HTTP 503 with Retry-After: S seconds (retry-after=S, default 1) or an
                      HTTP date S seconds ahead (retry-after-date=S)                         [1]
    bad-token         badResumptionToken for the token of page N (the token expired; the
                      harvester must restart the list from its original from=)             [1]
    illegal-char      one record of page N carries an XML-illegal character (char=0b by
                      default; ListRecords only) inside its dc:description                  [always]
    broken-record     one record of page N is not well-formed XML even without illegal characters
                      (an unclosed element inside its dc:description; ListRecords only)    [always]
    repeat-token      from page N on (N >= 2), the response repeats the token it was asked for [always]
    past-size         the last page still carries a token; pages past completeListSize hold
                      no records and carry yet another token, forever                       [always]
    empty-page        page N holds zero records but carries a token (to the real page N)    [always]
    reject-seconds    Identify declares seconds granularity, but from/until with a time part
                      get badArgument                                                       [always]

Examples: "page=3:http503:retry-after=1:times=2", "repo=donghai:page=2:illegal-char:char=1b",
"http503:retry-after-date=2", "page=2:bad-token".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from enum import StrEnum
from time import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.samples.catalog import SampleRepository


class FaultKind(StrEnum):
    """What goes wrong."""

    HTML_LOGIN = "html-login"
    EMPTY_BODY = "empty-body"
    TRUNCATED = "truncated"
    HTTP500 = "http500"
    HTTP504 = "http504"
    HTTP429 = "http429"
    HTTP503 = "http503"
    BAD_TOKEN = "bad-token"
    ILLEGAL_CHAR = "illegal-char"
    BROKEN_RECORD = "broken-record"
    REPEAT_TOKEN = "repeat-token"
    PAST_SIZE = "past-size"
    EMPTY_PAGE = "empty-page"
    REJECT_SECONDS = "reject-seconds"


TRANSIENT_KINDS = frozenset({
    FaultKind.HTML_LOGIN, FaultKind.EMPTY_BODY, FaultKind.TRUNCATED, FaultKind.HTTP500, FaultKind.HTTP504,
    FaultKind.HTTP429, FaultKind.HTTP503, FaultKind.BAD_TOKEN,
})
HTTP_KINDS = frozenset({FaultKind.HTTP500, FaultKind.HTTP504, FaultKind.HTTP429, FaultKind.HTTP503})
LIST_VERBS = ("ListRecords", "ListIdentifiers")


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar."""


@dataclass
class Fault:
    """One configured fault; `fired` counts how often it has fired (thread-safe)."""

    kind: FaultKind
    page: int | None = None
    times: int | None = 1  # None = always
    repo: str | None = None
    verbs: tuple[str, ...] = LIST_VERBS
    retry_after: int | None = None
    retry_after_date: int | None = None
    char: str = "\x0b"
    fired: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def applies(self, verb: str, page: int) -> bool:
        """Whether the fault concerns this verb and page (without consuming an attempt)."""
        return verb in self.verbs and (self.page is None or self.page == page)

    def fire(self, verb: str, page: int) -> bool:
        """Consume one attempt if the fault fires on this request; True when it fires."""
        if not self.applies(verb, page):
            return False
        with self._lock:
            if self.times is not None and self.fired >= self.times:
                return False
            self.fired += 1
            return True

    def reset(self) -> None:
        """Forget past firings (the fault fires `times` times again)."""
        with self._lock:
            self.fired = 0


def parse_fault(spec: str) -> Fault:
    """Parse one fault spec (see the module docstring for the grammar)."""
    kind: FaultKind | None = None
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(":"))):
        if "=" in item:
            key, _, value = item.partition("=")
            options[key.strip().lower()] = value.strip()
        elif kind is None:
            try:
                kind = FaultKind(item.lower())
            except ValueError:
                raise FaultSpecError(f"unknown fault kind {item!r} in {spec!r}; known: "
                                     + ", ".join(k.value for k in FaultKind)) from None
        else:
            raise FaultSpecError(f"two fault kinds in {spec!r}")
    if kind is None:
        raise FaultSpecError(f"no fault kind in {spec!r}")
    fault = Fault(kind, times=1 if kind in TRANSIENT_KINDS else None)
    try:
        for key, value in options.items():
            if key == "page":
                fault.page = int(value)
            elif key == "times":
                fault.times = None if value.lower() in ("always", "forever", "0") else int(value)
            elif key == "repo":
                fault.repo = value
            elif key == "verb":
                fault.verbs = tuple(filter(None, value.split(",")))
            elif key == "retry-after":
                fault.retry_after = int(value)
            elif key == "retry-after-date":
                fault.retry_after_date = int(value)
            elif key == "char":
                fault.char = chr(int(value, 16))
            else:
                raise FaultSpecError(f"unknown key {key!r} in {spec!r}")
    except ValueError as exc:
        if isinstance(exc, FaultSpecError):
            raise
        raise FaultSpecError(f"bad value in {spec!r}: {exc}") from None
    if fault.page is not None and fault.page < 1:
        raise FaultSpecError(f"page must be >= 1 in {spec!r}")
    return fault


def parse_faults(specs: list[str] | tuple[str, ...]) -> list[Fault]:
    """Parse several fault specs."""
    return [parse_fault(spec) for spec in specs]


@dataclass(frozen=True)
class FaultResponse:
    """A complete HTTP answer that replaces the real one."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>\xe7\x99\xbb\xe5\xbd\x95 Login</title></head>
<body><h1>Central Authentication Service</h1>
<form method="post" action="/cas/login"><label>User <input name="username"></label>
<label>Password <input type="password" name="password"></label><button>Sign in</button></form>
</body></html>
"""
GATEWAY_PAGE = (b"<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
                b"Time-out</h1></center><hr><center>nginx</center></body></html>\n")


def http_fault_response(fault: Fault) -> FaultResponse:
    """The HTTP answer of an HTTP-level fault (the http* kinds, html-login, empty-body)."""
    html = (("Content-Type", "text/html; charset=utf-8"),)
    if fault.kind is FaultKind.HTML_LOGIN:
        return FaultResponse(200, html, LOGIN_PAGE)
    if fault.kind is FaultKind.EMPTY_BODY:
        return FaultResponse(200, (("Content-Type", "text/xml;charset=UTF-8"),), b"")
    if fault.kind is FaultKind.HTTP500:
        return FaultResponse(500, (), b"")
    if fault.kind is FaultKind.HTTP504:
        return FaultResponse(504, html, GATEWAY_PAGE)
    retry: tuple[tuple[str, str], ...] = ()
    if fault.retry_after_date is not None:
        retry = (("Retry-After", formatdate(time() + fault.retry_after_date, usegmt=True)),)
    elif fault.retry_after is not None or fault.kind is FaultKind.HTTP503:
        retry = (("Retry-After", str(fault.retry_after if fault.retry_after is not None else 1)),)
    status = 429 if fault.kind is FaultKind.HTTP429 else 503
    return FaultResponse(status, html + retry, f"<html><body><h1>{status}</h1></body></html>".encode())


def truncate_body(body: bytes) -> bytes:
    """The first half of a body (a connection that died mid-transfer)."""
    return body[: len(body) // 2]


def faults_for(faults: list[Fault], slug: str) -> list[Fault]:
    """The faults that concern one repository."""
    return [f for f in faults if f.repo in (None, slug)]


def attach_faults(repos: list[SampleRepository], specs: list[str] | tuple[str, ...]) -> None:
    """Parse `specs` and add them to the repositories they name (each repository gets its own copy,
    with its own counters); a spec without `repo=` goes to every repository."""
    slugs = {repo.slug for repo in repos}
    for spec in specs:
        probe = parse_fault(spec)
        if probe.repo is not None and probe.repo not in slugs:
            raise FaultSpecError(f"no repository {probe.repo!r} for fault {spec!r}")
        for repo in repos:
            if probe.repo in (None, repo.slug):
                repo.faults.append(parse_fault(spec))
