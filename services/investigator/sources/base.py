"""The one small async interface every source of truth sits behind, and the guard around it.

A `Source` only knows how to answer a `Query`. Everything that keeps the investigator safe —
per-call timeout, bounded concurrency, a circuit breaker, the per-case cache and the query
recorder — lives once in `GuardedSource`, so a connector stays a few lines of I/O.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

Row = dict[str, Any]
Scalar = str | int | float | bool | None
TimeFormat = str  # iso | epoch_s | epoch_ms


@dataclass(frozen=True)
class Query:
    """One read: rows of `table` matching every equality in `where` inside a time range.

    The investigator asks in logical terms (an entity of the domain's data model, logical
    field names); `Sources` turns that into the physical query its connector runs (the
    adopter's table, tenant column, time column and time format) and maps the rows back.

    `tenant` is the tenant scope and is always applied as a filter on `tenant_field` when set;
    it is None only for global entities (incidents, behaviours, deploys) and for the identity
    lookup by email. `where` values of None mean IS NULL. `since`/`until` bound `time_column`
    (inclusive); either may be None. `time_format` says how the connector stores times;
    `time_fields` and `json_fields` are the columns it turns into datetimes and decoded JSON.
    """

    table: str
    tenant: str | None = None
    where: tuple[tuple[str, Scalar], ...] = ()
    time_column: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 5000
    tenant_field: str = "tenant_id"
    time_format: TimeFormat = "iso"
    time_fields: frozenset[str] = frozenset()
    json_fields: frozenset[str] = frozenset()
    items: str | None = None
    """HTTP: the JSON path of the rows in the answer (`$.incidents`)."""
    remote_filters: bool = True
    """HTTP: send the filters as URL parameters (rows are filtered locally either way)."""

    def filters(self) -> dict[str, Scalar]:
        out: dict[str, Scalar] = dict(self.where)
        if self.tenant is not None:
            out[self.tenant_field] = self.tenant
        return out

    def params(self) -> dict[str, str]:
        """The query as it is shown in Evidence and the query log: plain strings."""
        out = {"table": self.table}
        for key, value in self.filters().items():
            out[key] = "null" if value is None else str(value)
        if self.since is not None:
            out["since"] = iso(self.since)
        if self.until is not None:
            out["until"] = iso(self.until)
        return out

    def stored_time(self, moment: datetime) -> int | str:
        """`moment` as the connector stores it."""
        if self.time_format == "epoch_ms":
            return to_ms(moment)
        if self.time_format == "epoch_s":
            return int(moment.timestamp())
        return iso(moment)


class SourceUnavailable(Exception):
    """A source could not answer: down, slow, raising, or its circuit is open."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class Source(Protocol):
    """A read-only connector to one source of truth.

    Contract:
    - `fetch` never writes and never widens the query: it returns the rows of `query.table`
      matching all of `query.filters()` and the time range, oldest first, at most
      `query.limit`, with `query.time_fields` as aware UTC datetimes and `query.json_fields`
      decoded (see `normalize_row`).
    - It must not block the event loop: blocking drivers run in a worker thread.
    - It may raise anything and may take arbitrarily long; callers never call it directly but
      through `GuardedSource`, which bounds each call by a timeout and turns every failure into
      `SourceUnavailable`.
    - `aclose` releases connections; it is idempotent.
    """

    name: str

    async def fetch(self, query: Query) -> list[Row]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class QueryRecord:
    """One query as a connector was asked to run it (or answered from the case cache)."""

    source: str
    table: str
    tenant: str | None
    filters: dict[str, str]
    cached: bool
    outcome: str  # ok | timeout | error | circuit_open
    rows: int
    latency_s: float


class QueryRecorder(Protocol):
    """A hook that sees every query; must be cheap and must not raise."""

    def record(self, entry: QueryRecord) -> None: ...


@dataclass
class QueryLog:
    """The simplest recorder: keeps every query in memory (tests and audit)."""

    records: list[QueryRecord] = field(default_factory=list)

    def record(self, entry: QueryRecord) -> None:
        self.records.append(entry)

    def accounts_touched(self) -> set[str]:
        """Every tenant id a query was scoped to or filtered on (by `tenant_field`)."""
        touched: set[str] = set()
        for entry in self.records:
            if entry.tenant:
                touched.add(entry.tenant)
        return touched


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; lets one trial call through after `reset_s`."""

    def __init__(self, threshold: int = 3, reset_s: float = 30.0) -> None:
        self.threshold = threshold
        self.reset_s = reset_s
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if time.monotonic() - self.opened_at >= self.reset_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        return self.state != "open"

    def succeeded(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = time.monotonic()


class GuardedSource:
    """Wraps a `Source` with a timeout per call, a semaphore, a circuit breaker and the recorder.

    Shared by every case (the breaker and the semaphore are per source, not per case); the
    cache is passed in per case by `CaseSources`.
    """

    def __init__(
        self,
        source: Source,
        *,
        timeout_s: float = 2.0,
        max_concurrency: int = 8,
        breaker: CircuitBreaker | None = None,
        recorder: QueryRecorder | None = None,
    ) -> None:
        self.source = source
        self.name = source.name
        self.timeout_s = timeout_s
        self.breaker = breaker or CircuitBreaker()
        self.recorder = recorder
        self._semaphore = asyncio.Semaphore(max_concurrency)

    async def fetch(self, query: Query, cache: MutableMapping[Query, list[Row]] | None = None) -> list[Row]:
        if cache is not None and query in cache:
            rows = cache[query]
            self._record(query, cached=True, outcome="ok", rows=len(rows), latency_s=0.0)
            return rows
        if not self.breaker.allow():
            self._record(query, cached=False, outcome="circuit_open", rows=0, latency_s=0.0)
            raise SourceUnavailable(self.name, "circuit open after repeated failures")
        started = time.perf_counter()
        try:
            async with self._semaphore:
                rows = await asyncio.wait_for(self.source.fetch(query), timeout=self.timeout_s)
        except TimeoutError:
            self.breaker.failed()
            self._record(query, False, "timeout", 0, time.perf_counter() - started)
            raise SourceUnavailable(self.name, f"no answer within {self.timeout_s:g}s") from None
        except Exception as exc:  # a connector may raise anything; the case must go on
            self.breaker.failed()
            self._record(query, False, "error", 0, time.perf_counter() - started)
            raise SourceUnavailable(self.name, f"{type(exc).__name__}: {exc}"[:200]) from exc
        self.breaker.succeeded()
        self._record(query, False, "ok", len(rows), time.perf_counter() - started)
        if cache is not None:
            cache[query] = rows
        return rows

    def _record(self, query: Query, cached: bool, outcome: str, rows: int, latency_s: float) -> None:
        if self.recorder is None:
            return
        self.recorder.record(
            QueryRecord(
                source=self.name,
                table=query.table,
                tenant=query.tenant,
                filters=query.params(),
                cached=cached,
                outcome=outcome,
                rows=rows,
                latency_s=latency_s,
            )
        )


# --- row normalization shared by every connector ------------------------------------------


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def parse_time(value: Any, time_format: TimeFormat = "iso") -> datetime | None:
    """A stored time as an aware UTC datetime: ISO-8601 text, or epoch seconds / milliseconds
    (numbers, or digits in text) as `time_format` says."""
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) else None
    per_second = 1 if time_format == "epoch_s" else 1000
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / per_second, tz=UTC)
    text = str(value).strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / per_second, tz=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def decode_json(text: str) -> Any:
    """A JSON column's value; text that is not JSON stays text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def normalize_row(row: Mapping[str, Any], query: Query) -> Row:
    """A stored row with the query's time columns as datetimes and JSON columns decoded."""
    out: Row = {}
    for key, value in row.items():
        if key in query.time_fields:
            out[key] = parse_time(value, query.time_format)
        elif key in query.json_fields and isinstance(value, str):
            out[key] = decode_json(value)
        else:
            out[key] = value
    return out


def row_builder(columns: Sequence[str], query: Query) -> Callable[[Sequence[Any]], Row]:
    """`normalize_row(dict(zip(columns, values)), query)` with the per-column decisions taken
    once per result set instead of once per cell: a connector that reads positional rows calls this."""
    keys = tuple(columns)
    unique = tuple(dict.fromkeys(keys))
    times = tuple(key for key in unique if key in query.time_fields)
    texts = tuple(key for key in unique if key in query.json_fields)
    time_format = query.time_format

    def build(values: Sequence[Any]) -> Row:
        row: Row = dict(zip(keys, values, strict=True))
        for key in times:
            row[key] = parse_time(row[key], time_format)
        for key in texts:
            value = row[key]
            if isinstance(value, str):
                row[key] = decode_json(value)
        return row

    return build


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def json_path(value: Any, path: str) -> Any:
    """A value inside parsed JSON: `$.error.code`, `components[*].name`, `updates[0].body`.

    `[*]` collects a list; a missing step gives None. Text that holds JSON is parsed on the way
    (error bodies are often stored as JSON text)."""
    current: list[Any] = [value]
    spread = False
    for name, index in _PATH_PART.findall(path.removeprefix("$").lstrip(".")):
        step: list[Any] = []
        for item in current:
            if isinstance(item, str) and item[:1] in "{[":
                item = decode_json(item)
            if name:
                if isinstance(item, Mapping) and name in item:
                    step.append(item[name])
            elif index == "*":
                spread = True
                if isinstance(item, list):
                    step.extend(item)
            elif isinstance(item, list) and int(index) < len(item):
                step.append(item[int(index)])
        current = step
    if spread:
        return current
    return current[0] if current else None


def matches(row: Mapping[str, Any], query: Query) -> bool:
    """Whether a normalized row answers `query` (used by connectors that filter in Python)."""
    for key, expected in query.filters().items():
        if row.get(key) != expected:
            return False
    if query.time_column is not None:
        moment = row.get(query.time_column)
        if not isinstance(moment, datetime):
            return query.since is None and query.until is None
        if query.since is not None and moment < query.since:
            return False
        if query.until is not None and moment > query.until:
            return False
    return True


def sort_and_limit(rows: list[Row], query: Query) -> list[Row]:
    if query.time_column is not None:
        column = query.time_column
        floor = datetime.min.replace(tzinfo=UTC)
        rows.sort(key=lambda row: row.get(column) or floor)
    return rows[: query.limit]
