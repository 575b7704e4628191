"""Themes: templates and static files looked up in the chosen theme first, then in the default.

``THEME`` names a folder ``<root>/<THEME>/`` with ``templates/`` and ``static/``; roots are
``THEMES_PATH`` (themes kept outside the package) and the built-in ``themes/``. Any file of
the chosen theme overrides the default theme's file of the same name, one by one; what it
does not provide comes from ``themes/default``. Static files are served at ``/static/...``
(endpoint ``static``, so ``url_for('static', filename=...)`` works everywhere).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, abort, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader

BUILTIN_THEMES = Path(__file__).resolve().parents[2] / "themes"
DEFAULT_THEME = "default"


def theme_dirs(settings: dict) -> list[Path]:
    """Theme folders in lookup order: the chosen theme (external root first), then the default theme."""
    name = settings.get("THEME") or DEFAULT_THEME
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"bad THEME {name!r}: a folder name under themes/")
    roots = [Path(p) for p in str(settings.get("THEMES_PATH") or "").split(os.pathsep) if p] + [BUILTIN_THEMES]
    dirs = []
    for theme in dict.fromkeys([name, DEFAULT_THEME]):
        for root in roots:
            folder = root / theme
            if folder.is_dir() and folder not in dirs:
                dirs.append(folder)
    if not any(d.name == name for d in dirs):
        raise ValueError(f"theme {name!r} not found in {', '.join(str(r) for r in roots)}")
    return dirs


def init_app(app: Flask) -> None:
    """Install the theme's template loader and the /static route on ``app``."""
    dirs = theme_dirs(app.extensions["chair"].settings)
    template_dirs = [str(d / "templates") for d in dirs if (d / "templates").is_dir()]
    static_dirs = [d / "static" for d in dirs if (d / "static").is_dir()]
    app.jinja_loader = ChoiceLoader([FileSystemLoader(template_dirs)] + ([app.jinja_loader] if app.jinja_loader else []))
    app.config["CHAIR_STATIC_DIRS"] = static_dirs

    def static(filename: str):
        for folder in static_dirs:
            target = (folder / filename).resolve()
            if target.is_relative_to(folder.resolve()) and target.is_file():
                response = send_from_directory(folder, filename, max_age=3600)
                response.headers["X-Content-Type-Options"] = "nosniff"
                return response
        abort(404)

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)
