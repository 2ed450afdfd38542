"""SQL connector (SQLAlchemy Core): SQLite embedded by default, any SQLAlchemy URL in production."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .base import Query, Row, normalize_row, to_ms

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def sqlalchemy_url(url_or_path: str) -> str:
    """A SQLAlchemy URL; a bare file path becomes a read-only SQLite URL."""
    if "://" in url_or_path:
        return url_or_path
    path = Path(url_or_path).expanduser().resolve()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


class SqlSource:
    """Reads the loaded world with SELECTs built by SQLAlchemy Core.

    Blocking DBAPI calls run in a worker thread (`asyncio.to_thread`), so the event loop never
    blocks; a call abandoned by the guard's timeout finishes in its thread and is discarded.
    Only SELECT statements are built; a bare SQLite path is opened with `mode=ro`.
    """

    def __init__(self, url: str, *, name: str = "sql") -> None:
        self.name = name
        full_url = sqlalchemy_url(url)
        connect_args: dict[str, Any] = {}
        if full_url.startswith("sqlite"):
            connect_args["check_same_thread"] = False
        self.engine: Engine = sa.create_engine(full_url, connect_args=connect_args)

    def _statement(self, query: Query) -> sa.Select[Any]:
        for column in (query.table, *query.filters(), query.time_column or "ts"):
            if not _IDENTIFIER.match(column):
                raise ValueError(f"not an identifier: {column!r}")
        table = sa.table(query.table)
        stmt: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(table)
        for key, value in query.filters().items():
            col: sa.ColumnClause[Any] = sa.column(key)
            stmt = stmt.where(col.is_(None) if value is None else col == value)
        if query.time_column is not None:
            time_col: sa.ColumnClause[Any] = sa.column(query.time_column)
            if query.since is not None:
                stmt = stmt.where(time_col >= to_ms(query.since))
            if query.until is not None:
                stmt = stmt.where(time_col <= to_ms(query.until))
            stmt = stmt.order_by(time_col)
        return stmt.limit(query.limit)

    def _run(self, query: Query) -> list[Row]:
        stmt = self._statement(query)
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            return [normalize_row(dict(row._mapping)) for row in result]

    async def fetch(self, query: Query) -> list[Row]:
        return await asyncio.to_thread(self._run, query)

    async def aclose(self) -> None:
        self.engine.dispose()
