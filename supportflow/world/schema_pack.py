"""Loading a pack whose world is an adopter's own schema: `world/schema.sql` and one
`world/<table>.jsonl` per table, rows inserted as they are.

The adopter's tables keep their names, columns and time formats (epoch seconds, ISO text …):
the domain's data model maps them, nothing is reshaped here. Nested JSON values are stored as
JSON text. One transaction: a bad line raises `PackError` naming the file and line and the
database keeps what it held; the same pack again is a no-op (content hash in `pack_meta`).
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, inspect, text

from supportflow.world.pack import PackError, jsonl_records

SCHEMA = "schema.sql"
_STATEMENT_END = re.compile(r";\s*(?:\n|$)")


def is_schema_pack(pack: Path) -> bool:
    return (pack / "world" / SCHEMA).is_file()


def schema_hash(pack: Path) -> str:
    digest = hashlib.sha256(b"schema-pack 1\0")
    for path in sorted((pack / "world").iterdir()):
        if path.suffix in (".sql", ".jsonl"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in _STATEMENT_END.split("\n".join(lines)) if part.strip()]


def _value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


def load_schema_pack(pack: Path, db_url: str) -> dict[str, int]:
    """Create the pack's tables from schema.sql and insert every world/<table>.jsonl row.
    Returns rows per table (empty when the database already held this pack)."""
    world = pack / "world"
    digest = schema_hash(pack)
    engine = create_engine(db_url)
    rows: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            if "pack_meta" in existing:
                held = conn.execute(text("SELECT value FROM pack_meta WHERE key = 'content_hash'")).scalar()
                if held == digest:
                    return {}
            for table in existing:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
            for statement in _statements((world / SCHEMA).read_text(encoding="utf-8")):
                conn.exec_driver_sql(statement)
            for table in inspect(conn).get_table_names():
                path = world / f"{table}.jsonl"
                if not path.is_file():
                    continue
                columns = [c["name"] for c in inspect(conn).get_columns(table)]
                batch: list[dict[str, Any]] = []
                for number, record in jsonl_records(path):
                    unknown = set(record) - set(columns)
                    if unknown:
                        raise PackError(path, number, f"columns not in {SCHEMA}: {sorted(unknown)}")
                    batch.append({c: _value(record.get(c)) for c in columns})
                if batch:
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join(f":{c}" for c in columns)
                    conn.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({marks})'), batch)
                rows[table] = len(batch)
            conn.exec_driver_sql("CREATE TABLE pack_meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute(
                text("INSERT INTO pack_meta (key, value) VALUES (:k, :v)"),
                [
                    {"k": "pack_path", "v": str(pack.resolve())},
                    {"k": "content_hash", "v": digest},
                    {"k": "loaded_at", "v": str(time.time())},
                ],
            )
    finally:
        engine.dispose()
    return rows
