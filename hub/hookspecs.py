"""Plugin hook specifications of the hub (pluggy), grouped by phase.

Hooks are called with keyword arguments only. ``register_*`` hooks return classes
(or lists of classes) that the hub keeps in a registry by name: no hook is called
once per harvested item except ``enrich_record``, which exists to be; ``records_rewriting``
and ``records_written`` are called once per imported page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Flask
    from sqlalchemy.engine import Connection

    from hub.normalise.record import NormalisedRecord
    from hub.platform import Platform

hookspec = pluggy.HookspecMarker("chair")
hookimpl = pluggy.HookimplMarker("chair")


# --- Sources ---------------------------------------------------------------

@hookspec
def register_platforms() -> list[type[Platform]]:
    """Return Platform classes (each with a unique ``name``) this plugin provides."""


@hookspec
def register_crosswalks() -> dict[str, Any]:
    """Return ``{metadata_prefix: callable(metadata_element) -> NormalisedRecord}`` for formats read in."""


# --- Records ---------------------------------------------------------------

@hookspec
def enrich_record(record: NormalisedRecord, repository: Any) -> None:
    """Improve a normalised record in place after its crosswalk (called once per imported record)."""


@hookspec
def records_rewriting(connection: Connection, record_ids: list[int], pm: pluggy.PluginManager) -> None:
    """The import stage is about to rewrite these records (same transaction, rows still as they were).

    The OAI-PMH provider notes the formats the records qualified for until now (see
    ``oai.provider.disseminated``), so that one they stop qualifying for shows them as deleted.
    """


@hookspec
def records_written(connection: Connection, record_ids: list[int], pm: pluggy.PluginManager) -> None:
    """The import stage has inserted or rewritten these records (same transaction, not committed)."""


# --- Republishing ------------------------------------------------------------

@hookspec
def register_metadata_formats() -> list[Any]:
    """Return OAI-PMH output format classes (prefix, schema, namespace, render) served by the provider.

    Subclass ``oai.provider.formats.MetadataFormat``: its ``requirements`` give both
    ``can_disseminate(record)`` and the SQL filter of the format's lists.
    """


# --- Web and CLI -------------------------------------------------------------

@hookspec
def register_blueprints(app: Flask) -> None:
    """Register extra Flask blueprints or template blocks on the web application."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``chair`` CLI."""
