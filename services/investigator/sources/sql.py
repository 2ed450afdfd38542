"""SQL connector (SQLAlchemy Core): SQLite embedded by default, any SQLAlchemy URL in production."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.compiler import SQLCompiler

from .base import Query, Row, row_builder

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def sqlalchemy_url(url_or_path: str) -> str:
    """A SQLAlchemy URL; a bare file path becomes a read-only SQLite URL."""
    if "://" in url_or_path:
        return url_or_path
    path = Path(url_or_path).expanduser().resolve()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


# What a statement depends on besides its parameter values: the table, each filter column and
# whether it is an IS NULL test, the time column, which time bounds are set, and the limit
# (a literal, as before: some dialects render it as TOP and cannot take it as a parameter).
Shape = tuple[str, tuple[tuple[str, bool], ...], str | None, bool, bool, int]


@dataclass(frozen=True)
class _Plan:
    """One query shape's SELECT, compiled once for the engine's dialect."""

    statement: sa.Select[Any]
    sql: str
    compiled: SQLCompiler
    raw: bool  # False when the dialect renders values into the SQL at execution time


def _shape(query: Query) -> Shape:
    filters = tuple((key, value is None) for key, value in query.filters().items())
    time_column, since, until = query.time_column, query.since is not None, query.until is not None
    return query.table, filters, time_column, since, until, query.limit


def _params(query: Query) -> dict[str, Any]:
    params: dict[str, Any] = {
        f"f_{key}": value for key, value in query.filters().items() if value is not None
    }
    if query.time_column is not None:
        if query.since is not None:
            params["since"] = query.stored_time(query.since)
        if query.until is not None:
            params["until"] = query.stored_time(query.until)
    return params


class SqlSource:
    """Reads the loaded world with SELECTs built by SQLAlchemy Core.

    Blocking DBAPI calls run in a worker thread (`asyncio.to_thread`), so the event loop never
    blocks; a call abandoned by the guard's timeout finishes in its thread and is discarded.
    Only SELECT statements are built; a bare SQLite path is opened with `mode=ro`.
    Each query shape is built and compiled once; a query then costs one pooled DBAPI execute.
    """

    def __init__(self, url: str, *, name: str = "sql") -> None:
        self.name = name
        full_url = sqlalchemy_url(url)
        connect_args: dict[str, Any] = {}
        if full_url.startswith("sqlite"):
            connect_args["check_same_thread"] = False
        self.engine: Engine = sa.create_engine(full_url, connect_args=connect_args)
        self._plans: dict[Shape, _Plan] = {}

    def _plan(self, query: Query) -> _Plan:
        shape = _shape(query)
        plan = self._plans.get(shape)
        if plan is None:
            plan = self._plans[shape] = self._compile(shape)  # a race compiles twice, harmlessly
        return plan

    def _compile(self, shape: Shape) -> _Plan:
        table_name, filters, time_column, since, until, limit = shape
        for column in (table_name, *(key for key, _ in filters), time_column or "ts"):
            if not _IDENTIFIER.match(column):
                raise ValueError(f"not an identifier: {column!r}")
        stmt: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(sa.table(table_name))
        for key, is_null in filters:
            col: sa.ColumnClause[Any] = sa.column(key)
            stmt = stmt.where(col.is_(None) if is_null else col == sa.bindparam(f"f_{key}"))
        if time_column is not None:
            time_col: sa.ColumnClause[Any] = sa.column(time_column)
            if since:
                stmt = stmt.where(time_col >= sa.bindparam("since"))
            if until:
                stmt = stmt.where(time_col <= sa.bindparam("until"))
            stmt = stmt.order_by(time_col)
        stmt = stmt.limit(limit)
        compiled = stmt.compile(dialect=self.engine.dialect)
        raw = not (compiled.literal_execute_params or compiled.post_compile_params)
        return _Plan(stmt, compiled.string, compiled, raw)

    def _run(self, query: Query) -> list[Row]:
        plan = self._plan(query)
        params = _params(query)
        if not plan.raw:
            with self.engine.connect() as connection:
                result = connection.execute(plan.statement, params)
                build = row_builder(list(result.keys()), query)
                return [build(row) for row in result]
        bound = plan.compiled.construct_params(params)
        positions = plan.compiled.positiontup
        args: Any = bound if positions is None else tuple(bound[name] for name in positions)
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(plan.sql, args)
                build = row_builder([column[0] for column in cursor.description], query)
                values = cursor.fetchall()
            finally:
                cursor.close()
        except BaseException:
            conn.invalidate()  # a broken connection must not go back to the pool
            raise
        finally:
            conn.close()
        return [build(row) for row in values]

    async def fetch(self, query: Query) -> list[Row]:
        return await asyncio.to_thread(self._run, query)

    async def aclose(self) -> None:
        self.engine.dispose()
