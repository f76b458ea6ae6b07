"""The villagers' side: kiosk screens (/kiosk), phone pages (/m), public
verification and PDFs, open data (/api) and feeds. No login; reads published
data through the core (disclosure.public); its only write is a villager's
question, rate-limited."""

from flask import Blueprint, Flask

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
mobile_bp = Blueprint("mobile", __name__, url_prefix="/m")
#: /v/<code> verification, /p/<id>.pdf printable notices, /feed/<village>.atom
public_bp = Blueprint("public", __name__)
api_bp = Blueprint("api", __name__, url_prefix="/api")


def register(app: Flask) -> None:
    from . import api, feed, library, lookup, mobile, printed, questions, stats, verify, views, voice  # noqa: F401

    for blueprint in (bp, mobile_bp, public_bp, api_bp):
        app.register_blueprint(blueprint)
