"""Replay a time range of `support.tickets.received` through a candidate domain folder.

The tickets are read from the live namespace (bounded by record timestamps), sent as they were
(same key, bytes and headers) to a private namespace (`replay-<run>.…`: its own topics, consumer
groups, state directory and ports) where four services run with the candidate domain, and what
they draft is compared with what the live `support.replies.drafted` holds for the same ticket
messages. The live topics are only read. The learned patterns of the live namespace are copied
into the private one first, so the replay orders its checks as the live services would.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import DeleteGroupsRequest

from supportflow import codec
from supportflow.admin import create_topics, delete_topics, producer, read_topic
from supportflow.events import CaseFile, DeadLetter, TicketReceived
from supportflow.fleet import Fleet, free_port_block
from supportflow.replay.diff import Failure, Outcome, ReplayDiff, diff_decisions
from supportflow.replay.history import HistoryRecord, read_between
from supportflow.settings import Settings
from supportflow.topics import DEADLETTER, LEARNED_PATHS, PATTERNS, REPLIES_DRAFTED, TICKETS_RECEIVED
from supportflow.traffic import Collected, collect_cases

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total)"""

REPLAY_SERVICES = ("intake", "investigator", "router", "drafter")
"""The learner is not needed: nothing is resolved in a replay."""


class EmptyRange(ValueError):
    """No ticket was received in the range."""


class ReplayFailed(RuntimeError):
    """The private services did not start or stopped answering; the message says where their logs are."""


@dataclass
class Replayed:
    """One ticket's messages in the range, in order, as they were on the topic."""

    ticket_id: str
    records: list[HistoryRecord] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)


@dataclass
class ReplayReport:
    diff: ReplayDiff
    since: datetime
    until: datetime
    domain: Path
    run_id: str
    seconds: float
    history_before_since: list[str]
    """Tickets whose drafted-then case had earlier messages than the range holds: the replay
    saw the follow-up without them, so their comparison is weaker."""
    kept_namespace: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "domain": str(self.domain),
            "run_id": self.run_id,
            "seconds": round(self.seconds, 2),
            **self.diff.as_json(),
            "history_before_since": self.history_before_since,
            "kept_namespace": self.kept_namespace,
        }


def replay_settings(base: Settings, run_id: str, domain: Path) -> Settings:
    return base.model_copy(
        update={
            "namespace": f"{base.namespace}replay-{run_id}.",
            "state_dir": base.state_dir / "replay" / run_id,
            "web_port_base": free_port_block(),
            "domain": domain.resolve(),
        }
    )


def group_tickets(records: Sequence[HistoryRecord], limit: int | None = None) -> list[Replayed]:
    """The tickets of `records` in order of their first message, at most `limit` of them.
    A record without a key is identified by the ticket it decodes to; one with neither is left out."""
    tickets: dict[str, Replayed] = {}
    for record in records:
        try:
            decoded: TicketReceived | None = codec.decode(TicketReceived, record.value, record.headers)
        except codec.DecodeError:
            decoded = None
        ticket_id = record.key.decode("utf-8", "replace") if record.key else decoded and decoded.ticket_id
        if not ticket_id:
            continue
        if ticket_id not in tickets:
            if limit is not None and len(tickets) >= limit:
                continue
            tickets[ticket_id] = Replayed(ticket_id)
        tickets[ticket_id].records.append(record)
        if decoded is not None and decoded.message_id not in tickets[ticket_id].message_ids:
            tickets[ticket_id].message_ids.append(decoded.message_id)
    return list(tickets.values())


def drafted_then(
    records: Sequence[HistoryRecord], tickets: Sequence[Replayed]
) -> tuple[dict[str, Outcome], list[str]]:
    """What was drafted then for each ticket's last message in the range (its latest drafted
    case of that message), and the tickets whose case then had history before the range."""
    last_message = {t.ticket_id: t.message_ids[-1] for t in tickets if t.message_ids}
    cases: dict[str, CaseFile] = {}
    for record in records:
        key = (record.key or b"").decode("utf-8", "replace")
        if key not in last_message:
            continue
        try:
            case = codec.decode(CaseFile, record.value, record.headers)
        except codec.DecodeError:
            continue
        if case.ticket.message_id == last_message[key]:
            cases[key] = case
    outcomes = {ticket_id: outcome for ticket_id, case in cases.items() if (outcome := Outcome.of(case))}
    counts = {t.ticket_id: len(t.message_ids) for t in tickets}
    earlier = [ticket_id for ticket_id, case in cases.items() if case.revision > counts[ticket_id]]
    return outcomes, earlier


async def replay(
    base: Settings,
    domain: Path,
    since: datetime,
    until: datetime,
    *,
    limit: int | None = None,
    keep_topics: bool = False,
    progress: Progress = lambda phase, done, total: None,
    stall: float = 60.0,
) -> ReplayReport:
    """Raises `EmptyRange` when no ticket was received in [since, until), `MissingTopic` when
    the live namespace has no tickets topic."""
    began = time.monotonic()
    since_ms, until_ms = int(since.timestamp() * 1000), int(until.timestamp() * 1000)

    def reading(phase: str) -> Callable[[int], None]:
        return lambda count: progress(phase, count, count)

    received = await read_between(
        base, base.topic(TICKETS_RECEIVED), since_ms, until_ms, on_record=reading("reading tickets")
    )
    tickets = group_tickets(received, limit)
    if not tickets:
        raise EmptyRange(
            f"no ticket on {base.topic(TICKETS_RECEIVED)} between {since:%Y-%m-%dT%H:%M:%SZ} and {until:%Y-%m-%dT%H:%M:%SZ}"
        )
    drafted = await read_between(
        base,
        base.topic(REPLIES_DRAFTED),
        since_ms,
        keys={t.ticket_id.encode() for t in tickets},
        on_record=reading("reading earlier drafts"),
    )
    then, earlier = drafted_then(drafted, tickets)
    run_id = uuid.uuid4().hex[:8]
    private = replay_settings(base, run_id, domain)
    private.state_dir.mkdir(parents=True, exist_ok=True)
    failed = True
    try:
        await create_topics(private)
        await copy_patterns(base, private)
        now, failures = await run_candidate(private, tickets, progress, stall)
        failed = False
    except (TimeoutError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReplayFailed(f"{first} (service logs in {private.state_dir / 'logs'})") from exc
    finally:
        if not keep_topics:
            await delete_topics(private)
            await delete_groups(private, [private.app_id(service) for service in REPLAY_SERVICES])
            if not failed:
                shutil.rmtree(private.state_dir, ignore_errors=True)
    diff = diff_decisions([t.ticket_id for t in tickets], then, now, failures)
    return ReplayReport(
        diff,
        since,
        until,
        domain,
        run_id,
        time.monotonic() - began,
        earlier,
        kept_namespace=private.namespace if keep_topics else None,
    )


async def delete_groups(settings: Settings, groups: Sequence[str]) -> list[str]:
    """Delete these consumer groups (they must be empty: their services stopped). Returns the
    groups the broker deleted; a group it refuses (still active, unknown) is left as it is."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **settings.kafka_client_options()
    )
    await admin.start()
    deleted = []
    try:
        for group in groups:
            coordinator = await admin.find_coordinator(group)
            # aiokafka's admin client has no delete_consumer_groups: the DeleteGroups request as is
            response = await admin._send_request_to_node(coordinator, DeleteGroupsRequest([group]))
            deleted += [name for name, error in response.results if error == 0]
    finally:
        await admin.close()
    return deleted


async def copy_patterns(live: Settings, private: Settings) -> int:
    """Copy the live learned knowledge (as it stands now) into the private namespace: the
    patterns and the learned investigation paths, so the candidate decides with what the live
    services know."""
    copied = 0
    for topic in (PATTERNS, LEARNED_PATHS):
        records = await read_between(live, live.topic(topic), 0)
        async with producer(private) as sender:
            for record in records:
                await sender.send(
                    private.topic(topic), record.value, key=record.key, headers=list(record.headers)
                )
            await sender.flush()
        copied += len(records)
    return copied


async def run_candidate(
    private: Settings, tickets: Sequence[Replayed], progress: Progress, stall: float
) -> tuple[dict[str, Outcome], list[Failure]]:
    """Run the tickets through the private fleet; their outcomes, and why the others failed."""
    fleet = Fleet(private, REPLAY_SERVICES)
    progress("starting services", 0, 1)
    fleet.start()
    try:
        await asyncio.to_thread(fleet.wait_healthy, 180.0)
        progress("starting services", 1, 1)
        letters: dict[str, DeadLetter] = {}
        watching = asyncio.create_task(watch_dead_letters(private, letters))
        try:
            await send_tickets(private, tickets, progress)
            collected = await collect_replies(private, tickets, letters, progress, stall)
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
    finally:
        fleet.stop()
    now = {ticket_id: o for ticket_id, case in collected.cases.items() if (o := Outcome.of(case))}
    failures = [
        Failure(ticket_id, letter.reason, f"{letter.service}: {letter.error}")
        for ticket_id, letter in letters.items()
        if ticket_id not in now
    ]
    return now, failures


async def send_tickets(private: Settings, tickets: Sequence[Replayed], progress: Progress) -> None:
    """The ticket records as they were (key, bytes, headers), in the order they were received."""
    records = sorted(
        (r for t in tickets for r in t.records), key=lambda r: (r.timestamp_ms, r.partition, r.offset)
    )
    async with producer(private, linger_ms=5) as sender:
        pending = []
        for sent, record in enumerate(records, 1):
            pending.append(
                await sender.send(
                    private.topic(TICKETS_RECEIVED),
                    record.value,
                    key=record.key,
                    headers=list(record.headers),
                )
            )
            progress("replaying: sending", sent, len(records))
        await asyncio.gather(*pending)


async def collect_replies(
    private: Settings,
    tickets: Sequence[Replayed],
    letters: dict[str, DeadLetter],
    progress: Progress,
    stall: float,
) -> Collected:
    """Read the private drafts until every ticket has the case of its last message (or was
    dead-lettered), or nothing new came for `stall` seconds, or the time limit."""
    wanted = {t.ticket_id for t in tickets}
    revisions = {t.ticket_id: max(len(t.message_ids), 1) for t in tickets}

    def settled(ticket_id: str, collected: Collected) -> bool:
        case = collected.cases.get(ticket_id)
        return ticket_id in letters or (case is not None and case.revision >= revisions[ticket_id])

    def done(collected: Collected) -> bool:
        finished = sum(settled(ticket_id, collected) for ticket_id in wanted)
        progress("replaying: drafted", finished, len(wanted))
        return finished == len(wanted)

    return await collect_cases(private, wanted, timeout=max(300.0, 3.0 * len(wanted)), stall=stall, done=done)


async def watch_dead_letters(private: Settings, letters: dict[str, DeadLetter]) -> None:
    """Keep `letters` up to date with the private dead letters, by ticket id, until cancelled."""
    records = read_topic(private, private.topic(DEADLETTER), heartbeat=True)
    async with contextlib.aclosing(records):
        async for record in records:
            if record is None:
                continue
            with contextlib.suppress(codec.DecodeError):
                letter = codec.decode(DeadLetter, record.value, record.headers)
                letters[(letter.key or b"").decode("utf-8", "replace")] = letter
