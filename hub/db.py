"""Database engine, sessions and migrations.

One :class:`Database` per application (or CLI invocation). SQLite gets WAL, foreign
keys and a busy timeout so that a web process and in-process tasks can share the file;
PostgreSQL is used as it is. Migrations are Alembic's, applied by ``chair db upgrade``
and automatically on an empty database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class SerializedJSON(str):
    """JSON text made already (by the import stage, which hashes it): written to a JSON column as it is."""


def dump_json(value: object) -> str:
    """Compact UTF-8 JSON, as the hub stores it (Chinese is stored as itself, not as \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_dumps(value: object) -> str:
    """The serializer of every JSON column: :func:`dump_json`, or the text of a :class:`SerializedJSON`."""
    if isinstance(value, SerializedJSON):
        return str(value)
    return dump_json(value)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the parent folder of a SQLite file."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=_json_dumps)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, json_serializer=_json_dumps)


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def current_revision(self) -> str | None:
        """The applied revision(s), comma-separated (feature branches may each have a head)."""
        with self.engine.connect() as conn:
            heads = MigrationContext.configure(conn).get_current_heads()
        return ",".join(sorted(heads)) or None

    def head_revision(self) -> str | None:
        """The revision(s) the code expects, comma-separated."""
        heads = ScriptDirectory.from_config(alembic_config(self.engine)).get_heads()
        return ",".join(sorted(heads)) or None

    def upgrade(self, revision: str = "heads") -> None:
        """Apply migrations up to ``revision`` (every branch head by default)."""
        command.upgrade(alembic_config(self.engine), revision)

    def ensure_schema(self) -> None:
        """Apply migrations when the database is empty or behind; refuse a foreign schema."""
        if self.current_revision() == self.head_revision():
            return
        tables = set(inspect(self.engine).get_table_names())
        if self.current_revision() is None and tables - {"alembic_version"}:
            raise RuntimeError("the database holds tables but no CHAIR schema version; refusing to touch it")
        self.upgrade()

    def dispose(self) -> None:
        self.engine.dispose()
