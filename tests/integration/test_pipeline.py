"""The whole pipeline on the real broker: tickets in, one drafted case per ticket out."""

from __future__ import annotations

import asyncio

from supportflow.demo import EXAMPLE_PACK
from supportflow.events import TicketReceived
from supportflow.fleet import Fleet
from supportflow.topics import REPLIES_DRAFTED, TICKETS_RECEIVED
from supportflow.traffic import (
    collect_cases,
    collect_dead_letters,
    collect_incident_groups,
    publish_raw,
    publish_tickets,
)
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


async def test_the_first_ticket_of_an_incident_sees_its_group_grow(pipeline: Fleet) -> None:
    settings = pipeline.settings
    platform = ("deploy_regression", "open_incident", "integration_outage")
    items = [item for item in read_tickets(EXAMPLE_PACK) if item.truth.cause in platform]
    await publish_tickets(settings, [item.ticket for item in items])
    wanted = {item.ticket.ticket_id for item in items}
    collected = await collect_cases(settings, wanted, timeout=120)
    assert collected.cases.keys() == wanted
    groups = await collect_incident_groups(settings)

    grown = [g for g in groups.values() if g.grouped and g.size >= 2 and g.merged_into is None]
    assert grown, f"no incident group grew: {[(g.incident_id, g.size) for g in groups.values()]}"
    for group in grown:
        first = collected.cases[group.first_ticket_id].decision
        assert first is not None and first.incident_id is not None
        # the first report was decided when its group was smaller; the group record shows it now
        followed = groups[first.incident_id]
        assert (followed.merged_into or followed.incident_id) == group.incident_id
        assert first.incident_group_size < group.size
        assert (
            set(group.ticket_ids) <= wanted and len(set(group.account_ids)) >= 2
        ) or group.known_incident_id
