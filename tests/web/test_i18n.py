"""Every message of the portal's templates and code has a Chinese translation, and catalogs compile."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hub.web.i18n import SOURCE, compile_catalogs

ROOT = Path(__file__).resolve().parents[2]


def _extracted() -> set[str]:
    ids: set[str] = set()
    for folder, method in ((ROOT / "themes" / "default" / "templates", "jinja2"), (ROOT / "hub" / "web" / "portal", "python")):
        pattern = "*.html" if method == "jinja2" else "*.py"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
                folder, method_map=[(pattern, method)], keywords={"_": None, "gettext": None, "lazy_gettext": None}):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_portal_message_is_translated_to_chinese():
    with (SOURCE / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string}
    wanted = _extracted()
    assert len(wanted) > 100
    assert sorted(wanted - translated) == []


def test_catalogs_compile_without_network(tmp_path):
    target = compile_catalogs(tmp_path)
    assert (target / "zh" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
