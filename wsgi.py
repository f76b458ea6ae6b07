"""Entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""

from disclosure import create_app

app = create_app()
