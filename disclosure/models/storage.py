"""Files kept in the database (disclosure/storage.py's "db" backend): every
node of a county's board sees the same receipt photos and PDFs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .notice import utcnow


class StoredFile(db.Model):
    """One file by its name ("vouchers/<sha256>.jpg", "pdf-cache/<key>.pdf",
    "batch/<file>.pdf"); ``sha256`` is of ``content``."""

    __tablename__ = "stored_files"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
