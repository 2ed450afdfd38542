"""Which required checks an in-process replay leaves unrun, per cause family, and why.

For each ticket that is not needs_info, every `truth.required_evidence` check the investigation
did not run (or ran as `unavailable`) is counted under the ticket's cause and the check, together
with what the investigation concluded (the confirmed cause, or none) — enough to tell "confirmed
by the first check, second skipped" from "parked" or "hypothesis never tested".
For iteration only; the reported figures come from `supportflow eval`.
Usage: python scripts/inv_missing.py PACK [--examples N]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
from pathlib import Path

from domains import DEFAULT_DOMAIN
from services.intake.normalize import normalize
from services.investigator import investigate, load_playbooks, pack_sources
from supportflow.domain import load_domain
from supportflow.events import CaseFile
from supportflow.world.loader import read_tickets


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    parser.add_argument("--examples", type=int, default=2)
    args = parser.parse_args()
    sources = pack_sources(args.pack, load_domain(DEFAULT_DOMAIN).data)
    playbooks = load_playbooks(load_domain(DEFAULT_DOMAIN))
    missing: collections.Counter[tuple[str, str, str]] = collections.Counter()
    examples: dict[tuple[str, str, str], list[str]] = collections.defaultdict(list)
    required = ran_required = 0
    for item in read_tickets(args.pack):
        truth = item.truth
        if truth.decision == "needs_info":
            continue
        case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket)
        case.intake = normalize(item.ticket)
        inv = await investigate(case, sources, playbooks)
        ran = {e.check for e in inv.evidence if e.verdict != "unavailable"}
        confirmed = [h.cause for h in inv.hypotheses if h.verdict == "confirmed"]
        if case.intake.status == "needs_info":
            why = "parked"
        elif truth.cause in confirmed:
            why = "confirmed-right"
        elif confirmed:
            why = f"confirmed-{confirmed[0]}"
        else:
            tested = {h.cause: h.verdict for h in inv.hypotheses}
            why = f"{truth.cause}:{tested.get(str(truth.cause), 'not-considered')}"
        required += len(truth.required_evidence)
        for check in truth.required_evidence:
            if check in ran:
                ran_required += 1
                continue
            key = (str(truth.cause or truth.decision), check, why)
            missing[key] += 1
            if len(examples[key]) < args.examples:
                examples[key].append(item.ticket.ticket_id)
    print(f"completeness {ran_required}/{required} = {ran_required / max(required, 1):.3f}")
    for (family, check, why), count in missing.most_common():
        print(f"{count:4}  {family:20} {check:34} {why:36} {' '.join(examples[(family, check, why)])}")


if __name__ == "__main__":
    asyncio.run(main())
