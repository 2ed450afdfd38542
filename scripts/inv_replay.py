"""Replay a scenario pack in-process (normalize → investigate → decide) and list the mistakes.

For fast iteration only; the reported figures come from `supportflow eval`.
Usage: python scripts/inv_replay.py PACK [--show N] [--family F] [--all]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
from pathlib import Path

from domains import DEFAULT_DOMAIN
from services.intake.normalize import normalize
from services.investigator import investigate, load_playbooks, pack_sources
from services.router.decide import decide
from services.router.routing import load_routing
from supportflow.domain import load_domain
from supportflow.events import CaseFile
from supportflow.world.loader import read_tickets


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    parser.add_argument("--show", type=int, default=40)
    parser.add_argument("--family", default=None)
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args()
    sources = pack_sources(args.pack, load_domain(DEFAULT_DOMAIN).data)
    playbooks = load_playbooks(load_domain(DEFAULT_DOMAIN))
    routing = load_routing(load_domain(DEFAULT_DOMAIN))
    items = read_tickets(args.pack)
    right = routed = 0
    required = ran_required = checks = possible = 0
    per_class: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    per_family: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    shown = 0
    for item in items:
        case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket)
        case.intake = normalize(item.ticket)
        case.investigation = await investigate(case, sources, playbooks)
        case.decision = decide(case, routing)
        truth = item.truth
        ok = case.decision.decision_class == truth.decision
        right += ok
        routed += case.decision.route.queue == truth.route_queue
        per_class[truth.decision][0] += ok
        per_class[truth.decision][1] += 1
        fam = str(truth.cause or truth.family or truth.decision)
        per_family[fam][0] += ok
        per_family[fam][1] += 1
        ran = {e.check for e in case.investigation.evidence if e.verdict != "unavailable"}
        missed = [c for c in truth.required_evidence if c not in ran]
        if truth.decision != "needs_info":
            required += len(truth.required_evidence)
            ran_required += len(truth.required_evidence) - len(missed)
            checks += len(case.investigation.evidence)
            possible += case.investigation.checks_possible
        if args.family and fam != args.family:
            continue
        if (not ok or missed or args.all) and shown < args.show:
            shown += 1
            print("=" * 100)
            print(
                f"{item.ticket.ticket_id} truth={truth.decision}/{truth.cause} family={truth.family} "
                f"got={case.decision.decision_class}/{case.decision.cause} missed={missed}"
            )
            print("SUBJ:", item.ticket.subject)
            print("BODY:", item.ticket.body[:600].replace("\n", " | "))
            i = case.intake
            print(
                f"intake: type={i.problem_type} status={i.status} ids={i.identifiers} "
                f"window={i.window_start}..{i.window_end} sigs={[s.value for s in i.error_signatures]}"
            )
            print("playbook:", case.investigation.playbook, "identity:", case.investigation.identity_status)
            for h in case.investigation.hypotheses:
                if h.verdict != "unlikely" or h.evidence_ids:
                    print(f"  H {h.cause:20} {h.verdict:12} {h.evidence_ids}")
            for e in case.investigation.evidence:
                print(f"  {e.evidence_id} {e.check:32} {e.verdict:11} {e.observed[:150]}")
    n = len(items)
    print("\naccuracy", round(right / n, 3), "route", round(routed / n, 3))
    print(
        "completeness",
        round(ran_required / max(required, 1), 3),
        "checks",
        round(checks / max(possible, 1), 3),
    )
    print(json.dumps({k: f"{v[0]}/{v[1]}" for k, v in sorted(per_class.items())}))
    print(json.dumps({k: f"{v[0]}/{v[1]}" for k, v in sorted(per_family.items())}))


if __name__ == "__main__":
    asyncio.run(main())
