"""Which source answers which world table, built from the domain configuration."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .base import CircuitBreaker, GuardedSource, Query, QueryRecorder, Row, Source
from .files import NdjsonSource
from .http import HttpJsonSource
from .sql import SqlSource

WORLD_TABLES = ("accounts", "users", "workspaces", "events", "logs", "changes", "incidents", "behaviours")


class CaseSources:
    """The sources as one case sees them: same connectors, a cache of its own."""

    def __init__(self, sources: Sources) -> None:
        self._sources = sources
        self._cache: dict[Query, list[Row]] = {}

    def source_name(self, table: str) -> str:
        return self._sources.route(table).name

    async def fetch(self, query: Query) -> list[Row]:
        """Rows for `query`; raises `SourceUnavailable` when its source cannot answer."""
        return await self._sources.route(query.table).fetch(query, self._cache)


class Sources:
    """Every configured source, guarded, and the table → source routing. Shared by all cases."""

    def __init__(self, tables: Mapping[str, GuardedSource]) -> None:
        self.tables = dict(tables)

    def route(self, table: str) -> GuardedSource:
        try:
            return self.tables[table]
        except KeyError:
            raise KeyError(f"no source configured for table {table!r}") from None

    def for_case(self) -> CaseSources:
        return CaseSources(self)

    @property
    def names(self) -> list[str]:
        return sorted({guarded.name for guarded in self.tables.values()})

    async def aclose(self) -> None:
        seen: set[int] = set()
        for guarded in self.tables.values():
            if id(guarded) not in seen:
                seen.add(id(guarded))
                await guarded.source.aclose()


def _expand(value: Any) -> str:
    text = os.path.expandvars(str(value)) if value is not None else ""
    return "" if "${" in text else text


def build_sources(config: Mapping[str, Any], *, recorder: QueryRecorder | None = None) -> Sources:
    """Build the guarded sources from the domain YAML's `sources:` mapping (or the whole file).

    Keys read:
      sql: {url, timeout_s}                    every world table unless routed elsewhere
      files: {path, timeout_s}                 a pack's world/ folder; answers incidents and
                                               behaviours (every table when there is no sql)
      http: {incidents: {url, timeout_s, token_env}, logs: {...}}
      tables: {<table>: sql|files|http.incidents|http.logs}   explicit overrides
      timeout_s, max_concurrency, breaker: {threshold, reset_s}
    """
    section: Mapping[str, Any] = config.get("sources", config)
    timeout_s = float(section.get("timeout_s", 2.0))
    concurrency = int(section.get("max_concurrency", 8))
    breaker_cfg: Mapping[str, Any] = section.get("breaker") or {}

    def guard(source: Source, cfg: Mapping[str, Any]) -> GuardedSource:
        return GuardedSource(
            source,
            timeout_s=float(cfg.get("timeout_s", timeout_s)),
            max_concurrency=concurrency,
            breaker=CircuitBreaker(
                int(breaker_cfg.get("threshold", 3)), float(breaker_cfg.get("reset_s", 30.0))
            ),
            recorder=recorder,
        )

    named: dict[str, GuardedSource] = {}
    sql_cfg: Mapping[str, Any] = section.get("sql") or {}
    if sql_url := _expand(sql_cfg.get("url")):
        named["sql"] = guard(SqlSource(sql_url), sql_cfg)
    files_cfg: Mapping[str, Any] = section.get("files") or {}
    if files_path := _expand(files_cfg.get("path")):
        named["files"] = guard(NdjsonSource(files_path), files_cfg)
    http_cfg: Mapping[str, Any] = section.get("http") or {}
    for api, api_cfg in http_cfg.items():
        if url := _expand(api_cfg.get("url")):
            source = HttpJsonSource(
                url,
                name=f"http.{api}",
                token_env=api_cfg.get("token_env"),
                timeout_s=float(api_cfg.get("timeout_s", timeout_s)),
            )
            named[f"http.{api}"] = guard(source, api_cfg)

    routes: dict[str, GuardedSource] = {}
    default = named.get("sql") or named.get("files")
    for table in WORLD_TABLES:
        if default is not None:
            routes[table] = default
    if "files" in named:
        for table in ("incidents", "behaviours"):
            routes[table] = named["files"]
    for api in ("incidents", "logs"):
        if f"http.{api}" in named:
            routes[api] = named[f"http.{api}"]
    for table, source_name in (section.get("tables") or {}).items():
        if source_name not in named:
            raise ValueError(f"table {table!r} routed to unknown source {source_name!r}")
        routes[table] = named[source_name]
    return Sources(routes)


def pack_sources(pack: Path, scratch: Path | None = None) -> Sources:
    """Sources over a scenario pack for in-process runs: its world loaded into an SQLite file
    under `scratch` (the temp folder by default; reloaded only when the pack changed) and its
    world/ folder for the file-backed tables."""
    from supportflow.world.loader import load_pack

    db = (scratch or Path(tempfile.gettempdir())) / f"supportflow_{pack.resolve().name}.db"
    load_pack(pack, f"sqlite:///{db}")
    return build_sources(
        {"sql": {"url": f"sqlite:///{db}"}, "files": {"path": str(pack / "world")}, "timeout_s": 5}
    )
