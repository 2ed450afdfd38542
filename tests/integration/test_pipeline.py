"""The whole pipeline on the real broker: tickets in, one drafted case per ticket out."""

from __future__ import annotations

import asyncio

from supportflow.demo import EXAMPLE_PACK
from supportflow.events import TicketReceived
from supportflow.fleet import Fleet
from supportflow.topics import REPLIES_DRAFTED, TICKETS_RECEIVED
from supportflow.traffic import collect_cases, collect_dead_letters, publish_raw, publish_tickets
from supportflow.world.loader import read_tickets

PIPELINE_STAGES = ["intake", "investigator", "router", "drafter"]


def sample_tickets(count: int) -> list[TicketReceived]:
    return [item.ticket for item in read_tickets(EXAMPLE_PACK)[:count]]


async def test_tickets_flow_to_drafted_cases_past_a_poison_record(pipeline: Fleet) -> None:
    settings = pipeline.settings
    tickets = sample_tickets(6)
    await publish_tickets(settings, tickets[:3])
    await publish_raw(settings, TICKETS_RECEIVED, b"\x00\xffnot a ticket", key=b"poison")
    await publish_tickets(settings, tickets[3:], as_json=False)

    wanted = {t.ticket_id for t in tickets}
    collected = await collect_cases(settings, wanted, timeout=90)

    assert collected.cases.keys() == wanted
    for case in collected.cases.values():
        assert [t.stage for t in case.trail] == PIPELINE_STAGES
        assert all(t.finished_at >= t.started_at for t in case.trail)
        assert case.intake and case.investigation and case.decision and case.draft
        assert case.draft.customer_reply
    letters = await collect_dead_letters(settings)
    assert [(d.service, d.reason, d.original) for d in letters] == [
        ("intake", "decode_error", b"\x00\xffnot a ticket")
    ]
    assert letters[0].origin_topic == settings.topic(TICKETS_RECEIVED)


async def test_replayed_tickets_yield_one_output_each(pipeline: Fleet) -> None:
    settings = pipeline.settings
    tickets = sample_tickets(4)
    await publish_tickets(settings, tickets)
    wanted = {t.ticket_id for t in tickets}
    first = await collect_cases(settings, wanted, timeout=90)
    assert first.cases.keys() == wanted

    await publish_tickets(settings, tickets)  # the helpdesk redelivers the same messages
    await asyncio.sleep(5)
    again = await collect_cases(settings, wanted, timeout=15, topic=REPLIES_DRAFTED, settle=3)
    assert {ticket: len(ids) for ticket, ids in again.event_ids.items()} == dict.fromkeys(wanted, 1)
