"""Portal languages: Chinese and English with Flask-Babel.

The visitor's language comes from ``?lang=zh|en`` (remembered in a cookie, so the switch
keeps the page), then the cookie, then the browser's ``Accept-Language`` (its most preferred
language the hub speaks: ``zh-TW``, ``zh-Hans`` and ``zh`` are Chinese, ``en-GB`` English), then
``DEFAULT_LOCALE``. A page shows one language at a time; names held in both languages show the
one of the page. Catalogs live as ``.po`` files
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


def accepted_locale(header_value: str | None = None) -> str | None:
    """The first language of ``Accept-Language`` (by quality, then order) the hub speaks, or None.

    Reads the request's header when ``header_value`` is None."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    accept = request.accept_languages if header_value is None else parse_accept_header(header_value, LanguageAccept)
    for value, quality in accept:
        primary = value.split("-")[0].split("_")[0].lower()
        if quality > 0 and primary in LOCALES:
            return primary
    return None


def select_locale() -> str:
    """The visitor's language: ?lang=, then the cookie, then Accept-Language, then DEFAULT_LOCALE."""
    chosen = request.args.get("lang", "")
    if chosen in LOCALES:
        g.set_lang_cookie = chosen
        return chosen
    cookie = request.cookies.get(COOKIE, "")
    if cookie in LOCALES:
        return cookie
    accepted = accepted_locale()
    if accepted:
        return accepted
    default = str(current_app.extensions["chair"].settings.DEFAULT_LOCALE)[:2]
    return default if default in LOCALES else "zh"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel, the language cookie and the ``lang`` template variable."""
    compiled = compile_catalogs(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app, locale_selector=select_locale)

    @app.after_request
    def _remember_language(response):
        if response.mimetype == "text/html":  # chosen by the cookie or Accept-Language when ?lang= is absent
            response.vary.update(("Accept-Language", "Cookie"))
        lang = g.get("set_lang_cookie") or request.args.get("lang", "")
        if lang in LOCALES:  # also when the page redirected before it rendered anything (locale never asked)
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))  # https base URL
        return response

    @app.context_processor
    def _language():
        from flask_babel import get_locale

        return {"lang": str(get_locale() or "zh")[:2]}
