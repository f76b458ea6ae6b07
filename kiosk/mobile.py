"""Phone pages (/m): the kiosk's content for a 390 px screen, light enough
for a slow connection (no script but the small offline helper). The pages
themselves live in kiosk/views.py; this module mounts them on /m."""

from __future__ import annotations

from . import mobile_bp
from .views import home, register_pages

register_pages(mobile_bp)
mobile_bp.add_url_rule("/<code>", "home", home, methods=["GET"])
