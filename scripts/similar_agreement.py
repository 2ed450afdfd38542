"""How often the most similar learned pattern names the right class: a measure of the pattern keys.

Learns patterns from LEARN_PACK's tickets (intake only, settled with their truth: class and
cause), then looks each EVAL_PACK ticket up as the investigator does and compares the top-1
pattern's class and cause with the ticket's truth. Prints the agreement over the tickets that
found a similar case (at the investigator's similarity floor) and over all, beside the
majority-class rate of EVAL_PACK: a key that merges unrelated tickets falls toward it.
In-process and deterministic; no broker; tickets are read with the configured domain
(SUPPORTFLOW_DOMAIN). Usage: python scripts/similar_agreement.py EVAL_PACK LEARN_PACK
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from services.intake.normalize import normalize
from services.investigator.app import SIMILARITY_FLOOR
from services.learner.patterns import learn
from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.events import CaseFile, Pattern
from supportflow.similarity import PRIOR_MATCHES, PatternIndex
from supportflow.world.loader import read_tickets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("eval_pack", type=Path)
    parser.add_argument("learn_pack", type=Path)
    args = parser.parse_args()
    index = PatternIndex()
    known: dict[str, Pattern] = {}
    lessons = read_tickets(args.learn_pack)
    for item in lessons:
        case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket, intake=normalize(item.ticket))
        resolved = resolution_from_truth(
            case,
            item.truth,
            resolved_at=item.ticket.received_at,
            draft_edited=False,
            engineering_follow_up=False,
        )
        for pattern in learn(resolved, case, known):
            known[pattern.pattern_id] = pattern
            index.add(pattern)
    items = read_tickets(args.eval_pack)
    truths = collections.Counter(item.truth.decision for item in items)
    found = same_class = same_cause = floor_found = floor_class = 0
    for item in items:
        intake = normalize(item.ticket)
        matches = index.similar(intake, k=PRIOR_MATCHES)  # one lookup, as the investigator's
        if not matches:
            continue
        pattern, score = matches[0]
        found += 1
        same_class += pattern.decision_class == item.truth.decision
        same_cause += pattern.cause == item.truth.cause
        if score >= SIMILARITY_FLOOR:
            floor_found += 1
            floor_class += pattern.decision_class == item.truth.decision
    majority, count = truths.most_common(1)[0]
    print(f"patterns learned: {len(index)} from {len(lessons)} tickets")
    print(f"eval tickets: {len(items)}; majority class {majority} = {count / len(items):.3f}")
    print(
        f"top-1 found: {found}; class agrees {same_class / max(found, 1):.3f}; cause agrees {same_cause / max(found, 1):.3f}"
    )
    print(
        f"top-1 at similarity >= {SIMILARITY_FLOOR}: {floor_found}; class agrees {floor_class / max(floor_found, 1):.3f}"
    )


if __name__ == "__main__":
    main()
