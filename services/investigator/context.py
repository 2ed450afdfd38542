"""What every check sees of one case: the verified scope, the window, and scoped reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from supportflow.events import IntakeSection

from .signals import TicketSignals
from .sources import CaseSources, Query, Row

HOUR = timedelta(hours=1)


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
    """One case's verified scope. Every read goes through the scoped helpers below, which
    always filter on the verified `account_id` (or on account_id IS NULL for global rows)."""

    intake: IntakeSection
    sources: CaseSources
    account_id: str
    requester: Row
    subject: Row
    workspace_id: str | None
    window_start: datetime
    window_end: datetime
    signals: TicketSignals
    settings: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    reads: list[Query] = field(default_factory=list)
    _held: dict[str, tuple[datetime, list[Row]]] = field(default_factory=dict, repr=False)

    def hours(self, name: str, default: float) -> timedelta:
        return timedelta(hours=self.settings.get(name, default))

    async def _fetch(self, query: Query) -> list[Row]:
        self.reads.append(query)
        return await self.sources.fetch(query)

    async def account(self) -> Row:
        rows = await self._fetch(Query("accounts", account_id=self.account_id, limit=1))
        return rows[0] if rows else {}

    async def users(self) -> list[Row]:
        return await self._fetch(Query("users", account_id=self.account_id))

    async def workspaces(self) -> list[Row]:
        return await self._fetch(Query("workspaces", account_id=self.account_id))

    async def events(self, since: datetime | None = None) -> list[Row]:
        return await self._window_rows("events", since or self.window_start)

    async def logs(self, since: datetime | None = None) -> list[Row]:
        return await self._window_rows("logs", since or self.window_start)

    async def _window_rows(self, table: str, since: datetime) -> list[Row]:
        """The account's rows of `table` from `since` to the window's end.

        Checks look back by different amounts over the same rows (the survey a day, the spike
        check six hours, the deploy check a day and more): what one already read is kept, a
        shorter look is answered from it, and a longer one reads only the earlier stretch.
        The check's evidence shows the whole window it looked at."""
        wanted = Query(
            table, account_id=self.account_id, time_column="ts", since=since, until=self.window_end
        )
        self.reads.append(wanted)
        held = self._held.get(table)
        if held is not None and since >= held[0]:
            return [row for row in held[1] if row["ts"] >= since]
        if held is None:
            rows = await self.sources.fetch(wanted)
        else:
            earlier = await self.sources.fetch(replace(wanted, until=held[0] - timedelta(microseconds=1)))
            rows = [*earlier, *held[1]]
        self._held[table] = (since, rows)
        return rows

    async def changes(self, since: datetime) -> list[Row]:
        return await self._fetch(
            Query("changes", account_id=self.account_id, time_column="ts", since=since, until=self.window_end)
        )

    async def deploys(self, since: datetime) -> list[Row]:
        """Platform deploys: changes rows with no account (global, not another tenant's data)."""
        return await self._fetch(
            Query(
                "changes",
                where=(("account_id", None), ("kind", "deploy")),
                time_column="ts",
                since=since,
                until=self.window_end,
            )
        )

    async def incidents(self) -> list[Row]:
        """Incidents that started before the window ended and were not resolved before it began."""
        rows = await self._fetch(Query("incidents", time_column="started_at", until=self.window_end))
        return [
            row for row in rows if row.get("resolved_at") is None or row["resolved_at"] >= self.window_start
        ]

    async def behaviours(self) -> list[Row]:
        return await self._fetch(Query("behaviours"))

    async def user_label(self, user_id: object) -> str:
        for user in await self.users():
            if user.get("user_id") == user_id:
                return str(user.get("email") or user_id)
        return str(user_id or "a user")

    def relevant(self, events: list[Row]) -> list[Row]:
        """Events about the ticket's object; all events when none match."""
        matching = [e for e in events if self.signals.object_matches(str(e.get("type") or ""))]
        return matching or events
