"""What every check sees of one case: the verified scope, the window, and scoped reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from supportflow.events import IntakeSection

from .signals import TicketSignals
from .sources import CaseSources, Query, Row
from .sources.base import parse_time
from .sources.registry import TIME

HOUR = timedelta(hours=1)
# The logical entities the engine reads by name; a domain's data model maps them (and any
# others its checks read) onto its own sources.
TENANTS, MEMBERS, SCOPES = "tenants", "members", "scopes"
EVENTS, REQUESTS, CHANGES, DEPLOYS = "events", "requests", "changes", "deploys"
INCIDENTS, BEHAVIOURS = "incidents", "behaviours"


def status_of(row: Row) -> int | None:
    value = row.get("status")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def code_of(row: Row) -> str:
    return str(row.get("error_code") or "").upper()


def details_of(row: Row) -> dict[str, Any]:
    details = row.get("details")
    return details if isinstance(details, dict) else {}


def moment_of(value: Any) -> datetime | None:
    """A time as a source gives it: a datetime, or text `parse_time` reads (None otherwise)."""
    if isinstance(value, datetime):
        return value
    try:
        return parse_time(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def incident_as_of(
    row: Row, as_of: datetime | None, resolved_field: str = "resolved_at", status_field: str = "status"
) -> Row:
    """An incident as the status page showed it at `as_of` (the ticket's arrival; None: now).

    Resolved after then, it was still open. Its message and status are those of the latest of its
    public updates (`updates`: {body, status, created_at}, as a status page lists them) posted by
    then; without timed updates, an incident resolved since keeps no message (its one message may
    be the resolution note), and an open one keeps the page's latest."""
    timed = [
        (at, update)
        for update in row.get("updates") or ()
        if isinstance(update, Mapping) and (at := moment_of(update.get("created_at"))) is not None
    ]
    ended = moment_of(row.get(resolved_field))
    later = as_of is not None and ended is not None and ended > as_of
    if not timed and not later:
        return row
    shown = dict(row)
    if later:
        shown.update({resolved_field: None, status_field: "open", "public_message": None})
    known = [(at, update) for at, update in timed if as_of is None or at <= as_of]
    if known:
        latest = max(known, key=lambda pair: pair[0])[1]
        shown["public_message"] = latest.get("body")
        shown[status_field] = latest.get("status") or shown.get(status_field)
    elif timed:
        shown["public_message"] = None
    return shown


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown time"


def peak_per_window(times: Iterable[datetime], width: timedelta) -> int:
    ordered = sorted(times)
    best = 0
    start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] > width:
            start += 1
        best = max(best, end - start + 1)
    return best


@dataclass
class CaseContext:
    """One case's verified scope. Every read goes through the helpers below, which always
    filter on the verified tenant (entities without a tenant field are global: incidents,
    deploys, documented behaviours). Entities are the domain data model's logical names;
    rows carry the adopter's columns plus the logical fields (`at`, `tenant_id`, mapped ones)."""

    intake: IntakeSection
    sources: CaseSources
    tenant_id: str
    requester: Row
    subject: Row
    scope_id: str | None
    window_start: datetime
    window_end: datetime
    signals: TicketSignals
    as_of: datetime | None = None
    """When the ticket arrived: what a source says happened later (a status page's later
    update, an incident resolved since) is not yet known to the case (None: no such cut)."""
    settings: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    reads: list[Query] = field(default_factory=list)
    _held: dict[str, tuple[datetime, list[Row]]] = field(default_factory=dict, repr=False)

    def hours(self, name: str, default: float) -> timedelta:
        return timedelta(hours=self.settings.get(name, default))

    def has(self, entity: str) -> bool:
        return self.sources.has(entity)

    async def _fetch(self, query: Query) -> list[Row]:
        self.reads.append(query)
        return await self.sources.fetch(query)

    async def tenant(self) -> Row:
        rows = await self._fetch(Query(TENANTS, tenant=self.tenant_id, limit=1))
        return rows[0] if rows else {}

    async def members(self) -> list[Row]:
        return await self._fetch(Query(MEMBERS, tenant=self.tenant_id))

    async def scopes(self) -> list[Row]:
        return await self._fetch(Query(SCOPES, tenant=self.tenant_id))

    async def rows(
        self, entity: str, since: datetime | None = None, where: tuple[tuple[str, Any], ...] = ()
    ) -> list[Row]:
        """The tenant's rows of `entity` from `since` (the window's start by default) to the
        window's end; `where` adds equality filters on logical fields. Rows of the same entity
        without filters are read once per case (see `_window_rows`)."""
        if not where:
            return await self._window_rows(entity, since or self.window_start)
        return await self._fetch(
            Query(
                entity,
                tenant=self.tenant_id,
                where=where,
                time_column=TIME,
                since=since or self.window_start,
                until=self.window_end,
            )
        )

    async def all_rows(self, entity: str, where: tuple[tuple[str, Any], ...] = ()) -> list[Row]:
        """The tenant's rows of `entity` regardless of time (state tables: keys, settings)."""
        return await self._fetch(Query(entity, tenant=self.tenant_id, where=where))

    async def events(self, since: datetime | None = None) -> list[Row]:
        return await self._window_rows(EVENTS, since or self.window_start)

    async def requests(self, since: datetime | None = None) -> list[Row]:
        return await self._window_rows(REQUESTS, since or self.window_start)

    async def _window_rows(self, entity: str, since: datetime) -> list[Row]:
        """The tenant's rows of `entity` from `since` to the window's end.

        Checks look back by different amounts over the same rows (the survey a day, the spike
        check six hours, the deploy check a day and more): what one already read is kept, a
        shorter look is answered from it, and a longer one reads only the earlier stretch.
        The check's evidence shows the whole window it looked at."""
        wanted = Query(entity, tenant=self.tenant_id, time_column=TIME, since=since, until=self.window_end)
        self.reads.append(wanted)
        held = self._held.get(entity)
        if held is not None and since >= held[0]:
            return [row for row in held[1] if row[TIME] >= since]
        if held is None:
            rows = await self.sources.fetch(wanted)
        else:
            earlier = await self.sources.fetch(replace(wanted, until=held[0] - timedelta(microseconds=1)))
            rows = [*earlier, *held[1]]
        self._held[entity] = (since, rows)
        return rows

    async def changes(self, since: datetime) -> list[Row]:
        return await self._fetch(
            Query(CHANGES, tenant=self.tenant_id, time_column=TIME, since=since, until=self.window_end)
        )

    async def deploys(self, since: datetime) -> list[Row]:
        """The platform's own deploys (global rows, never another tenant's data)."""
        return await self._fetch(Query(DEPLOYS, time_column=TIME, since=since, until=self.window_end))

    async def incidents(self) -> list[Row]:
        """Incidents that started before the window ended and were not resolved before it began,
        as they stood when the ticket arrived (`incident_as_of`; one begun later is not known)."""
        rows = await self._fetch(Query(INCIDENTS, time_column=TIME, until=self.known_by()))
        shown = (incident_as_of(row, self.as_of) for row in rows)
        return [
            row for row in shown if row.get("resolved_at") is None or row["resolved_at"] >= self.window_start
        ]

    def known_by(self) -> datetime:
        """The window's end, or the ticket's arrival when that came first: what began later was
        not yet known to the case."""
        return min(self.window_end, self.as_of) if self.as_of else self.window_end

    async def behaviours(self) -> list[Row]:
        return await self._fetch(Query(BEHAVIOURS))

    async def member_label(self, member_id: object) -> str:
        for member in await self.members():
            if member.get("member_id") == member_id:
                return str(member.get("email") or member_id)
        return str(member_id or "a user")

    def relevant(self, events: list[Row]) -> list[Row]:
        """Events about the ticket's object; all events when none match."""
        matching = [e for e in events if self.signals.object_matches(str(e.get("type") or ""))]
        return matching or events
