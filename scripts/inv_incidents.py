"""Replay a scenario pack in-process in arrival order and show how platform tickets group.

For each deploy regression, open incident and integration outage of the truth, the episode it
belongs to (the deploy or incident the evidence names) and the incident group the router gave
it, with the group size at that moment. Reports episodes split over several groups and groups
mixing episodes. For iteration only; not part of the eval.
Usage: python scripts/inv_incidents.py PACK
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from pathlib import Path
from typing import Any

from domains import DEFAULT_DOMAIN
from services.intake.normalize import normalize
from services.investigator import investigate, load_playbooks, pack_sources
from services.router.decide import decide
from services.router.incidents import GROUPED_CLASSES, group_incident
from services.router.routing import load_routing
from supportflow.domain import load_domain
from supportflow.events import CaseFile
from supportflow.world.loader import read_tickets


def episode_of(case: CaseFile) -> str:
    """The deploy or incident behind a case, from its supporting evidence (truth has no id)."""
    assert case.investigation is not None
    for evidence in case.investigation.evidence:
        if evidence.verdict != "supports":
            continue
        if evidence.check == "changes.recent_deploys":
            return f"deploy {evidence.facts.get('component')}@{evidence.facts.get('version')}"
        if evidence.check == "incidents.open_incidents":
            return f"incident {evidence.facts.get('incident_id')}"
    return "?"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    args = parser.parse_args()
    sources = pack_sources(args.pack, load_domain(DEFAULT_DOMAIN).data)
    playbooks, routing = (
        load_playbooks(load_domain(DEFAULT_DOMAIN)),
        load_routing(load_domain(DEFAULT_DOMAIN)),
    )
    state: dict[str, Any] = {}
    episodes: dict[str, set[str]] = collections.defaultdict(set)
    groups: dict[str, set[str]] = collections.defaultdict(set)
    items = sorted(read_tickets(args.pack), key=lambda item: item.ticket.received_at)
    for item in items:
        case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket)
        case.intake = normalize(item.ticket)
        case.investigation = await investigate(case, sources, playbooks)
        match = group_incident(case, state)
        case.decision = decide(case, routing, incident=match)
        truth = item.truth.cause
        if item.truth.decision not in GROUPED_CLASSES and match is None:
            continue
        episode = (
            f"{truth}: {episode_of(case)}" if item.truth.decision in GROUPED_CLASSES else f"(truth {truth})"
        )
        group = case.decision.incident_id or (match.incident_id if match else "-")
        print(
            f"{item.ticket.received_at:%m-%d %H:%M} {item.ticket.ticket_id:10} "
            f"{case.investigation.account_id or '-':11} {episode:48} "
            f"→ {group:14} size {case.decision.incident_group_size}"
            f"{'' if match is None else ' ' + match.signature}"
        )
        if match is not None:
            episodes[episode].add(match.incident_id)
            groups[match.incident_id].add(episode)
    split = {e: g for e, g in episodes.items() if len(g) > 1 and "?" not in e}
    mixed = {g: e for g, e in groups.items() if len(e) > 1}
    print(f"\nepisodes split over several groups: {len(split)}")
    for episode, ids in sorted(split.items()):
        print(f"  {episode}: {sorted(ids)}")
    print(f"groups mixing episodes: {len(mixed)}")
    for group, names in sorted(mixed.items()):
        print(f"  {group}: {sorted(names)}")


if __name__ == "__main__":
    asyncio.run(main())
