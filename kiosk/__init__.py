"""The villagers' side: kiosk screens, phone pages, verification, open data.
No login; reads published data through the core; its only write is a
villager's question."""

from flask import Blueprint, Flask

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def register(app: Flask) -> None:
    from . import views  # noqa: F401

    app.register_blueprint(bp)
