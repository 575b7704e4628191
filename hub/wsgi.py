"""WSGI entry point for gunicorn: ``gunicorn 'hub.wsgi:app'``.

With an unsafe ``CHAIR_SECRET_KEY`` (the built-in development key, or none) the app is not built.
Under gunicorn the refusal is raised as gunicorn's own "application failed to load" error, so
gunicorn prints the one line, stops its workers and exits non-zero instead of restarting workers
forever or printing a traceback (with ``--preload`` it prints ``Error: <the line>`` and exits 1).
"""

from __future__ import annotations

from flask import Flask

from hub.app import create_app
from hub.signing import InsecureSecretKey


def _refusal(exc: InsecureSecretKey) -> Exception:
    """The error that makes the WSGI server in use stop with ``exc``'s line and nothing else."""
    try:
        from gunicorn.errors import AppImportError
    except ImportError:  # another WSGI server: the refusal as it is
        return exc

    class SecretKeyRefused(AppImportError, RuntimeError):
        """gunicorn prints an AppImportError's text in a worker, a RuntimeError's in the master."""

    return SecretKeyRefused(str(exc))


def _build() -> Flask:
    try:
        return create_app()
    except InsecureSecretKey as exc:
        raise _refusal(exc) from None


app = _build()
