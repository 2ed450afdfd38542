"""NDJSON connector: reads a scenario pack's `world/<table>.jsonl` files directly."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from .base import Query, Row, matches, normalize_row, sort_and_limit


class NdjsonSource:
    """Answers queries from `<folder>/<table>.jsonl`, one JSON object per line.

    Files are parsed once in a worker thread and kept in memory (they are small reference
    data: incidents, behaviours); a file that changes on disk is re-read (mtime check).
    A missing file raises FileNotFoundError, which the guard reports as unavailable.
    """

    def __init__(self, folder: str | Path, *, name: str = "files") -> None:
        self.name = name
        self.folder = Path(folder)
        self._tables: dict[tuple[str, str, frozenset[str], frozenset[str]], tuple[float, list[Row]]] = {}

    def _load(self, query: Query) -> list[Row]:
        path = self.folder / f"{query.table}.jsonl"
        mtime = path.stat().st_mtime
        key = (query.table, query.time_format, query.time_fields, query.json_fields)
        cached = self._tables.get(key)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        rows: list[Row] = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    rows.append(normalize_row(json.loads(line), query))
        self._tables[key] = (mtime, rows)
        return rows

    def _run(self, query: Query) -> list[Row]:
        rows = [row for row in self._load(query) if matches(row, query)]
        return sort_and_limit(rows, query)

    async def fetch(self, query: Query) -> list[Row]:
        return await asyncio.to_thread(self._run, query)

    async def aclose(self) -> None:
        self._tables.clear()
