"""The board for tools/scan.py only: the app exactly as wsgi.py builds it, but
with Flask-Limiter switched off, so the scanners' thousands of requests from
127.0.0.1 reach the code under test instead of stopping at a 429 (which would
make a clean result meaningless). The limits themselves are tested in tests/."""

from disclosure import create_app

app = create_app({"RATELIMIT_ENABLED": False})
