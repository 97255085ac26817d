"""The WSGI entry point: ``gunicorn wsgi:app``."""

from suggestion import create_app

app = create_app()
