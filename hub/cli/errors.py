"""What the ``chair`` command prints when a command fails: one line on stderr, never a traceback.

Every exception that leaves a command is sorted into a :class:`Failure` kind and told as one line
(``Error: ...``) with exit status 1: a value the user gave, a setting of the wrong type, a database
URL that is not one, a database that does not answer (refused, down, an unresolvable host), a file
or folder the hub cannot use, and, last, an unexpected error (a bug), which names its exception and
how to see the traceback (``chair --traceback ...``). Messages never show a password held in a URL.
"""

from __future__ import annotations

import tomllib
from enum import Enum

import click
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from hub.config import SettingError
from hub.redaction import redact_text

MAX_MESSAGE = 600  # characters of one error line at most


class Failure(Enum):
    """The kinds of failure a command reports (each one line, exit status 1)."""

    INPUT = "input"  # a value on the command line or in a file the user named
    SETTING = "setting"  # a setting unknown or not of its type (the message names both)
    DATABASE_URL = "database-url"  # DATABASE_URL is not an SQLAlchemy URL, or names an unknown database
    DATABASE = "database"  # the database refused, is down, its host does not resolve, or a statement failed
    FILES = "files"  # a file or folder the hub cannot read or write
    UNEXPECTED = "unexpected"  # anything else: a bug, told in one line


class UserError(click.ClickException):
    """An error the user can fix: printed as one line, exit status 1."""

    def __init__(self, message: str, kind: Failure = Failure.INPUT) -> None:
        super().__init__(one_line(message))
        self.kind = kind


def one_line(text: str) -> str:
    """``text`` on one line (whitespace runs collapsed), passwords in URLs hidden, bounded in length."""
    line = " ".join(redact_text(str(text)).split())
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 1] + "…"


def is_control_flow(exc: BaseException) -> bool:
    """click's own exits: --help and a finished command raise Exit (a RuntimeError since click 8.2),
    Ctrl-C raises Abort, usage errors are ClickExceptions. They pass through untouched."""
    return isinstance(exc, (click.ClickException, click.exceptions.Exit, click.Abort))


def explain(exc: Exception, database_url: str = "") -> UserError:
    """The one-line error for an exception that left a command.

    ``database_url`` is the configured database (shown without its password) when the hub's settings
    were loaded; a database error then names it.
    """
    where = f" at {database_url}" if database_url else ""
    if isinstance(exc, SettingError):
        return UserError(str(exc), Failure.SETTING)
    if isinstance(exc, tomllib.TOMLDecodeError):
        return UserError(f"the instance's settings file (chair.toml in the instance folder) is not valid TOML: {exc}",
                         Failure.SETTING)
    if isinstance(exc, NoSuchModuleError):
        scheme = database_url.split(":", 1)[0] if database_url else "?"
        return UserError(f"the DATABASE_URL setting (CHAIR_DATABASE_URL) names a database the hub cannot use "
                         f"({scheme!r}): use sqlite:///PATH or postgresql://HOST/DATABASE",
                         Failure.DATABASE_URL)
    if isinstance(exc, ArgumentError) and "URL" in str(exc):
        return UserError(f"the DATABASE_URL setting (CHAIR_DATABASE_URL) is not a database URL: "
                         f"{database_url or '?'!r} (expected sqlite:///PATH or "
                         "postgresql://HOST/DATABASE)", Failure.DATABASE_URL)
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None and str(exc.orig).strip() else \
            type(exc).__name__
        return UserError(f"the database{where} failed: {reason} (check CHAIR_DATABASE_URL and that the database "
                         "server runs)", Failure.DATABASE)
    if isinstance(exc, SQLAlchemyError):
        return UserError(f"the database{where} failed: {exc}", Failure.DATABASE)
    if isinstance(exc, (LookupError, ValueError)):
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        return UserError(str(message), Failure.INPUT)
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return UserError(f"cannot use {exc.filename}: {exc.strerror}", Failure.FILES)
    if isinstance(exc, (OSError, RuntimeError)):
        return UserError(str(exc) or type(exc).__name__, Failure.INPUT)
    return UserError(f"unexpected {type(exc).__name__}: {exc} (a bug in the hub or a plugin: "
                     "run chair --traceback ... to see where)", Failure.UNEXPECTED)
