"""Loading a demo-world pack: world/*.jsonl into the demo's SQL tables.

The layout is docs/WORLD.md "The loaded world": one table per world file, columns are the
top-level keys, nested values are JSON text, times are INTEGER epoch milliseconds (UTC).
A load is one transaction: a bad line raises `PackError` naming the file and line, and the
database keeps whatever it held before. `pack_meta` records the pack's content hash, so
loading the same pack again does nothing, and loading another pack replaces the tables.
"""

from __future__ import annotations

import hashlib
import operator
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.engine import Engine

from domains.lumen.world.conventions import WORLD_FILES
from supportflow.world.loader import LoadReport, Progress
from supportflow.world.pack import PackError, jsonl_records

TIME_COLUMNS = frozenset({"ts", "created_at", "started_at", "resolved_at"})
JSON_COLUMNS = frozenset(
    {"limits", "flags", "settings", "details", "workspace_ids", "components", "before", "after"}
)
BATCH = 20_000

# table -> (columns in order, required keys); a column not listed as INTEGER is TEXT
_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "accounts": (
        ("account_id", "name", "plan", "status", "region", "created_at", "limits", "flags"),
        ("account_id",),
    ),
    "users": (
        ("user_id", "email", "account_id", "workspace_ids", "role", "status", "sso", "created_at"),
        ("user_id", "email", "account_id"),
    ),
    "workspaces": (("workspace_id", "account_id", "name", "settings"), ("workspace_id", "account_id")),
    "events": (
        ("ts", "account_id", "workspace_id", "user_id", "type", "outcome", "details"),
        ("ts", "account_id", "type"),
    ),
    "logs": (
        (
            "ts",
            "level",
            "service",
            "account_id",
            "user_id",
            "request_id",
            "method",
            "route",
            "status",
            "error_code",
            "message",
        ),
        ("ts", "service"),
    ),
    "changes": (("ts", "account_id", "actor", "kind", "target", "before", "after", "note"), ("ts", "kind")),
    "incidents": (
        ("incident_id", "started_at", "resolved_at", "components", "status", "title", "public_message"),
        ("incident_id", "started_at"),
    ),
    "behaviours": (("behaviour_id", "title", "text"), ("behaviour_id", "text")),
}
_INTEGER_COLUMNS = TIME_COLUMNS | {"sso"}
_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("events", ("account_id", "ts")),
    ("logs", ("account_id", "ts")),
    ("logs", ("ts",)),
    ("logs", ("request_id",)),  # intake hands the investigator request ids from the ticket text
    ("changes", ("account_id", "ts")),
    ("changes", ("ts",)),
    ("users", ("email",)),
    # the investigator scopes every account read by account_id
    ("accounts", ("account_id",)),
    ("users", ("account_id",)),
    ("workspaces", ("account_id",)),
)
# Bumped when the table layout or indexes change, so an already loaded world is loaded again.
LAYOUT_VERSION = "2"


def _metadata() -> MetaData:
    metadata = MetaData()
    for name, (columns, _) in _COLUMNS.items():
        cols: list[Column[Any]] = []
        for col in columns:
            integer = col in _INTEGER_COLUMNS or (name == "logs" and col == "status")
            cols.append(Column(col, Integer()) if integer else Column(col, Text()))
        table = Table(name, metadata, *cols)
        for index_table, index_cols in _INDEXES:
            if index_table == name:
                Index(f"ix_{name}_{'_'.join(index_cols)}", *(table.c[c] for c in index_cols))
    Table("pack_meta", metadata, Column("key", Text, primary_key=True), Column("value", Text))
    return metadata


METADATA = _metadata()


def content_hash(pack: Path) -> str:
    """sha256 over the loader's layout version and the world files' names and bytes: equal hashes
    mean an equal world, loaded the same way."""
    digest = hashlib.sha256(f"layout {LAYOUT_VERSION}\0".encode())
    for name in WORLD_FILES:
        path = pack / "world" / f"{name}.jsonl"
        digest.update(name.encode() + b"\0")
        if path.exists():
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


_NESTED = frozenset({dict, list, bool})
_day_cache: dict[str, int] = {}


def _epoch_ms(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, int):
        return value  # already epoch milliseconds
    if not isinstance(value, str):
        raise ValueError("not a time")
    if len(value) == 24 and value[10] == "T" and value[19] == "." and value[23] == "Z":
        # the generator's own shape, YYYY-MM-DDTHH:MM:SS.mmmZ: a million of these must parse fast
        day = _day_cache.get(value[:10])
        if day is None:
            day = int(datetime.fromisoformat(value[:10]).replace(tzinfo=UTC).timestamp()) * 1000
            _day_cache[value[:10]] = day
        hours, minutes, seconds, millis = (
            int(value[11:13]),
            int(value[14:16]),
            int(value[17:19]),
            int(value[20:23]),
        )
        if hours > 23 or minutes > 59 or seconds > 60 or value[13] != ":" or value[16] != ":":
            raise ValueError("not a time")
        return day + ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # the format says UTC; a missing offset means UTC
    return int(parsed.timestamp() * 1000)


def _rows(path: Path, table: str) -> Iterator[tuple[Any, ...]]:
    """Validated, converted rows of one world file; raises PackError at the first bad line."""
    columns, required = _COLUMNS[table]
    required_at = [(columns.index(key), key) for key in required]
    time_at = [i for i, col in enumerate(columns) if col in TIME_COLUMNS]
    json_at = [i for i, col in enumerate(columns) if col in JSON_COLUMNS]
    plain_at = [i for i, col in enumerate(columns) if col not in TIME_COLUMNS and col not in JSON_COLUMNS]
    dumps = orjson.dumps
    pick = operator.itemgetter(*columns)
    for lineno, record in jsonl_records(path):
        try:
            row = list(pick(record))
        except KeyError:
            row = [record.get(col) for col in columns]
        for i, key in required_at:
            if row[i] is None:
                raise PackError(path, lineno, f"missing required key '{key}'")
        for i in time_at:
            if row[i] is not None:
                try:
                    row[i] = _epoch_ms(row[i])
                except (ValueError, OverflowError):
                    raise PackError(path, lineno, f"bad timestamp in '{columns[i]}': {row[i]!r}") from None
        for i in json_at:
            if row[i] is not None:
                row[i] = dumps(row[i]).decode()
        if not _NESTED.intersection(map(type, row)):
            yield tuple(row)  # the common, all-scalar row: no per-column work left
            continue
        for i in plain_at:
            kind = type(row[i])
            if kind is dict or kind is list:
                row[i] = dumps(row[i]).decode()
            elif kind is bool:
                row[i] = int(row[i])
        yield tuple(row)


def _sqlite_engine(db_url: str) -> Engine:
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":
        # pysqlite commits DDL implicitly; take transactions over so DROP/CREATE roll back too.
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute("PRAGMA cache_size=-200000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


def _loaded_hash(conn: Connection) -> tuple[str | None, dict[str, int]]:
    tables = set(inspect(conn).get_table_names())
    if "pack_meta" not in tables or not set(WORLD_FILES) <= tables:
        return None, {}
    meta = METADATA.tables["pack_meta"]
    values = {str(k): str(v) for k, v in conn.execute(select(meta.c.key, meta.c.value)).all()}
    rows = orjson.loads(values.get("rows", "{}"))
    return values.get("content_hash"), {str(k): int(v) for k, v in rows.items()}


def load_pack(pack: Path, db_url: str, *, progress: Progress | None = None) -> LoadReport:
    """Load `pack`'s world into the database at `db_url` (SQLAlchemy URL).

    Blocks until done. Idempotent: the same pack again is a no-op (`skipped=True`). Raises
    PackError for a missing world/ folder or a bad line, leaving the database unchanged.
    """
    started = time.perf_counter()
    world = pack / "world"
    if not world.is_dir():
        raise PackError(world, None, "the pack has no world/ folder")
    digest = content_hash(pack)
    engine = _sqlite_engine(db_url)
    try:
        with engine.connect() as conn:
            with conn.begin():
                loaded, rows = _loaded_hash(conn)
            if loaded == digest:
                return LoadReport(pack, digest, True, rows, time.perf_counter() - started)
            with conn.begin():
                rows = _replace_world(conn, world, progress)
                meta = METADATA.tables["pack_meta"]
                conn.execute(
                    meta.insert(),
                    [
                        {"key": "pack_path", "value": str(pack.resolve())},
                        {"key": "content_hash", "value": digest},
                        {"key": "rows", "value": orjson.dumps(rows).decode()},
                    ],
                )
    finally:
        engine.dispose()
    return LoadReport(pack, digest, False, rows, time.perf_counter() - started)


def _replace_world(conn: Connection, world: Path, progress: Progress | None) -> dict[str, int]:
    tables = [METADATA.tables[name] for name in (*WORLD_FILES, "pack_meta")]
    METADATA.drop_all(conn, tables=tables, checkfirst=True)
    for table in tables:
        table.create(conn)  # indexes come after the rows: building them once is cheaper
    for index in (i for t in tables for i in t.indexes):
        index.drop(conn)
    counts: dict[str, int] = {}
    sqlite = conn.dialect.name == "sqlite"
    for name in WORLD_FILES:
        table = METADATA.tables[name]
        path = world / f"{name}.jsonl"
        count = 0
        if path.exists():
            sql = str(table.insert().compile(dialect=conn.dialect))
            keys = [c.name for c in table.columns]
            batch: list[tuple[Any, ...]] = []
            for row in _rows(path, name):
                batch.append(row)
                if len(batch) >= BATCH:
                    count += _insert(conn, sql, table, keys, batch, sqlite)
                    batch = []
                    if progress:
                        progress(name, count)
            count += _insert(conn, sql, table, keys, batch, sqlite)
        counts[name] = count
        if progress:
            progress(name, count)
    for table in tables:
        for index in table.indexes:
            index.create(conn)
    return counts


def _insert(
    conn: Connection, sql: str, table: Table, keys: list[str], batch: list[tuple[Any, ...]], sqlite: bool
) -> int:
    if not batch:
        return 0
    if sqlite:
        conn.exec_driver_sql(sql, batch)  # positional executemany: no per-row dict building
    else:
        conn.execute(table.insert(), [dict(zip(keys, row, strict=True)) for row in batch])
    return len(batch)
