"""Pure import parsers: a clerk's .xlsx or .csv bytes → rows + problems.

No database, no Flask. Callers store nothing unless ``result.ok``.
"""

from .ledger import parse_ledger
from .model import SKIP_KINDS, LedgerRow, ParseResult, Problem, RosterRow
from .reader import MAX_BYTES, MAX_DATA_ROWS
from .roster import parse_roster, relief_reason

__all__ = [
    "MAX_BYTES",
    "MAX_DATA_ROWS",
    "LedgerRow",
    "ParseResult",
    "Problem",
    "RosterRow",
    "SKIP_KINDS",
    "parse_ledger",
    "parse_roster",
    "relief_reason",
]
