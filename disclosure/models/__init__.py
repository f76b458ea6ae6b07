"""All models, importable from one place: ``from disclosure.models import Notice``."""

from . import guards  # noqa: F401  (registers the length check on every flush)

from .audit import AuditEntry, PrintJob
from .feedback import CONCERNS, InfoRequest, Question
from .ledger import LedgerLine, VoucherImage
from .lookup import LookupLog
from .notice import CURRENT_STATUSES, PUBLIC_STATUSES, STATUS_LABELS, Notice, Status, utcnow
from .oversight import CadreRelative, RedFlag
from .place import Township, Village, VillageGroup
from .project import AssetLine, ProjectDetail, ProjectFund, Stage
from .roster import RosterKey, RosterLine
from .user import LoginThrottle, Role, User

__all__ = [
    "CONCERNS", "CURRENT_STATUSES", "PUBLIC_STATUSES", "STATUS_LABELS",
    "AssetLine", "AuditEntry", "CadreRelative", "InfoRequest", "LedgerLine", "LoginThrottle", "LookupLog",
    "Notice",
    "PrintJob", "ProjectDetail", "ProjectFund", "Question", "RedFlag", "Role", "RosterKey", "RosterLine",
    "Stage", "Status", "Township", "User", "Village", "VillageGroup", "VoucherImage", "utcnow",
]
