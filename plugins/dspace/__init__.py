"""The DSpace platform plugin (``dspace``) and the dim and mods crosswalks it reads."""

from __future__ import annotations

from hub.hookspecs import hookimpl
from plugins.dspace.dim import crosswalk_dim
from plugins.dspace.mods import crosswalk_mods
from plugins.dspace.platform import DSpacePlatform


@hookimpl
def register_platforms():
    return [DSpacePlatform]


@hookimpl
def register_crosswalks():
    return {"dim": crosswalk_dim, "mods": crosswalk_mods}
