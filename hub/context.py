"""The Hub: the one typed service container of a hub process.

The CLI, the web application and the Celery worker each build one :class:`Hub` (tests build
their own from a test config). It holds the frozen :class:`~hub.config.Settings` and the
plugin manager, and builds every service on them in one way, a cached property, on first use:
the database, the object store, the text extractor, the search backend, the HTTP clients
(one per repository, with its politeness limit) and the Celery app. Nothing else caches a
service in a module global; code that needs one takes ``hub: Hub``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pluggy

from hub.config import Settings, default_instance_path, load_settings
from hub.db import Database
from hub.plugins import get_plugin_manager

if TYPE_CHECKING:
    from celery import Celery

    from hub.http import HttpClient
    from hub.search.base import SearchBackend
    from storage.base import ObjectStore
    from storage.extract.base import Extractor

# A factory of context managers, each holding one request slot of a repository (hub.politeness).
Limiter = Callable[[], AbstractContextManager[Any]]


class HttpClients:
    """HTTP clients with the hub's safety rules; each repository's share one politeness limit.

    ``hub.http(repository_id)`` returns a new client with the hub's current settings (a client holds
    one requests session and is used by one thread); clients of one repository share its limiter, so
    however many a process builds, no repository gets more than ``REPOSITORY_CONCURRENCY`` requests
    at once.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._limiters: dict[int, Limiter] = {}
        self._lock = threading.Lock()

    def limiter(self, repository_id: int) -> Limiter:
        """The politeness limiter of one repository, built once."""
        from hub.politeness import repository_limiter

        with self._lock:
            if repository_id not in self._limiters:
                made = repository_limiter(self.hub.settings, repository_id)
                assert made is not None  # a repository always has a limit
                self._limiters[repository_id] = made
            return self._limiters[repository_id]

    def __call__(self, repository_id: int | None = None) -> HttpClient:
        """A client for ``repository_id``'s requests (None: requests to no repository, no limit)."""
        from hub.http import HttpClient

        limiter = None if repository_id is None else self.limiter(repository_id)
        return HttpClient(self.hub.settings, limiter=limiter)


@dataclass
class Hub:
    """Settings, plugins and the services built on them, for one hub process."""

    settings: Settings
    pm: pluggy.PluginManager

    def __post_init__(self) -> None:
        # A mapping of some settings (a test's dict) becomes Settings: the rest keep their defaults.
        self.settings = Settings.from_mapping(self.settings)

    @classmethod
    def create(cls, overrides: Mapping[str, Any] | None = None, instance_path: str | os.PathLike[str] | None = None,
               pm: pluggy.PluginManager | None = None) -> Hub:
        """A Hub from the instance file and ``CHAIR_*`` environment, with ``overrides`` on top.

        Raises :class:`~hub.config.SettingError` when a setting is unknown or not of its type.
        """
        instance = instance_path or default_instance_path()
        settings = load_settings(instance, overrides)
        return cls(settings=settings, pm=pm or get_plugin_manager())

    def configure(self, **changes: Any) -> None:
        """Change some settings of this hub (the demo, a test): ``hub.configure(OAI_PAGE_SIZE_RECORDS=5)``.

        The settings object is replaced, never changed in place. HTTP clients made afterwards and
        code that reads ``hub.settings`` see the change; services built already (database, store,
        extractor, search, Celery) keep the settings they were built with.
        """
        self.settings = self.settings.replace(**changes)

    @cached_property
    def db(self) -> Database:
        """The database named by ``DATABASE_URL``, migrated to the current schema."""
        database = Database(self.settings.DATABASE_URL)
        database.ensure_schema()
        return database

    @cached_property
    def store(self) -> ObjectStore:
        """The object store named by ``STORAGE_URL`` (full-text files, texts, dumps)."""
        from storage.base import open_store

        return open_store(self.settings.STORAGE_URL)

    @cached_property
    def extractor(self) -> Extractor:
        """The text extractor: Tika at ``TIKA_URL``, or the embedded one, with the EXTRACT_* bounds."""
        from storage.extract import make_extractor

        return make_extractor(self.settings)

    @cached_property
    def search(self) -> SearchBackend:
        """The search backend named by ``SEARCH_URL``."""
        from hub.search import make_backend

        return make_backend(self.settings)

    @cached_property
    def http(self) -> HttpClients:
        """``hub.http(repository_id)``: an HTTP client with the hub's rules and that repository's limit."""
        return HttpClients(self)

    @cached_property
    def celery(self) -> Celery:
        """The Celery app of this hub's settings (eager without ``BROKER_URL``); imports Celery on first use."""
        from hub.tasks import make_celery

        return make_celery(self.settings)

    def close(self) -> None:
        """Release what the services built so far hold (connections, files)."""
        if "search" in self.__dict__:
            self.search.close()
        if "db" in self.__dict__:
            self.db.dispose()
