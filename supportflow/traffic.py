"""Publish tickets and collect what the pipeline makes of them, for the demo, eval, bench and tests.

Collection reads the output topic from the beginning without a consumer group and keeps, per
ticket, every distinct event id it saw, so duplicates (same event id twice) are visible.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from supportflow import codec
from supportflow.admin import producer, read_topic
from supportflow.events import CaseFile, CaseResolved, DeadLetter, IncidentGroup, TicketReceived
from supportflow.settings import Settings
from supportflow.topics import CASES_RESOLVED, DEADLETTER, INCIDENTS, REPLIES_DRAFTED, TICKETS_RECEIVED


async def publish_records(settings: Settings, topic: str, records: Iterable[tuple[str, BaseModel]]) -> int:
    """Send (key, record) pairs to the logical `topic` as Avro; waits for every ack."""
    count = 0
    async with producer(settings) as sender:
        for key, record in records:
            await sender.send(
                settings.topic(topic),
                codec.encode(record),
                key=key.encode(),
                headers=list(codec.avro_headers(type(record).__name__).items()),
            )
            count += 1
        await sender.flush()
    return count


async def publish_resolutions(settings: Settings, resolutions: Iterable[CaseResolved]) -> int:
    """Send helpdesk outcomes to `support.cases.resolved`, keyed by ticket_id."""
    return await publish_records(settings, CASES_RESOLVED, ((r.ticket_id, r) for r in resolutions))


async def publish_tickets(
    settings: Settings,
    tickets: Iterable[TicketReceived],
    *,
    as_json: bool = True,
    on_sent: Callable[[TicketReceived], None] | None = None,
) -> int:
    """Send tickets to `support.tickets.received` keyed by ticket_id; waits for every ack."""
    count = 0
    async with producer(settings, linger_ms=5) as sender:
        pending = []
        for ticket in tickets:
            if as_json:
                value, headers = ticket.model_dump_json().encode(), {"content-type": codec.JSON.encode()}
            else:
                value, headers = codec.encode(ticket), codec.avro_headers("TicketReceived")
            pending.append(
                await sender.send(
                    settings.topic(TICKETS_RECEIVED),
                    value,
                    key=ticket.ticket_id.encode(),
                    headers=list(headers.items()),
                )
            )
            count += 1
            if on_sent:
                on_sent(ticket)
        await asyncio.gather(*pending)
    return count


async def publish_raw(
    settings: Settings,
    topic: str,
    value: bytes,
    key: bytes | None = None,
    headers: dict[str, bytes] | None = None,
) -> None:
    async with producer(settings) as sender:
        await sender.send_and_wait(
            settings.topic(topic), value, key=key, headers=list((headers or {}).items())
        )


@dataclass
class Collected:
    cases: dict[str, CaseFile] = field(default_factory=dict)
    """The latest case per ticket (highest revision)."""
    event_ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Every output event id seen per ticket, in order (duplicates included)."""
    undecodable: int = 0

    @property
    def duplicates(self) -> int:
        return sum(len(ids) - len(set(ids)) for ids in self.event_ids.values())


async def collect_cases(
    settings: Settings,
    ticket_ids: set[str],
    *,
    timeout: float,
    topic: str = REPLIES_DRAFTED,
    settle: float = 0.0,
    stall: float | None = None,
    done: Callable[[Collected], bool] | None = None,
    on_case: Callable[[CaseFile], None] | None = None,
) -> Collected:
    """Read `topic` until every ticket has a case (then `settle` more seconds), or `timeout`,
    or — with `stall` — until no new case arrived for `stall` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    collected = Collected()
    is_done = done or (lambda c: ticket_ids <= c.cases.keys())
    records = read_topic(settings, settings.topic(topic), deadline=deadline, heartbeat=True)
    async with contextlib.aclosing(records):  # close the consumer now, not at garbage collection
        await _gather(records, ticket_ids, collected, settle, stall, is_done, on_case)
    return collected


async def _gather(
    records: AsyncGenerator[Any, None],
    ticket_ids: set[str],
    collected: Collected,
    settle: float,
    stall: float | None,
    is_done: Callable[[Collected], bool],
    on_case: Callable[[CaseFile], None] | None,
) -> None:
    loop = asyncio.get_running_loop()
    finished_at: float | None = None
    last_case = loop.time()
    async for record in records:
        key = (record.key or b"").decode(errors="replace") if record is not None else ""
        if key in ticket_ids:
            try:
                case = codec.decode(CaseFile, record.value, record.headers)
            except codec.DecodeError:
                collected.undecodable += 1
            else:
                headers = codec.headers_dict(record.headers)
                event_id = headers.get("event-id", b"").decode() or case.last_event_id or ""
                collected.event_ids[case.ticket_id].append(event_id)
                known = collected.cases.get(case.ticket_id)
                if known is None or case.revision >= known.revision:
                    collected.cases[case.ticket_id] = case
                last_case = loop.time()
                if on_case:
                    on_case(case)
        if finished_at is None and is_done(collected):
            finished_at = loop.time()
        if finished_at is not None and loop.time() - finished_at >= settle:
            break
        if stall is not None and loop.time() - last_case >= stall:
            break


async def collect_dead_letters(settings: Settings, *, idle: float = 2.0) -> list[DeadLetter]:
    letters = []
    async for record in read_topic(settings, settings.topic(DEADLETTER), idle_timeout=idle):
        letters.append(codec.decode(DeadLetter, record.value, record.headers))
    return letters


async def collect_incident_groups(settings: Settings, *, idle: float = 2.0) -> dict[str, IncidentGroup]:
    """Every incident group on `support.incidents` as it last stands, by incident id."""
    groups: dict[str, IncidentGroup] = {}
    async for record in read_topic(settings, settings.topic(INCIDENTS), idle_timeout=idle):
        group = codec.decode(IncidentGroup, record.value, record.headers)
        groups[group.incident_id] = group
    return groups
