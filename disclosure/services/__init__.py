"""Plain-function services. They never read ``request`` and never commit:
the caller (a view, a CLI command) commits once."""

from ..errors import ServiceError

__all__ = ["ServiceError"]
