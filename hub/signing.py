"""The hub's signing keys: ``CHAIR_SECRET_KEY``, the old keys kept for rotation, and the refusal of unsafe ones.

``CHAIR_SECRET_KEY`` signs admin sessions and OAI-PMH resumption tokens. Anyone who knows it can
forge both, so the built-in development key (public in the source) and an empty key are refused by
every process that serves or works for the public: :func:`create_app` (``chair serve``, gunicorn's
``hub.wsgi:app``) and ``chair worker``. ``chair doctor`` reports the same problem.

There is no switch to turn the refusal off. ``chair demo`` instead uses a random key of its own,
created once and kept in the instance folder (:func:`demo_secret_key`), and the tests build their
hub with a test configuration that carries its own key.

Rotation: ``CHAIR_SECRET_KEY_FALLBACKS`` lists old keys (comma-separated) that are still accepted
when checking a signature, never used to sign. After a rotation, sessions and resumption tokens
signed with the old key keep working, and everything new is signed with the new key.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hub.config import SETTINGS_BY_NAME

DEV_SECRET_KEY: str = SETTINGS_BY_NAME["SECRET_KEY"].default
DEMO_KEY_FILE = "demo-secret-key"
HOW_TO_MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class InsecureSecretKey(RuntimeError):
    """The configured signing key would let anyone forge sessions and resumption tokens."""


def fallback_keys(settings: Mapping[str, Any]) -> list[str]:
    """The old keys still accepted for verification, in the order configured (blanks dropped)."""
    raw = str(settings.get("SECRET_KEY_FALLBACKS") or "")
    return [key.strip() for key in raw.split(",") if key.strip()]


def secret_key_problem(settings: Mapping[str, Any]) -> str | None:
    """One line saying what is wrong with the signing keys, or None when they are safe to serve with."""
    key = str(settings.get("SECRET_KEY") or "").strip()
    if not key:
        return f"CHAIR_SECRET_KEY is empty: set it to a long random value ({HOW_TO_MAKE_ONE})"
    if key == DEV_SECRET_KEY:
        return ("CHAIR_SECRET_KEY is the built-in development key: set it to a long random value "
                f"({HOW_TO_MAKE_ONE})")
    if DEV_SECRET_KEY in fallback_keys(settings):
        return ("CHAIR_SECRET_KEY_FALLBACKS holds the built-in development key: remove it, "
                "anything signed with it is forgeable")
    return None


def require_secret_key(settings: Mapping[str, Any]) -> None:
    """Raise :class:`InsecureSecretKey` (one line naming the setting) unless the signing keys are safe."""
    problem = secret_key_problem(settings)
    if problem:
        raise InsecureSecretKey(problem)


def demo_secret_key(instance_path: str | os.PathLike) -> str:
    """The random key of ``chair demo`` in this instance folder, created (owner-only) on first use."""
    path = Path(instance_path) / DEMO_KEY_FILE
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key
