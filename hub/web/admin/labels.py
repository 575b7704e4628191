"""Words the admin pages show for the hub's states and kinds, in the visitor's language.

Each state has a label (translated through the shared catalog) and a symbol, so a state reads as
text and as a sign, never as a colour alone: ``state_tag`` renders both inside a ``.tag`` span
whose class gives the colour. The functions are template globals of the admin blueprint.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from hub.models import DeliveryState, Role
from hub.quality.checks import Field, Problem
from hub.states import RepositoryState, RunState

LABELS: dict[Enum, object] = {
    Role.HUB_ADMIN: _l("hub administrator"),
    Role.MEMBER_ADMIN: _l("member administrator"),
    Role.VIEWER: _l("viewer"),
    RepositoryState.ACTIVE: _l("active"),
    RepositoryState.PAUSED: _l("paused"),
    RunState.QUEUED: _l("queued"),
    RunState.RUNNING: _l("running"),
    RunState.SUCCEEDED: _l("succeeded"),
    RunState.PARTIAL: _l("partly failed"),
    RunState.FAILED: _l("failed"),
    RunState.INTERRUPTED: _l("interrupted"),
    DeliveryState.PENDING: _l("waiting to be sent"),
    DeliveryState.DELIVERED: _l("delivered"),
    DeliveryState.FAILED: _l("failed"),
    Problem.MISSING: _l("missing"),
    Problem.INVALID: _l("invalid"),
    Field.TITLE: _l("title"),
    Field.CREATOR: _l("creator"),
    Field.DATE: _l("date"),
    Field.TYPE: _l("resource type"),
    Field.ACCESS_RIGHTS: _l("access rights"),
    Field.LANGUAGE: _l("language"),
    Field.IDENTIFIER: _l("identifier"),
    Field.DOI: _l("DOI"),
    Field.ABSTRACT: _l("abstract"),
    Field.SUBJECT: _l("subject"),
    Field.LICENSE: _l("licence"),
    Field.FULLTEXT: _l("full text"),
}

# States named by a plain word: a repository's health on the dashboard and the repository list
# (hub.web.admin.repository_list), and whether a webhook subscription delivers.
WORD_LABELS: dict[str, object] = {
    "failing": _l("failing"), "silent": _l("silent"), "healthy": _l("healthy"), "never": _l("never harvested"),
    "active": _l("active"), "off": _l("off"),
}

# (css class, symbol) per state: the class colours the tag, the symbol and the text carry the meaning.
TONES: dict[str, tuple[str, str]] = {
    "active": ("ok", "●"), "paused": ("", "⏸"), "queued": ("", "…"), "running": ("", "↻"),
    "succeeded": ("ok", "✓"), "partial": ("warn", "!"), "failed": ("bad", "✗"), "interrupted": ("bad", "✗"),
    "failing": ("bad", "✗"), "silent": ("warn", "!"), "healthy": ("ok", "✓"), "never": ("", "–"), "off": ("", "○"),
    "pending": ("", "…"), "delivered": ("ok", "✓"),
}


def label(value: Enum | str | None) -> str:
    """The visitor-language word for a state, role or quality kind (its value when none is known)."""
    if value is None:
        return "–"
    if isinstance(value, Enum) and value in LABELS:
        return str(LABELS[value])
    text = value.value if isinstance(value, Enum) else str(value)
    known = WORD_LABELS.get(text) or next((word for kind, word in LABELS.items() if kind.value == text), None)
    return str(known) if known is not None else text


def role_label(role: Role) -> str:
    """The visitor-language name of a role."""
    return label(role)


def state_tag(value: Enum | str | None) -> Markup:
    """A ``.tag`` span with the state's symbol and its word (colour only repeats what they say)."""
    if value is None:
        return Markup('<span class="tag">–</span>')
    key = value.value if isinstance(value, Enum) else str(value)
    tone, symbol = TONES.get(key, ("", "•"))
    cls = f"tag {tone}".strip()
    return Markup(f'<span class="{cls}" data-state="{escape(key)}"><span aria-hidden="true">{symbol}</span> '
                  f'{escape(label(value))}</span>')


def member_name(institution: Any) -> str:
    """A member's name in the visitor's language (the other one, then its slug, when it has none)."""
    zh, en = getattr(institution, "name_zh", "") or "", getattr(institution, "name_en", "") or ""
    first, second = (zh, en) if str(get_locale() or "zh").startswith("zh") else (en, zh)
    return first or second or institution.slug


def options(values: Iterable[Any]) -> list[tuple[str, str]]:
    """(value, label) pairs of enum members for a filter's ``<select>``."""
    return [(v.value, label(v)) for v in values]


def member_options(institutions: Iterable[Any]) -> list[tuple[int, str]]:
    """(id, "name (slug)") pairs of members for a filter's ``<select>``."""
    return [(i.id, f"{member_name(i)} ({i.slug})") for i in institutions]


def duration(seconds: float | None) -> str:
    """A run's duration as ``chair runs`` shows it (``0.042 s``, ``3.42 s``, ``2 min 5 s``); a dash when unknown."""
    from hub.pipeline.report import format_seconds

    return "–" if seconds is None else format_seconds(seconds)


def register(blueprint) -> None:
    """Make the labels template globals of the app the blueprint is registered on."""
    for function in (label, role_label, state_tag, member_name, duration):
        blueprint.add_app_template_global(function)
