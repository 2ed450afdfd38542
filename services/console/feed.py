"""The console's Kafka wiring: drafted cases and incident groups in, CaseResolved out.

`ingest` reads `support.replies.drafted` and `support.incidents` in the console's consumer
group and upserts into the store (idempotent: a replay adds nothing), committing offsets
only after the rows are written. `Publisher` sends a recorded action's CaseResolved and waits
for the broker's acknowledgement before the store marks it published; `republish` sends
what a crash or an unreachable broker left unmarked (the same record, event id and
`resolved_at`, so a consumer recognises a resend).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar, cast

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.console.store import CaseStore
from supportflow import codec, metrics
from supportflow.admin import producer
from supportflow.events import CaseFile, CaseResolved, IncidentGroup
from supportflow.runtime import DeadLetters
from supportflow.settings import Settings
from supportflow.topics import CASES_RESOLVED, DEADLETTER, INCIDENTS, REPLIES_DRAFTED

log = logging.getLogger(__name__)
M = TypeVar("M", CaseFile, IncidentGroup)
REPUBLISH_AFTER = timedelta(seconds=15)


class _ProducerTopic:
    """One topic of an aiokafka producer, shaped like the Faust topic `DeadLetters` sends to."""

    def __init__(self, sender: AIOKafkaProducer, name: str) -> None:
        self.sender, self.name = sender, name

    async def send(self, *, key: bytes | None, value: bytes, headers: dict[str, bytes]) -> Any:
        return await self.sender.send(self.name, value, key=key, headers=list(headers.items()))


class Sender(Protocol):
    async def publish(self, resolved: CaseResolved) -> None:
        """Send one CaseResolved and wait for its acknowledgement; raise if it was not sent."""


class Publisher:
    """Sends CaseResolved records; `start` and `stop` bracket the producer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self) -> None:
        self.sender = producer(settings=self.settings)
        self.dead_letters = DeadLetters(
            "console", cast(Any, _ProducerTopic(self.sender, self.settings.topic(DEADLETTER)))
        )
        await self.sender.start()

    async def stop(self) -> None:
        await self.sender.stop()

    async def publish(self, resolved: CaseResolved) -> None:
        """Send and wait for the acknowledgement (raises on failure; the caller keeps it pending)."""
        headers = codec.avro_headers("CaseResolved") | {"event-id": (resolved.event_id or "").encode()}
        await self.sender.send_and_wait(
            self.settings.topic(CASES_RESOLVED),
            codec.encode(resolved),
            key=resolved.ticket_id.encode(),
            headers=list(headers.items()),
        )


async def send_recorded(store: CaseStore, publisher: Sender, resolved: CaseResolved) -> bool:
    """Publish one recorded action and mark it; False (still pending) if the broker failed."""
    try:
        await publisher.publish(resolved)
    except Exception as exc:  # any producer failure: the republish loop tries again
        log.warning("CaseResolved %s not sent yet: %s", resolved.event_id, exc)
        return False
    await asyncio.to_thread(store.mark_published, resolved.event_id or "")
    return True


async def supervised(name: str, work: Callable[[], Awaitable[None]], backoff: float = 5.0) -> None:
    """Run `work` until cancelled; after a failure (the broker went away) log it and start
    again `backoff` seconds later, so the pages keep serving while Kafka is down."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("console %s failed; restarting in %.0fs", name, backoff)
        await asyncio.sleep(backoff)


async def republish(store: CaseStore, publisher: Publisher, every: float = 5.0) -> None:
    """Forever: send the actions recorded more than REPUBLISH_AFTER ago and still unmarked."""
    while True:
        await asyncio.sleep(every)
        pending = await asyncio.to_thread(store.unpublished, datetime.now(UTC) - REPUBLISH_AFTER)
        for action in pending:
            await send_recorded(store, publisher, action.resolved)


async def ingest(settings: Settings, store: CaseStore, publisher: Publisher) -> None:
    """Forever: drafted cases and incident groups into the store, offsets committed after."""
    drafted, incidents = settings.topic(REPLIES_DRAFTED), settings.topic(INCIDENTS)
    consumer = AIOKafkaConsumer(
        drafted,
        incidents,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=settings.app_id("console"),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
        **settings.kafka_client_options(),
    )
    try:
        await consumer.start()
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=200)
            records = [record for part in batch.values() for record in part if record.value is not None]
            cases = [
                c for r in records if r.topic == drafted and (c := await _decode(publisher, CaseFile, r))
            ]
            groups = [
                g
                for r in records
                if r.topic == incidents and (g := await _decode(publisher, IncidentGroup, r))
            ]
            stored = await asyncio.to_thread(store.upsert_cases, cases) if cases else 0
            for group in groups:
                stored += await asyncio.to_thread(store.upsert_incident, group)
            metrics.CONSOLE_RECORDS.labels("stored").inc(stored)
            metrics.CONSOLE_RECORDS.labels("unchanged").inc(len(cases) + len(groups) - stored)
            if batch:
                await consumer.commit()
    finally:
        await consumer.stop()


async def _decode(publisher: Publisher, model: type[M], record: Any) -> M | None:
    """The record as `model`, or None after dead-lettering it."""
    try:
        return codec.decode(model, record.value, record.headers)
    except codec.DecodeError as exc:
        await publisher.dead_letters.send(record, exc.reason, str(exc))
        return None
