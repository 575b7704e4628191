"""Shared fixtures: a Hub and a Flask app per test, on every configured database.

The database fixture is parametrised: always SQLite (the embedded default), and
PostgreSQL too when ``CHAIR_TEST_DATABASE_URL`` is set (the README's test command
starts PostgreSQL with scripts/services and sets it). Each PostgreSQL test gets a
fresh database cloned from a migrated template, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from hub.context import Hub

PG_URL = os.environ.get("CHAIR_TEST_DATABASE_URL", "")
TEMPLATE = f"chair_template_{uuid.uuid4().hex[:8]}"  # one per test run: runs may share a server

DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _admin_engine():
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test clones."""
    from hub.db import Database

    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE}"))
    url = make_url(PG_URL).set(database=TEMPLATE).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    db.dispose()
    yield TEMPLATE
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
    engine.dispose()


def fresh_pg_database(template: str) -> tuple[str, callable]:
    """Clone the template into a new database; returns its URL and a function dropping it."""
    name = f"chair_t_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))

    def drop() -> None:
        for attempt in range(5):  # a connection still closing (or autovacuum) can hold it a moment
            try:
                with engine.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                break
            except DBAPIError:
                if attempt == 4:
                    raise
                time.sleep(0.5)
        engine.dispose()

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each configured kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'chair.db'}"
        return
    url, drop = fresh_pg_database(request.getfixturevalue("pg_template"))
    yield url
    drop()


@pytest.fixture
def overrides(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Settings of a test hub: embedded backends in tmp_path, private addresses allowed."""
    return {
        "DATABASE_URL": database_url,
        "STORAGE_URL": f"file://{tmp_path / 'objects'}",
        "SEARCH_URL": f"sqlite:///{tmp_path / 'search.db'}",
        "ALLOW_PRIVATE_ADDRESSES": True,
        "SECRET_KEY": "test-secret",
        "BROKER_URL": "",
        "TIKA_URL": "",
        "HTTP_BACKOFF_BASE": 0.01,
        "HTTP_BACKOFF_MAX": 0.05,
        "HTTP_READ_TIMEOUT": 20.0,
        "HTTP_MAX_RETRY_AFTER": 5.0,
    }


@pytest.fixture
def hub(overrides: dict[str, object], tmp_path: Path) -> Iterator[Hub]:
    """A Hub on a fresh database (migrated on first use)."""
    instance = tmp_path / "instance"
    instance.mkdir()
    made = Hub.create(overrides=overrides, instance_path=instance)
    yield made
    if "db" in made.__dict__:
        made.db.dispose()


@pytest.fixture
def app(hub: Hub):
    """The Flask application of the test hub."""
    from hub.app import create_app

    application = create_app(hub=hub)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()
