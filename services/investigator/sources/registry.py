"""Which source answers which logical entity, built from the domain's data model.

The investigator asks for an entity in logical terms (`Query("requests", tenant=…,
time_column="at", since=…)`); `Sources` rewrites that into the adopter's own terms — table,
tenant column, time column and format, fixed filters — runs it through the guarded connector,
and adds the logical fields to every row (`at`, `tenant_id`, and each mapped field, read by
column or JSON path). The adopter changes nothing on their side.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from supportflow.domain.models import DataModel, Entity, FilesSourceSpec, HttpSourceSpec, SqlSourceSpec

from .base import CircuitBreaker, GuardedSource, Query, QueryRecorder, Row, Source, json_path, parse_time
from .files import NdjsonSource
from .http import HttpJsonSource
from .sql import SqlSource

TIME = "at"
TENANT = "tenant_id"


@dataclass(frozen=True)
class EntityReader:
    """One entity on its guarded source: logical query in, logical rows out."""

    name: str
    spec: Entity
    source: GuardedSource

    def physical(self, query: Query) -> Query:
        spec = self.spec
        fields = spec.fields
        where: list[tuple[str, Any]] = [(column, value) for column, value in spec.where.items()]
        for key, value in query.where:
            where.append((fields.get(key, key), value))
        time_fields = frozenset(f for f in (spec.time_field, *spec.times) if f)
        time_fields |= frozenset(fields[k] for k in fields if fields[k] in spec.times)
        return Query(
            table=spec.table or self.name,
            tenant=query.tenant if spec.tenant_field else None,
            tenant_field=spec.tenant_field or TENANT,
            where=tuple(where),
            time_column=spec.time_field if query.time_column is not None else None,
            since=query.since if spec.time_field else None,
            until=query.until if spec.time_field else None,
            limit=query.limit,
            time_format=spec.time_format,
            time_fields=time_fields,
            json_fields=frozenset(spec.json_fields),
            items=spec.items,
            remote_filters=spec.server_filters,
        )

    @cached_property
    def _plan(self) -> tuple[tuple[str, str, str | None, bool], ...]:
        """(logical field, column, JSON path or None, is a time) per mapped field, worked out once."""
        spec = self.spec
        times = {f for f in (spec.time_field, *spec.times) if f}
        plan = []
        for logical, where in spec.fields.items():
            column, dollar, path = where.partition("$")
            is_time = column in times if not dollar else logical.endswith("_at")
            plan.append((logical, column, (path or "$") if dollar else None, is_time))
        return tuple(plan)

    def logical(self, row: Row) -> Row:
        """The row with its logical fields added in place (the adopter's columns stay as they are)."""
        spec = self.spec
        for logical, column, path, is_time in self._plan:
            value = row.get(column) if path is None else json_path(row.get(column) if column else row, path)
            if is_time and value is not None and not isinstance(value, datetime):
                value = parse_time(value, spec.time_format)
            row[logical] = value
        if spec.time_field:
            row[TIME] = row.get(spec.time_field)
        if spec.tenant_field:
            row[TENANT] = row.get(spec.tenant_field)
        return row


class CaseSources:
    """The sources as one case sees them: same connectors, a cache of its own."""

    def __init__(self, sources: Sources) -> None:
        self._sources = sources
        self._cache: dict[Query, list[Row]] = {}
        self._mapped: dict[Query, tuple[list[Row], list[Row]]] = {}

    def source_name(self, entity: str) -> str:
        return self._sources.route(entity).source.name

    def has(self, entity: str) -> bool:
        return entity in self._sources.entities

    def entity(self, name: str) -> Entity | None:
        """How the data model maps `name` (None when no configured source holds it)."""
        reader = self._sources.entities.get(name)
        return reader.spec if reader is not None else None

    async def fetch(self, query: Query) -> list[Row]:
        """Logical rows for a logical `query`; raises `SourceUnavailable` when its source cannot
        answer, `KeyError` when the domain maps no such entity."""
        reader = self._sources.route(query.table)
        physical = reader.physical(query)
        rows = await reader.source.fetch(physical, self._cache)
        mapped = self._mapped.get(physical)
        if mapped is not None and mapped[0] is rows:
            return mapped[1]
        logical = [reader.logical(row) for row in rows]
        self._mapped[physical] = (rows, logical)
        return logical


class Sources:
    """Every configured source, guarded (one breaker per source), and the entity readers."""

    def __init__(self, entities: Mapping[str, EntityReader]) -> None:
        self.entities = dict(entities)

    def route(self, entity: str) -> EntityReader:
        try:
            return self.entities[entity]
        except KeyError:
            raise KeyError(f"the domain's data model has no entity {entity!r}") from None

    def for_case(self) -> CaseSources:
        return CaseSources(self)

    @property
    def names(self) -> list[str]:
        return sorted({reader.source.name for reader in self.entities.values()})

    async def aclose(self) -> None:
        seen: set[int] = set()
        for reader in self.entities.values():
            if id(reader.source) not in seen:
                seen.add(id(reader.source))
                await reader.source.source.aclose()


def expand(value: Any) -> str:
    """A configured location with `$NAME` filled in; empty when a variable is unset."""
    return _expand(value)


def _expand(value: Any) -> str:
    text = os.path.expandvars(str(value)) if value is not None else ""
    return "" if "${" in text else text


def build_sources(
    data: DataModel,
    *,
    recorder: QueryRecorder | None = None,
    locations: Mapping[str, str] | None = None,
) -> Sources:
    """Guarded connectors for the data model's sources and a reader per entity.

    `locations` overrides a source's URL or folder by name (in-process runs over a pack). A
    source whose location is empty (an unset `${VARIABLE}`), or an HTTP source whose URL is only
    a path (`${UNSET}/statuspage`), is left out, and so are the entities on it: checks that
    read them report `unavailable`."""
    connectors: dict[str, GuardedSource] = {}
    for name, spec in data.sources.items():
        where = (locations or {}).get(name) or _expand(
            spec.url if not isinstance(spec, FilesSourceSpec) else spec.path
        )
        if not where or (isinstance(spec, HttpSourceSpec) and where.startswith("/")):
            continue
        source: Source
        if isinstance(spec, SqlSourceSpec):
            source = SqlSource(where, name=name)
        elif isinstance(spec, FilesSourceSpec):
            source = NdjsonSource(where, name=name)
        else:
            assert isinstance(spec, HttpSourceSpec)
            source = HttpJsonSource(
                where, name=name, token_env=spec.token_env, timeout_s=spec.timeout_s or data.timeout_s
            )
        connectors[name] = GuardedSource(
            source,
            timeout_s=spec.timeout_s or data.timeout_s,
            max_concurrency=data.max_concurrency,
            breaker=CircuitBreaker(data.breaker.threshold, data.breaker.reset_s),
            recorder=recorder,
        )
    readers = {
        name: EntityReader(name, entity, connectors[entity.source])
        for name, entity in data.entities.items()
        if entity.source in connectors
    }
    return Sources(readers)


def pack_sources(pack: Path, data: DataModel, scratch: Path | None = None) -> Sources:
    """Sources over a scenario pack for in-process runs: its world loaded into an SQLite file
    under `scratch` (the temp folder by default; reloaded only when the pack changed) and its
    world/ folder for the file-backed entities."""
    from supportflow.world.loader import load_pack

    db = (scratch or Path(tempfile.gettempdir())) / f"supportflow_{pack.resolve().name}.db"
    load_pack(pack, f"sqlite:///{db}")
    locations: dict[str, str] = {}
    for name, spec in data.sources.items():
        if isinstance(spec, SqlSourceSpec):
            locations[name] = f"sqlite:///{db}"
        elif isinstance(spec, FilesSourceSpec):
            locations[name] = str(pack / "world")
    relaxed = replace_timeout(data, 5.0)
    return build_sources(relaxed, locations=locations)


def replace_timeout(data: DataModel, timeout_s: float) -> DataModel:
    return data.model_copy(update={"timeout_s": timeout_s})


__all__ = ["CaseSources", "EntityReader", "Sources", "build_sources", "pack_sources"]
