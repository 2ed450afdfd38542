"""What every service shares: the Faust app factory, the stage loop, dead letters, idempotency.

A stage is a pure (or I/O-bound async) function from a `CaseFile` to a new `CaseFile`; the
loop around it decodes, skips what was already processed, calls the function, stamps the
stage timing, sends the result with a deterministic event id and waits for the broker's
acknowledgement before the input offset can be committed (at-least-once). Anything that
cannot be decoded or processed becomes a `DeadLetter` with the origin, the reason and the
original bytes, and the stream goes on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import faust
from faust.exceptions import ConsumerNotStarted
from faust.types import TableT, TopicT
from faust.web import Request, Response, View
from pydantic import BaseModel

from supportflow import metrics
from supportflow.codec import DecodeError, avro_headers, decode, encode, headers_dict
from supportflow.events import CaseFile, DeadLetter, StageTiming, utcnow
from supportflow.lag import install_lag_sampler
from supportflow.offsets import GuardedTransport
from supportflow.settings import Settings
from supportflow.topics import DEADLETTER

log = logging.getLogger("supportflow")

CaseStep = Callable[[CaseFile], Awaitable[CaseFile]]

# A dead letter keeps at most this much of the original: the whole record must stay under the
# producer's max request size (1 MB by default), or sending it would crash the agent.
MAX_DEAD_LETTER_ORIGINAL = 512 * 1024

PRODUCER_LINGER_S = 0.002
"""How long the producer waits to batch records (the bench's relay uses the same)."""


class SupportApp(faust.App):
    """A Faust app whose consumer commits only what its stages processed (supportflow/offsets.py)."""

    def _new_transport(self) -> Any:
        return GuardedTransport(self.conf.broker_consumer, self)


def create_app(service: str, settings: Settings) -> faust.App:
    """The Faust app of one service: its own consumer group, explicit topics, /metrics, /health."""
    credentials: Any = None
    if settings.sasl_mechanism:
        credentials = faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password.get_secret_value() if settings.sasl_password else None,
            mechanism=settings.sasl_mechanism,
            ssl_context=settings.kafka_client_options().get("ssl_context"),
        )
    elif settings.security_protocol == "SSL":
        credentials = faust.SSLCredentials(settings.kafka_client_options()["ssl_context"])
    datadir = settings.state_dir.resolve() / "faust" / settings.app_id(service)
    datadir.mkdir(parents=True, exist_ok=True)
    app = SupportApp(
        settings.app_id(service),
        broker=[f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        broker_credentials=credentials,
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_linger=PRODUCER_LINGER_S,
        # a case carries its ticket (up to max_ticket_bytes) plus its sections: leave room, or a
        # ticket just under the intake limit crashes the agent that sends its case (the broker
        # must accept records this large: message.max.bytes; the local broker allows 8 MiB)
        producer_max_request_size=settings.max_ticket_bytes + 1024 * 1024,
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port(service),
        datadir=str(datadir),
        table_standby_replicas=0,
        broker_commit_interval=1.0,
        # a killed replica's partitions move after 10 s instead of Faust's default 60 s
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
    )

    install_lag_sampler(app, service)

    @app.page("/metrics")
    class MetricsPage(View):
        async def get(self, request: Request) -> Response:
            body, content_type = metrics.exposition()
            # aiohttp wants the charset apart from the media type
            return self.bytes(body, content_type=content_type.split(";")[0] + "; version=0.0.4")

    @app.page("/health")
    class HealthPage(View):
        async def get(self, request: Request) -> Response:
            status, body = health(service, app.consumer)
            return self.json(body, status=status)

    return app


def health(service: str, consumer: Any) -> tuple[int, dict[str, Any]]:
    """The `/health` answer: 200 with the assigned partitions once the consumer runs; 503
    "starting" before (its thread is not up yet, so it has no assignment to report)."""
    try:
        assigned = len(consumer.assignment()) if consumer is not None else None
    except ConsumerNotStarted:
        assigned = None
    if assigned is None:
        return 503, {"service": service, "status": "starting", "assigned_partitions": 0}
    return 200, {"service": service, "status": "ok", "assigned_partitions": assigned}


def raw_topic(app: faust.App, settings: Settings, name: str, **options: Any) -> TopicT:
    return app.topic(
        settings.topic(name),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        **options,
    )


@dataclass
class DeadLetters:
    """Sends what a service could not handle to `support.deadletter`, with the reason."""

    service: str
    topic: TopicT

    async def send(self, message: Any, reason: str, error: str) -> None:
        headers = {k: v.decode("utf-8", "replace") for k, v in headers_dict(message.headers).items()}
        original = message.value or b""
        if len(original) > MAX_DEAD_LETTER_ORIGINAL:
            headers["sf-original-bytes"] = str(len(original))
            headers["sf-original-truncated"] = "true"
            original = original[:MAX_DEAD_LETTER_ORIGINAL]
        letter = DeadLetter(
            service=self.service,
            origin_topic=message.topic,
            origin_partition=message.partition,
            origin_offset=message.offset,
            key=message.key,
            reason=reason,
            error=error[:2000],
            original=original,
            headers=headers,
            failed_at=utcnow(),
        )
        metrics.DEAD_LETTERS.labels(self.service, reason).inc()
        metrics.RECORDS.labels(self.service, "dead_lettered").inc()
        log.warning(
            "dead-lettered %s[%s]@%s: %s",
            message.topic,
            message.partition,
            message.offset,
            reason,
            extra={"stage": self.service, "ticket_id": (message.key or b"").decode("utf-8", "replace")[:256]},
        )
        fut = await self.topic.send(key=message.key, value=encode(letter), headers=avro_headers("DeadLetter"))
        await fut


async def send_record(
    topic: TopicT, key: str, record: BaseModel, headers: dict[str, bytes] | None = None
) -> None:
    """Send a record as Avro and wait for the broker's acknowledgement, so the input that
    caused it is committed only after."""
    fut = await topic.send(
        key=key.encode(), value=encode(record), headers=avro_headers(type(record).__name__) | (headers or {})
    )
    await fut


async def send_case(topic: TopicT, case: CaseFile, event_id: str) -> None:
    """A case, with its deterministic event id in the headers (downstream dedupe reads it)."""
    await send_record(topic, case.ticket_id, case, {"event-id": event_id.encode()})


def stamp(case: CaseFile, stage: str, started_at: Any) -> CaseFile:
    event_id = case.event_id(stage)
    timing = StageTiming(stage=stage, event_id=event_id, started_at=started_at, finished_at=utcnow())
    return case.model_copy(update={"trail": [*case.trail, timing]})


def wire_case_stage(
    app: faust.App,
    settings: Settings,
    *,
    stage: str,
    source: str,
    sink: str,
    step: CaseStep,
) -> TableT[str, int]:
    """Wire `step` between two case topics; returns the idempotency table (ticket -> revision)."""
    source_topic = raw_topic(app, settings, source)
    sink_topic = raw_topic(app, settings, sink)
    dead_letters = DeadLetters(stage, raw_topic(app, settings, DEADLETTER))
    processed = app.Table("processed", default=int, partitions=settings.partitions)

    async def handle(event: Any) -> None:
        message = event.message
        began = time.perf_counter()
        try:
            case = decode(CaseFile, message.value, message.headers)
        except DecodeError as exc:
            await dead_letters.send(message, exc.reason, str(exc))
            return
        if processed[case.ticket_id] >= case.revision:
            metrics.RECORDS.labels(stage, "duplicate").inc()
            return
        started_at = utcnow()
        try:
            result = stamp(await step(case), stage, started_at)
        except Exception as exc:
            log.exception(
                "%s failed on ticket %s",
                stage,
                case.ticket_id,
                extra={"stage": stage, "ticket_id": case.ticket_id},
            )
            await dead_letters.send(message, "processing_error", _describe(exc))
            return
        await send_case(sink_topic, result, result.event_id(stage))
        processed[case.ticket_id] = case.revision
        metrics.RECORDS.labels(stage, "processed").inc()
        metrics.STAGE_SECONDS.labels(stage).observe(time.perf_counter() - began)

    async def run_stage(stream: Any) -> None:
        await run_keyed(stream, handle, settings.stage_concurrency)

    app.agent(source_topic, name=f"{stage}-stage")(run_stage)
    return processed


async def run_keyed(stream: Any, handle: Callable[[Any], Awaitable[None]], concurrency: int) -> None:
    """Handle up to `concurrency` events at once; events with the same key strictly in order.

    Acks are manual and go out in offset order per partition: an event is acknowledged only when
    its handler has finished (its output acknowledged by the broker) AND every earlier event of
    its partition has been acknowledged. Faust commits the first run of consecutive acked
    offsets without checking it starts at the committed position when a partition has no commit
    yet, so acking out of order could commit past a record still in flight and lose it to a
    crash (seen in the SIGKILL fault test). A handler that raises stops the stream with that
    error, like a plain agent loop would.
    """
    stream.enable_acks = False
    slots = asyncio.Semaphore(concurrency)
    tails: dict[Any, asyncio.Task[None]] = {}
    in_flight: dict[tuple[str, int], deque[list[Any]]] = defaultdict(deque)
    failures: list[BaseException] = []

    async def ack_in_order(partition: tuple[str, int]) -> None:
        waiting = in_flight[partition]
        while waiting and waiting[0][1]:
            event, _ = waiting.popleft()
            await stream.ack(event)

    async def run(event: Any, entry: list[Any], before: asyncio.Task[None] | None) -> None:
        try:
            if before is not None:
                await asyncio.wait([before])
            if failures:  # an earlier record failed: leave this one unacknowledged too
                return
            await handle(event)
            entry[1] = True
            await ack_in_order((event.message.topic, event.message.partition))
        finally:
            slots.release()

    def finished(key: Any, task: asyncio.Task[None]) -> None:
        if tails.get(key) is task:
            del tails[key]
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())  # type: ignore[arg-type]

    try:
        async for event in stream.events():
            if failures:
                raise failures[0]
            await slots.acquire()
            key = event.message.key
            entry = [event, False]
            in_flight[(event.message.topic, event.message.partition)].append(entry)
            # the task copies this context, so table writes see the event's partition
            task = asyncio.create_task(run(event, entry, tails.get(key)))
            tails[key] = task
            task.add_done_callback(functools.partial(finished, key))
    finally:
        pending = list(tails.values())
        if pending:
            await asyncio.wait(pending)
    if failures:
        raise failures[0]


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename}:{last[0].lineno}" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run_worker(app: faust.App, loglevel: str = "warn", logging_config: dict[str, Any] | None = None) -> None:
    """Run one service until SIGINT/SIGTERM (blocks)."""
    from faust.worker import Worker

    from supportflow.logs import log_retried_errors_as_warnings

    worker = Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False, logging_config=logging_config)
    if not worker.stdout.isatty():
        worker.spinner = None  # its cursor codes (ESC[?25l) would land in the service's log file
    log_retried_errors_as_warnings()
    worker.execute_from_commandline()
