"""Intake wiring: `support.tickets.received` -> normalize() -> `support.tickets.normalized`.

The ticket history per ticket_id lives in a Faust table (changelog-backed), so a customer's
follow-up on a parked case merges with what came before, across restarts. A replayed
message (same message_id) produces nothing new.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import faust
from faust.types import TopicT

from services.intake.assist import assist
from supportflow import metrics
from supportflow.codec import DecodeError, decode
from supportflow.events import CaseFile, IntakeSection, TicketReceived, utcnow
from supportflow.llm import Provider, provider_from_config
from supportflow.runtime import (
    DeadLetters,
    create_app,
    raw_topic,
    run_keyed,
    send_case,
    stamp,
)
from supportflow.settings import Settings, load_domain_for
from supportflow.topics import DEADLETTER, TICKETS_NORMALIZED, TICKETS_RECEIVED

Normalizer = Callable[[TicketReceived, Sequence[TicketReceived]], IntakeSection]


def build(settings: Settings) -> faust.App:
    from services.intake.normalize import normalize, warm_up

    llm = load_domain_for(settings).llm.model_dump()
    warm_up()  # load the libraries before the consumer starts, not on the first ticket
    assistant = provider_from_config(llm) if llm.get("intake") else None
    app = create_app("intake", settings)
    wire(app, settings, normalize, assistant)
    return app


def wire(
    app: faust.App, settings: Settings, normalize: Normalizer, assistant: Provider | None = None
) -> None:
    received = raw_topic(app, settings, TICKETS_RECEIVED)
    normalized = raw_topic(app, settings, TICKETS_NORMALIZED)
    dead_letters = DeadLetters("intake", raw_topic(app, settings, DEADLETTER))
    history = app.Table("ticket_history", default=list, partitions=settings.partitions)

    async def handle(event: Any) -> None:
        message = event.message
        began = time.perf_counter()
        if message.value is not None and len(message.value) > settings.max_ticket_bytes:
            await dead_letters.send(
                message, "too_large", f"{len(message.value)} bytes > limit {settings.max_ticket_bytes}"
            )
            return
        try:
            ticket = decode(TicketReceived, message.value, message.headers)
        except DecodeError as exc:
            await dead_letters.send(message, exc.reason, str(exc))
            return
        if len(ticket.thread) > settings.max_thread_messages:
            await dead_letters.send(
                message, "too_large", f"thread of {len(ticket.thread)} > {settings.max_thread_messages}"
            )
            return
        earlier = [TicketReceived.model_validate(item) for item in history[ticket.ticket_id]]
        if any(seen.message_id == ticket.message_id for seen in earlier):
            metrics.RECORDS.labels("intake", "duplicate").inc()
            return
        started_at = utcnow()
        try:
            section = normalize(ticket, earlier)
        except Exception as exc:
            await dead_letters.send(message, "processing_error", f"{type(exc).__name__}: {exc}")
            return
        section = await assist(ticket, earlier, section, assistant)
        case = CaseFile(ticket_id=ticket.ticket_id, revision=len(earlier) + 1, ticket=ticket, intake=section)
        case = stamp(case, "intake", started_at)
        await send_case_and_count(normalized, case, section, message.timestamp)
        history[ticket.ticket_id] = [*history[ticket.ticket_id], ticket.model_dump(mode="json")]
        metrics.STAGE_SECONDS.labels("intake").observe(time.perf_counter() - began)

    async def run_intake(stream: Any) -> None:
        # tickets of one ticket_id (the record key) stay in order: their history builds up
        await run_keyed(stream, handle, settings.stage_concurrency)

    app.agent(received, name="intake-stage")(run_intake)


async def send_case_and_count(topic: TopicT, case: CaseFile, section: IntakeSection, arrived: float) -> None:
    await send_case(topic, case, case.event_id("intake"))
    metrics.RECORDS.labels("intake", "processed").inc()
    metrics.INTAKE_CASES.labels(section.status).inc()
    for identifier in section.missing:
        metrics.MISSING_IDENTIFIERS.labels(identifier).inc()
    # from the ticket's arrival on the broker, not the helpdesk's clock
    metrics.PROBLEM_STATEMENT_SECONDS.observe(max(time.time() - arrived, 0.0))
