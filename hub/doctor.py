"""Backend checks behind ``chair doctor``: reachable, version, what is wrong and how to fix it.

Each check is a function of the settings that returns one :class:`CheckResult`;
backends added by later modules register theirs in ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text


@dataclass
class CheckResult:
    """One line of ``chair doctor``."""

    name: str
    ok: bool
    url: str
    detail: str


def _redact(url: str) -> str:
    """A URL with its password hidden."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_database(settings: dict[str, Any]) -> CheckResult:
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


def check_broker(settings: dict[str, Any]) -> CheckResult:
    url = settings.get("BROKER_URL", "")
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


CHECKS: list[Callable[[dict[str, Any]], CheckResult]] = [check_database, check_broker]


def run_checks(settings: dict[str, Any]) -> list[CheckResult]:
    """Run every backend check; a check that raises is reported as failed, never propagated."""
    results = []
    for check in CHECKS:
        try:
            results.append(check(settings))
        except Exception as exc:
            results.append(CheckResult(check.__name__.removeprefix("check_"), False, "", f"check failed: {exc}"))
    return results
