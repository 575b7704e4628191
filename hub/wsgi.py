"""WSGI entry point for gunicorn: ``gunicorn 'hub.wsgi:app'``."""

from hub.app import create_app

app = create_app()
