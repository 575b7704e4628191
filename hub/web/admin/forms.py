"""Reading and validating the admin forms: every problem becomes a message next to its field,
never an exception page. Registration itself goes through hub.members (one place validates)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hub.scheduling.schedule import ScheduleError, validate_schedule

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()=:%]+$")


@dataclass
class Form:
    """Submitted values (as strings, for redisplay) and errors by field name."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def _text(data: Any, name: str, limit: int) -> str:
    return str(data.get(name, "") or "").strip()[:limit]


def institution_form(data: Any) -> Form:
    """slug, names, region, website and contact e-mail of an institution."""
    form = Form({name: _text(data, name, limit) for name, limit in (
        ("slug", 64), ("name_en", 255), ("name_zh", 255), ("region", 64), ("website", 512), ("contact_email", 255))})
    if form.get("contact_email") and not EMAIL.match(form.get("contact_email")):
        form.errors["contact_email"] = "not an e-mail address"
    if form.get("website") and not form.get("website").startswith(("http://", "https://")):
        form.errors["website"] = "give a full http:// or https:// address"
    if not form.get("name_en") and not form.get("name_zh"):
        form.errors["name_en"] = "give the member a name in English or Chinese"
    return form


def _sets(text: str, name: str, form: Form) -> list[str]:
    specs = [s for s in re.split(r"[\s,]+", text) if s]
    bad = [s for s in specs if not SET_SPEC.match(s)]
    if bad:
        form.errors[name] = f"not a set spec: {', '.join(bad[:3])}"
    return specs


def repository_form(data: Any, platform_names: list[str]) -> tuple[Form, dict[str, Any]]:
    """The repository fields; returns the form and the parsed values for hub.members."""
    form = Form({name: _text(data, name, limit) for name, limit in (
        ("name", 255), ("platform", 64), ("base_url", 1024), ("metadata_prefix", 64), ("sets", 4000),
        ("exclude_sets", 4000), ("schedule", 64), ("notify_webhook", 1024), ("options", 8000))})
    parsed: dict[str, Any] = {"name": form.get("name"), "platform": form.get("platform"),
                              "base_url": form.get("base_url"), "metadata_prefix": form.get("metadata_prefix") or "oai_dc"}
    if parsed["platform"] not in platform_names:
        form.errors["platform"] = f"choose one of: {', '.join(platform_names)}"
    if not parsed["base_url"].startswith(("http://", "https://")):
        form.errors["base_url"] = "give the full http:// or https:// base URL of the repository"
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", parsed["metadata_prefix"]):
        form.errors["metadata_prefix"] = "a metadata prefix has letters, digits, '_', '-' and '.' only"
    parsed["sets"] = tuple(_sets(form.get("sets"), "sets", form))
    parsed["exclude_sets"] = tuple(_sets(form.get("exclude_sets"), "exclude_sets", form))
    try:
        parsed["schedule"] = validate_schedule(form.get("schedule"))
    except ScheduleError as exc:
        form.errors["schedule"] = str(exc)
    options: dict[str, Any] = {}
    if form.get("options"):
        try:
            options = json.loads(form.get("options"))
            if not isinstance(options, dict):
                raise ValueError
        except ValueError:
            form.errors["options"] = "platform options must be a JSON object, e.g. {\"rest_url\": \"...\"}"
            options = {}
    webhook = form.get("notify_webhook")
    if webhook:
        if not webhook.startswith(("http://", "https://")):
            form.errors["notify_webhook"] = "give a full http:// or https:// address"
        options["notify_webhook"] = webhook
    parsed["options"] = options
    return form, parsed


def repository_values(repo: Any) -> dict[str, str]:
    """A repository's current values in the form's string shape."""
    options = dict(repo.options or {})
    webhook = options.pop("notify_webhook", "")
    return {"name": repo.name, "platform": repo.platform, "base_url": repo.base_url,
            "metadata_prefix": repo.metadata_prefix, "sets": " ".join(repo.sets_include or []),
            "exclude_sets": " ".join(repo.sets_exclude or []), "schedule": repo.schedule,
            "notify_webhook": webhook, "options": json.dumps(options, ensure_ascii=False) if options else ""}
