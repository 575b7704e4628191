"""Backend checks behind ``chair doctor``: reachable, version, what is wrong and how to fix it.

Each check is a function of the settings that returns one :class:`CheckResult`;
backends added by later modules register theirs in ``CHECKS``. No line shows a secret: the user
name and password of every URL (in the URL column and in any error message) are hidden
(:func:`hub.redaction.redact_url`), whichever check produced them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from hub.redaction import redact_text, redact_url


@dataclass
class CheckResult:
    """One line of ``chair doctor``."""

    name: str
    ok: bool
    url: str
    detail: str


def _redact(url: str) -> str:
    """A URL with its user name and password hidden."""
    return redact_url(url)


def check_database(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["DATABASE_URL"]
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
        with engine.connect() as conn:
            version = conn.execute(text("select sqlite_version()" if url.startswith("sqlite") else "show server_version")).scalar()
        engine.dispose()
        from hub.db import Database

        db = Database(url)
        current, head = db.current_revision(), db.head_revision()
        db.dispose()
        if current != head:
            return CheckResult("database", False, _redact(url),
                               f"{engine.dialect.name} {version}; schema at {current or 'empty'}, code expects {head}: "
                               "run 'chair db upgrade'")
        return CheckResult("database", True, _redact(url), f"{engine.dialect.name} {version}, schema {current}")
    except Exception as exc:
        return CheckResult("database", False, _redact(url),
                           f"unreachable: {str(exc).splitlines()[0]}; start the database or fix CHAIR_DATABASE_URL")


def check_broker(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["BROKER_URL"]
    if not url:
        return CheckResult("broker", True, "(none)", "tasks run in-process; set CHAIR_BROKER_URL for workers")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        info = client.info("server")
        return CheckResult("broker", True, _redact(url), f"redis {info.get('redis_version')}")
    except Exception as exc:
        return CheckResult("broker", False, _redact(url),
                           f"unreachable: {exc}; start Redis or fix CHAIR_BROKER_URL")


def check_storage(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["STORAGE_URL"]
    try:
        from storage import open_store

        return CheckResult("storage", True, _redact(url), open_store(url).describe())
    except Exception as exc:
        hint = ("start the S3 server, create the access key or fix CHAIR_STORAGE_URL (s3://KEY:SECRET@host:port/bucket)"
                if url.startswith(("s3", "minio")) else "create the folder, make it writable or fix CHAIR_STORAGE_URL")
        return CheckResult("storage", False, _redact(url), f"unusable: {str(exc).splitlines()[0] if str(exc) else exc!r}; {hint}")


def check_tika(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["TIKA_URL"]
    from storage.extract import make_extractor

    try:
        detail = make_extractor(settings).describe()
    except Exception as exc:
        return CheckResult("tika", False, _redact(url), f"{exc}; start Tika (java -jar tika-server-standard.jar --host "
                                                "127.0.0.1 --port 9998) or unset CHAIR_TIKA_URL for embedded extraction")
    return CheckResult("tika" if url else "extraction", True, _redact(url) or "(embedded)", detail)


def check_search(settings: Mapping[str, Any]) -> CheckResult:
    url = settings["SEARCH_URL"]
    from hub.search import make_backend

    try:
        backend = make_backend(settings)
        try:
            detail = backend.describe()
        finally:
            backend.close()
    except Exception as exc:
        return CheckResult("search", False, _redact(url), f"unusable: {str(exc).splitlines()[0] if str(exc) else exc!r}; "
                           "start the search engine or fix CHAIR_SEARCH_URL, then run 'chair index rebuild'")
    return CheckResult("search", True, _redact(url), detail)


def check_secret_key(settings: Mapping[str, Any]) -> CheckResult:
    """CHAIR_SECRET_KEY set to a value of the operator's (not the development key, not empty)."""
    from hub.signing import fallback_keys, secret_key_problem

    problem = secret_key_problem(settings)
    if problem:
        return CheckResult("signing", False, "CHAIR_SECRET_KEY", problem)
    fallbacks = len(fallback_keys(settings))
    return CheckResult("signing", True, "CHAIR_SECRET_KEY",
                       f"set; {fallbacks} old key(s) accepted for verification" if fallbacks else "set")


CHECKS: list[Callable[[Mapping[str, Any]], CheckResult]] = [check_database, check_broker, check_storage, check_tika,
                                                         check_search, check_secret_key]


def run_checks(settings: Mapping[str, Any]) -> list[CheckResult]:
    """Run every backend check; a check that raises is reported as failed, never propagated."""
    results = []
    for check in CHECKS:
        try:
            result = check(settings)
        except Exception as exc:
            result = CheckResult(check.__name__.removeprefix("check_"), False, "", f"check failed: {exc}")
        results.append(CheckResult(result.name, result.ok, redact_url(result.url), redact_text(result.detail)))
    return results
