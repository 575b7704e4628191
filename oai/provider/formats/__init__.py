"""Output metadata formats: the built-in ones and those plugins add, kept in a registry by prefix.

Built-ins: ``oai_dc`` (:mod:`.oai_dc`), ``oai_openaire`` (:mod:`.openaire`, OpenAIRE Guidelines for
Literature Repositories v4) and ``mods`` (:mod:`.mods`, MODS 3.8). A plugin adds formats through
the ``register_metadata_formats`` hook, returning :class:`MetadataFormat` subclasses (or
instances); a plugin format with a built-in's prefix replaces it.
"""

from __future__ import annotations

import pluggy

from oai.provider.formats.base import MetadataFormat, RenderContext, Requirement
from oai.provider.formats.mods import ModsFormat
from oai.provider.formats.oai_dc import OaiDcFormat
from oai.provider.formats.openaire import OpenAireFormat

BUILTIN_FORMATS: tuple[type[MetadataFormat], ...] = (OaiDcFormat, OpenAireFormat, ModsFormat)

__all__ = ["MetadataFormat", "RenderContext", "Requirement", "BUILTIN_FORMATS", "metadata_formats"]


def _instance(candidate: object) -> MetadataFormat:
    fmt = candidate() if isinstance(candidate, type) else candidate
    for name in ("prefix", "schema", "namespace"):
        if not getattr(fmt, name, ""):
            raise RuntimeError(f"metadata format {candidate!r} has no {name}")
    for name in ("can_disseminate", "render", "sql_clause"):
        if not callable(getattr(fmt, name, None)):
            raise RuntimeError(f"metadata format {candidate!r} has no {name}()")
    return fmt  # type: ignore[return-value]


def metadata_formats(pm: pluggy.PluginManager | None = None) -> dict[str, MetadataFormat]:
    """Every format served, by metadataPrefix, built-ins first, in a stable order."""
    found: dict[str, MetadataFormat] = {}
    for cls in BUILTIN_FORMATS:
        fmt = cls()
        found[fmt.prefix] = fmt
    if pm is not None:
        for result in pm.hook.register_metadata_formats():
            for candidate in result or ():
                fmt = _instance(candidate)
                found[fmt.prefix] = fmt
    return found
