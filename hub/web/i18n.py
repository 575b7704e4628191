"""Portal languages: Chinese and English with Flask-Babel.

The visitor's language comes from ``?lang=zh|en`` (remembered in a cookie, so the switch
keeps the page), then the cookie, then ``DEFAULT_LOCALE``. Catalogs live as ``.po`` files
in ``hub/translations``; they are compiled to ``.mo`` with Babel's own Python API into the
instance folder when the app starts (no build step, no network, nothing written to the
package).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request
from flask_babel import Babel

LOCALES = ("zh", "en")
COOKIE = "lang"
SOURCE = Path(__file__).resolve().parents[1] / "translations"


def compile_catalogs(target: Path, source: Path = SOURCE) -> Path:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``source`` into ``target``; returns target."""
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo)
    return target


def select_locale() -> str:
    """The visitor's language: ?lang=, then the cookie, then DEFAULT_LOCALE."""
    chosen = request.args.get("lang", "")
    if chosen in LOCALES:
        g.set_lang_cookie = chosen
        return chosen
    cookie = request.cookies.get(COOKIE, "")
    if cookie in LOCALES:
        return cookie
    default = str(current_app.config["CHAIR"].get("DEFAULT_LOCALE") or "zh")[:2]
    return default if default in LOCALES else "zh"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel, the language cookie and the ``lang`` template variable."""
    compiled = compile_catalogs(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app, locale_selector=select_locale)

    @app.after_request
    def _remember_language(response):
        lang = g.get("set_lang_cookie")
        if lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))  # https base URL
        return response

    @app.context_processor
    def _language():
        from flask_babel import get_locale

        return {"lang": str(get_locale() or "zh")[:2]}
