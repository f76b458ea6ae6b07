"""How pooled database connections are checked before use.

SQLAlchemy's ``pool_pre_ping`` pings on every checkout: on PostgreSQL one more
round trip on every request, one of a rendered public page's few. A connection
given back to the pool moments ago is alive; one that sat idle may have been
closed by a restarted server, a failover or a firewall. So only a connection
idle for ``DB_IDLE_PING_SECONDS`` or more is pinged; a dead one is replaced
(and the rest of the pool with it) before the request uses it.
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine


def ping_when_idle(engine: Engine, seconds: float) -> None:
    """Ping a connection on checkout when it was idle ``seconds`` or more (0: every time)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, proxy) -> None:  # noqa: ANN001
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < seconds:
            return  # a new connection, or one in use moments ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            # The server went away: this connection and every older one are dead; the pool reconnects.
            raise exc.InvalidatePoolError(f"idle connection lost: {err}") from err
