"""The learner's patterns survive a restart: support counts continue, they do not start over."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from supportflow import codec
from supportflow.admin import read_topic
from supportflow.demo import EXAMPLE_PACK
from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.events import CaseFile, Pattern
from supportflow.fleet import Fleet
from supportflow.settings import Settings
from supportflow.similarity import pattern_id_for
from supportflow.topics import PATTERNS
from supportflow.traffic import collect_cases, publish_resolutions, publish_tickets
from supportflow.world.loader import read_tickets
from supportflow.world.pack import PackTicket

FAMILY = "plan_limit"
TICKETS = 8


async def resolve(settings: Settings, items: Sequence[PackTicket], cases: Mapping[str, CaseFile]) -> None:
    """The helpdesk's final outcome for each ticket, taken from the pack's truth."""
    await publish_resolutions(
        settings,
        [
            resolution_from_truth(
                cases[item.ticket.ticket_id], item.truth, draft_edited=False, engineering_follow_up=False
            )
            for item in items
        ],
    )


async def patterns_once(settings: Settings, total_support: int, timeout: float = 60.0) -> dict[str, Pattern]:
    """The newest version of every pattern, once their support adds up to `total_support`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    newest: dict[str, Pattern] = {}
    while True:
        newest = {}
        async for record in read_topic(settings, settings.topic(PATTERNS), idle_timeout=2.0):
            if record.value is not None:
                pattern = codec.decode(Pattern, record.value, record.headers)
                newest[pattern.pattern_id] = pattern
        if sum(p.support for p in newest.values()) >= total_support or loop.time() > deadline:
            return newest
        await asyncio.sleep(1.0)


def split_across_restart(
    items: Sequence[PackTicket], cases: Mapping[str, CaseFile]
) -> tuple[list[PackTicket], list[PackTicket], Counter[str]]:
    """Tickets of each pattern alternate between before and after the restart."""
    groups: dict[str, list[PackTicket]] = defaultdict(list)
    for item in items:
        intake = cases[item.ticket.ticket_id].intake
        assert intake is not None
        groups[pattern_id_for(intake, item.truth.decision, item.truth.cause)].append(item)
    before = [item for group in groups.values() for item in group[0::2]]
    after = [item for group in groups.values() for item in group[1::2]]
    return before, after, Counter({pid: len(group) for pid, group in groups.items()})


async def test_learner_continues_pattern_support_after_a_restart(pipeline: Fleet) -> None:
    settings = pipeline.settings
    items = [item for item in read_tickets(EXAMPLE_PACK) if item.truth.family == FAMILY][:TICKETS]
    await publish_tickets(settings, [item.ticket for item in items])
    collected = await collect_cases(settings, {item.ticket.ticket_id for item in items}, timeout=120)
    assert len(collected.cases) == len(items)
    await asyncio.sleep(3.0)  # the learner keeps each drafted case as the trail of its resolution
    before, after, expected = split_across_restart(items, collected.cases)
    spanning = [pid for pid, count in expected.items() if count >= 2]
    assert spanning, f"no pattern has tickets on both sides of the restart: {expected}"

    await resolve(settings, before, collected.cases)
    learned = await patterns_once(settings, len(before))
    assert sum(p.support for p in learned.values()) == len(before)

    pipeline.kill("learner")
    pipeline.start_service("learner")
    await asyncio.to_thread(pipeline.wait_healthy, 120.0)
    await resolve(settings, after, collected.cases)

    final = await patterns_once(settings, len(items))
    assert {pid: p.support for pid, p in final.items()} == dict(expected)
    before_ids = {item.ticket.ticket_id for item in before}
    after_ids = {item.ticket.ticket_id for item in after}
    for pid in spanning:
        ticket_ids = set(final[pid].ticket_ids)
        assert ticket_ids & before_ids and ticket_ids & after_ids
