"""Sign-in throttling, counted atomically in the database (every web process sees the same counts).

Before a password is checked, :func:`reserve` takes one evaluation from the account's counter and from
the IP address's counter, each with one conditional ``UPDATE ... SET failures = failures + 1 WHERE
failures < limit RETURNING failures``, and commits. The database serialises those updates (a row lock on
PostgreSQL, the write lock on SQLite), so however many attempts arrive in parallel, in however many
processes, at most ``limit`` of them are evaluated per window. A wrong password keeps its reservation
(it was a failure); a right one gives it back (:func:`settle`). A window starts at the first failure and
lasts ``SIGNIN_WINDOW_SECONDS``; every evaluated attempt is also kept as a :class:`SignInAttempt` row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import case, delete, literal, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hub.models import SignInAttempt, utcnow
from hub.models.accounts import AttemptScope, SignInCounter
from hub.models.base import UTCDateTime


def _ensure_counter(db: Session, scope: AttemptScope, key: str) -> None:
    """The counter row of (scope, key), made if missing (INSERT ... ON CONFLICT DO NOTHING)."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(SignInCounter).values(scope=scope, key=key, failures=0, window_started_at=utcnow())
               .on_conflict_do_nothing(index_elements=["scope", "key"]))


def _take(db: Session, scope: AttemptScope, key: str, limit: int, window_seconds: int) -> bool:
    """Reserve one evaluation against (scope, key) unless ``limit`` are taken in the current window."""
    now = utcnow()
    expired = SignInCounter.window_started_at < now - timedelta(seconds=window_seconds)
    _ensure_counter(db, scope, key)
    taken = db.execute(
        update(SignInCounter)
        .where(SignInCounter.scope == scope, SignInCounter.key == key,
               (SignInCounter.failures < limit) | expired)
        .values(failures=case((expired, 1), else_=SignInCounter.failures + 1),
                window_started_at=case((expired, literal(now, UTCDateTime())), else_=SignInCounter.window_started_at))
        .returning(SignInCounter.failures)
        .execution_options(synchronize_session=False)).first()
    return taken is not None


def _keys(username: str, ip: str) -> tuple[str, str]:
    return username.lower()[:255], ip[:255]


def reserve(db: Session, settings: Mapping[str, Any], username: str, ip: str) -> bool:
    """Reserve one password evaluation for ``username`` from ``ip`` and commit; False when throttled
    (then nothing is counted). The caller checks the password only after a True."""
    account, address = _keys(username, ip)
    window = settings["SIGNIN_WINDOW_SECONDS"]
    # A transaction of its own, begun by the write: on SQLite (WAL) a transaction that read first and
    # then writes after another process wrote fails at once instead of waiting its turn.
    db.commit()
    try:
        ok = (_take(db, AttemptScope.ACCOUNT, account, settings["SIGNIN_MAX_FAILURES_ACCOUNT"], window)
              and _take(db, AttemptScope.IP, address, settings["SIGNIN_MAX_FAILURES_IP"], window))
    except BaseException:
        db.rollback()
        raise
    if ok:
        db.commit()
    else:
        db.rollback()
    return ok


def settle(db: Session, settings: Mapping[str, Any], username: str, ip: str, succeeded: bool) -> None:
    """Record an evaluated attempt; a success clears the account's failures and gives the IP address's
    reservation back. Attempts and counters older than a day (or the window) are forgotten."""
    account, address = _keys(username, ip)
    now = utcnow()
    if succeeded:
        db.execute(update(SignInCounter).where(SignInCounter.scope == AttemptScope.ACCOUNT,
                                               SignInCounter.key == account)
                   .values(failures=0).execution_options(synchronize_session=False))
        db.execute(update(SignInCounter).where(SignInCounter.scope == AttemptScope.IP, SignInCounter.key == address,
                                               SignInCounter.failures > 0)
                   .values(failures=SignInCounter.failures - 1).execution_options(synchronize_session=False))
    db.add(SignInAttempt(scope=AttemptScope.ACCOUNT, key=account, succeeded=succeeded, at=now))
    db.add(SignInAttempt(scope=AttemptScope.IP, key=address, succeeded=succeeded, at=now))
    horizon = now - timedelta(seconds=max(86400, settings["SIGNIN_WINDOW_SECONDS"]))
    db.execute(delete(SignInAttempt).where(SignInAttempt.at < horizon))
    db.execute(delete(SignInCounter).where(SignInCounter.window_started_at < horizon))
