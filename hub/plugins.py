"""The plugin manager: entry points of the ``chair.plugins`` group, built-ins included.

Built-in platform plugins are declared in pyproject.toml under the same entry-point
group a third-party package uses, so they are loaded the same way. When the hub runs
from a source tree that was never installed, the built-ins are registered directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy

from hub import hookspecs

if TYPE_CHECKING:
    from hub.platform import Platform

ENTRY_POINT_GROUP = "chair.plugins"
BUILTIN_PLUGINS = ("plugins.oai", "hub.normalise.enrich", "oai.provider.disseminated", "plugins.resourcesync")


def get_plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager with entry points (or the built-ins) loaded and checked."""
    pm = pluggy.PluginManager("chair")
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for name in BUILTIN_PLUGINS:
        module = importlib.import_module(name)
        if not pm.is_registered(module):
            pm.register(module, name=name)
    pm.check_pending()
    return pm


@dataclass(frozen=True)
class PluginInfo:
    """What ``chair plugins`` shows of one loaded plugin."""

    name: str
    module: str
    hooks: tuple[str, ...]
    platforms: tuple[str, ...]


def platforms(pm: pluggy.PluginManager) -> dict[str, type[Platform]]:
    """Every registered Platform class by name; a duplicate name is an error."""
    found: dict[str, type[Platform]] = {}
    for result in pm.hook.register_platforms():
        for cls in result or ():
            if cls.name in found and found[cls.name] is not cls:
                raise RuntimeError(f"two plugins register the platform {cls.name!r}")
            found[cls.name] = cls
    return found


def crosswalks(pm: pluggy.PluginManager) -> dict[str, Callable[[Any], Any]]:
    """Every registered crosswalk (metadata prefix -> function returning a NormalisedRecord)."""
    found: dict[str, Callable[[Any], Any]] = {}
    for result in pm.hook.register_crosswalks():
        found.update(result or {})
    return found


def describe(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """One entry per loaded plugin, with its hooks and platforms."""
    infos = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda np: np[0]):
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        plats: tuple[str, ...] = ()
        if hasattr(plugin, "register_platforms"):
            plats = tuple(cls.name for cls in plugin.register_platforms() or ())
        infos.append(PluginInfo(name, getattr(plugin, "__name__", repr(plugin)), hooks, plats))
    return infos
