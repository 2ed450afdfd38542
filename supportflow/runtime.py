"""What every service shares: the Faust app factory, the stage loop, dead letters, idempotency.

A stage is a pure (or I/O-bound async) function from a `CaseFile` to a new `CaseFile`; the
loop around it decodes, skips what was already processed, calls the function, stamps the
stage timing, sends the result with a deterministic event id and waits for the broker's
acknowledgement before the input offset can be committed (at-least-once). Anything that
cannot be decoded or processed becomes a `DeadLetter` with the origin, the reason and the
original bytes, and the stream goes on.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import TableT, TopicT
from faust.web import Request, Response, View

from supportflow import metrics
from supportflow.codec import DecodeError, avro_headers, decode, encode, headers_dict
from supportflow.events import CaseFile, DeadLetter, StageTiming, utcnow
from supportflow.settings import Settings
from supportflow.topics import DEADLETTER

log = logging.getLogger("supportflow")

CaseStep = Callable[[CaseFile], Awaitable[CaseFile]]


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
    app = faust.App(
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
        producer_linger=0.002,
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port(service),
        datadir=str(datadir),
        table_standby_replicas=0,
        broker_commit_interval=1.0,
    )

    @app.page("/metrics")
    class MetricsPage(View):
        async def get(self, request: Request) -> Response:
            body, content_type = metrics.exposition()
            # aiohttp wants the charset apart from the media type
            return self.bytes(body, content_type=content_type.split(";")[0] + "; version=0.0.4")

    @app.page("/health")
    class HealthPage(View):
        async def get(self, request: Request) -> Response:
            assigned = len(app.consumer.assignment()) if app.consumer else 0
            return self.json({"service": service, "status": "ok", "assigned_partitions": assigned})

    return app


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
        letter = DeadLetter(
            service=self.service,
            origin_topic=message.topic,
            origin_partition=message.partition,
            origin_offset=message.offset,
            key=message.key,
            reason=reason,
            error=error[:2000],
            original=message.value or b"",
            headers=headers,
            failed_at=utcnow(),
        )
        metrics.DEAD_LETTERS.labels(self.service, reason).inc()
        metrics.RECORDS.labels(self.service, "dead_lettered").inc()
        log.warning("dead-lettered %s[%s]@%s: %s", message.topic, message.partition, message.offset, reason)
        fut = await self.topic.send(key=message.key, value=encode(letter), headers=avro_headers("DeadLetter"))
        await fut


async def send_case(topic: TopicT, case: CaseFile, event_id: str) -> None:
    """Send and wait for the broker's acknowledgement, so the input is committed only after."""
    headers = avro_headers("CaseFile") | {"event-id": event_id.encode()}
    fut = await topic.send(key=case.ticket_id.encode(), value=encode(case), headers=headers)
    await fut


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

    async def run_stage(stream: Any) -> None:
        async for event in stream.events():
            message = event.message
            began = time.perf_counter()
            try:
                case = decode(CaseFile, message.value, message.headers)
            except DecodeError as exc:
                await dead_letters.send(message, exc.reason, str(exc))
                continue
            if processed[case.ticket_id] >= case.revision:
                metrics.RECORDS.labels(stage, "duplicate").inc()
                continue
            started_at = utcnow()
            try:
                result = stamp(await step(case), stage, started_at)
            except Exception as exc:
                log.exception("%s failed on ticket %s", stage, case.ticket_id)
                await dead_letters.send(message, "processing_error", _describe(exc))
                continue
            await send_case(sink_topic, result, result.event_id(stage))
            processed[case.ticket_id] = case.revision
            metrics.RECORDS.labels(stage, "processed").inc()
            metrics.STAGE_SECONDS.labels(stage).observe(time.perf_counter() - began)

    app.agent(source_topic, name=f"{stage}-stage")(run_stage)
    return processed


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename}:{last[0].lineno}" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run_worker(app: faust.App, loglevel: str = "warn") -> None:
    """Run one service until SIGINT/SIGTERM (blocks)."""
    from faust.worker import Worker

    worker = Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()
