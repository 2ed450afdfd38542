"""Learning in-process: resolve one pack with its truth, learn patterns, then investigate another
pack of the same world with and without them, and compare checks and accuracy.

For fast iteration only; the reported figures come from `supportflow eval --learn-from`.
Usage: python scripts/learn_replay.py EVAL_PACK LEARN_PACK [--show N]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
from pathlib import Path

from domains import DEFAULT_DOMAIN
from services.intake.normalize import normalize
from services.investigator import Sources, investigate, load_playbooks, pack_sources
from services.investigator.app import similar_cases
from services.investigator.playbooks import Playbooks
from services.learner.patterns import learn
from services.router.decide import decide
from services.router.routing import RoutingTable, load_routing
from supportflow.domain import load_domain
from supportflow.events import CaseFile, CaseResolved, Pattern, utcnow
from supportflow.similarity import PatternIndex
from supportflow.world.loader import read_tickets
from supportflow.world.pack import PackTicket


async def run(
    items: list[PackTicket],
    sources: Sources,
    playbooks: Playbooks,
    routing: RoutingTable,
    index: PatternIndex,
) -> list[CaseFile]:
    cases = []
    for item in items:
        case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket)
        case.intake = normalize(item.ticket)
        similar, priors = similar_cases(index, case)
        case.investigation = await investigate(case, sources, playbooks, priors=priors, similar=similar)
        case.decision = decide(case, routing)
        cases.append(case)
    return cases


def figures(name: str, items: list[PackTicket], cases: list[CaseFile]) -> dict[str, float]:
    checks = [
        len(c.investigation.evidence)
        for c, i in zip(cases, items, strict=True)
        if c.investigation and i.truth.decision != "needs_info"
    ]
    right = sum(
        c.decision is not None and c.decision.decision_class == i.truth.decision
        for c, i in zip(cases, items, strict=True)
    )
    required = ran = 0
    for c, i in zip(cases, items, strict=True):
        if i.truth.decision == "needs_info" or c.investigation is None:
            continue
        done = {e.check for e in c.investigation.evidence if e.verdict != "unavailable"}
        required += len(i.truth.required_evidence)
        ran += sum(x in done for x in i.truth.required_evidence)
    out = {
        "checks_per_ticket": statistics.fmean(checks),
        "accuracy": right / len(items),
        "completeness": ran / max(required, 1),
    }
    print(name, {k: round(v, 3) for k, v in out.items()})
    return out


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("eval_pack", type=Path)
    parser.add_argument("learn_pack", type=Path)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    sources = pack_sources(args.eval_pack, load_domain(DEFAULT_DOMAIN).data)
    playbooks, routing = (
        load_playbooks(load_domain(DEFAULT_DOMAIN)),
        load_routing(load_domain(DEFAULT_DOMAIN)),
    )
    teach, items = read_tickets(args.learn_pack), read_tickets(args.eval_pack)
    before = await run(items, sources, playbooks, routing, PatternIndex())
    base = figures("before", items, before)
    index = PatternIndex()
    known: dict[str, Pattern] = {}
    for item, case in zip(teach, await run(teach, sources, playbooks, routing, PatternIndex()), strict=True):
        resolved = CaseResolved(
            ticket_id=case.ticket_id,
            resolved_at=utcnow(),
            final_class=item.truth.decision,
            final_cause=item.truth.cause,
            final_queue=item.truth.route_queue,
            final_reply="",
            draft_edited=False,
            engineering_follow_up=False,
            reopened=False,
        )
        for pattern in learn(resolved, case, known):
            known[pattern.pattern_id] = pattern
            index.add(pattern)
    print("patterns", len(index))
    after = await run(items, sources, playbooks, routing, index)
    learned = figures("after", items, after)
    print("checks change", round(learned["checks_per_ticket"] / base["checks_per_ticket"] - 1, 3))
    # the least a complete investigation can run: the truth's required checks, plus the similar-case
    # lookup wherever patterns matched
    floor = statistics.fmean(
        len(i.truth.required_evidence) + bool(c.investigation and c.investigation.similar_cases)
        for c, i in zip(after, items, strict=True)
        if i.truth.decision != "needs_info"
    )
    print(
        "complete-investigation floor",
        round(floor, 3),
        "change",
        round(floor / base["checks_per_ticket"] - 1, 3),
    )
    paths: collections.Counter[str] = collections.Counter()
    for case, item in zip(after, items, strict=True):
        if case.investigation and item.truth.decision != "needs_info":
            paths[" > ".join(e.check for e in case.investigation.evidence)[:150]] += 1
    for path, count in paths.most_common(args.show):
        print(f"{count:4} {path}")


if __name__ == "__main__":
    asyncio.run(main())
