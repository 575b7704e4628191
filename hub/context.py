"""The hub's runtime context: settings, database and plugin manager, built once per process.

The CLI, the web application and the Celery worker each build one :class:`Hub`; the
stage functions take its parts explicitly, so tests can build their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pluggy

from hub.config import default_instance_path, load_settings
from hub.db import Database
from hub.plugins import get_plugin_manager


@dataclass
class Hub:
    """Settings, database and plugins of one hub process."""

    settings: dict[str, Any]
    pm: pluggy.PluginManager

    @classmethod
    def create(cls, overrides: Mapping[str, Any] | None = None, instance_path: str | os.PathLike | None = None,
               pm: pluggy.PluginManager | None = None) -> Hub:
        instance = instance_path or default_instance_path()
        settings = load_settings(instance, overrides)
        return cls(settings=settings, pm=pm or get_plugin_manager())

    @cached_property
    def db(self) -> Database:
        database = Database(self.settings["DATABASE_URL"])
        database.ensure_schema()
        return database

    def http(self, repository_id: int | None = None):
        """An HTTP client with the hub's safety rules and, per repository, its politeness limit."""
        from hub.http import HttpClient
        from hub.politeness import repository_limiter

        return HttpClient(self.settings, limiter=repository_limiter(self.settings, repository_id))
