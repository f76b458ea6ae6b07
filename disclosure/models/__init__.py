"""All models, importable from one place: ``from disclosure.models import Notice``."""

from . import guards  # noqa: F401  (registers the length check on every flush)

from .attachment import NoticeAttachment
from .audit import AuditEntry, PrintJob
from .calendar import CalendarDay
from .decision import (
    MEETING_LABELS, MEETING_ORDER, DecisionDetail, DecisionMeeting, DecisionStage, MeetingStep,
)
from .catalogue import CatalogueCategory, CatalogueKind, CatalogueRevision
from .feedback import CONCERNS, InfoRequest, Question
from .ledger import LedgerLine, VoucherImage
from .library import DOCUMENT_KINDS, Document, DocumentStatus
from .lookup import LookupLog
from .notice import CURRENT_STATUSES, PUBLIC_STATUSES, STATUS_LABELS, Notice, Status, utcnow
from .oversight import CadreRelative, RedFlag
from .place import Township, Village, VillageGroup
from .project import AssetLine, ProjectDetail, ProjectFund, Stage
from .queue import QueuedJob, WorkerHeartbeat
from .roster import RosterKey, RosterLine
from .search import SearchEntry, SearchGram
from .storage import StoredFile
from .user import LoginThrottle, Role, User

__all__ = [
    "CONCERNS", "CURRENT_STATUSES", "DOCUMENT_KINDS", "Document", "DocumentStatus", "SearchEntry", "SearchGram", "PUBLIC_STATUSES", "STATUS_LABELS",
    "AssetLine", "AuditEntry", "CadreRelative", "CalendarDay", "CatalogueCategory", "CatalogueKind", "CatalogueRevision", "DecisionDetail", "DecisionMeeting",
    "DecisionStage", "MEETING_LABELS", "MEETING_ORDER", "MeetingStep", "InfoRequest", "LedgerLine", "LoginThrottle", "LookupLog",
    "Notice", "NoticeAttachment",
    "PrintJob", "ProjectDetail", "ProjectFund", "QueuedJob", "Question", "RedFlag", "Role", "RosterKey", "RosterLine",
    "Stage", "Status", "StoredFile", "Township", "User", "Village", "VillageGroup", "VoucherImage", "WorkerHeartbeat", "utcnow",
]
