"""The read side: everything a villager sees of the board, built once.

- ``views``: public view objects (no private field) and the public queries;
- ``figures``: finance figures and the plain sentence, rounded one way per screen;
- ``tables``: the one Column/Table definition every face renders (kiosk,
  phone, PDF, CSV/XLSX, JSON, Atom), with its 合计 row and, for finance, the balances;
- ``documents``: what a printed paper says (notice, 明白卡, QR stickers);
  ``disclosure.printing`` only lays it out and renders it;
- ``verify`` and ``opendata``: the QR verify logic and the open-data serialisers.

Faces (kiosk/, the phone pages, printing, open data) import from here; this
package imports services, never the other way round.
"""

from .attachments import PublicAttachment, attachment_views, public_attachment, public_attachment_file
from .decisions import PublicDecision, PublicMeeting, decision_fields, decision_view, yishi_lines
from .library import (
    COMMON_WORDS, CatalogueRow, PublicDocument, PublicHit, SearchPage, document_or_404, document_page_image, document_pdf,
    library_sections, search_categories, search_page, search_years, VillageCatalogue, village_catalogue,
)
from .figures import FinanceFigures, MonthFigure, notice_figures, period_figures, period_lines, span
from .tables import Column, Table, notice_tables
from .views import *  # noqa: F403
from .views import __all__ as _views_all

__all__ = [*_views_all, "PublicAttachment", "attachment_views", "public_attachment", "public_attachment_file",
           "PublicDecision", "PublicMeeting", "decision_fields", "decision_view", "yishi_lines",
           "COMMON_WORDS", "CatalogueRow", "PublicDocument", "PublicHit", "SearchPage",
           "document_or_404", "document_page_image", "document_pdf", "library_sections", "search_categories",
           "search_page", "search_years", "VillageCatalogue", "village_catalogue",
           "Column", "FinanceFigures", "MonthFigure", "Table", "notice_figures", "notice_tables",
           "period_figures", "period_lines", "span"]
