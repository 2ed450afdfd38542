"""In-process pipeline over a pack: normalize -> investigate -> decide -> draft, no broker.

Prints coverage per family and the missed answer points, for diagnosing the drafter.
With --learn-from, learns patterns from another pack's truth first (like the eval) and reports
checks per ticket before and after.

    python scripts/draft_inprocess.py examples/packs/lumen-demo [--learn-from PACK2] [--show N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domains import DEFAULT_DOMAIN
from services.drafter.draft import draft
from services.intake.normalize import normalize
from services.investigator import build_sources, investigate, load_playbooks
from services.investigator.app import similar_cases
from services.learner.patterns import learn
from services.router.decide import decide
from services.router.incidents import group_incident
from services.router.routing import load_routing
from supportflow.domain import Domain, load_domain
from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.evaluation.scoring import Scored, contains, score
from supportflow.events import CaseFile, Pattern
from supportflow.similarity import PatternIndex
from supportflow.world.loader import load_pack, read_tickets

PROTOTYPE_SETTLED = 0.0  # > 0: prototype the "no rivals after a learned confirmation" rule


def configure(pack: Path, db_dir: Path) -> Domain:
    db = f"sqlite:///{db_dir / (pack.resolve().name + '.db')}"
    load_pack(pack, db)
    return load_domain(DEFAULT_DOMAIN, env={"SUPPORTFLOW_WORLD_DB": db})


async def run(pack: Path, db_dir: Path, index: PatternIndex, prefix: str) -> list[Scored]:
    domain = configure(pack, db_dir)
    sources = build_sources(domain.data)
    playbooks = load_playbooks(domain)
    routing = load_routing(domain)
    groups: dict[str, Any] = {}
    out: list[Scored] = []
    for item in read_tickets(pack):
        ticket = item.ticket.model_copy(update={"ticket_id": prefix + item.ticket.ticket_id})
        case = CaseFile(ticket_id=ticket.ticket_id, revision=1, ticket=ticket, intake=normalize(ticket, []))
        similar, priors = similar_cases(index, case)
        chosen = playbooks
        if PROTOTYPE_SETTLED and priors and max(priors.values()) >= PROTOTYPE_SETTLED:
            # prototype of the proposed investigator change: a cause the similar resolved cases
            # settle on is not re-argued against its rivals once confirmed.
            chosen = dataclasses.replace(playbooks, settings={**playbooks.settings, "max_contenders": 0})
        section = await investigate(case, sources, chosen, priors=priors, similar=similar)
        case = case.model_copy(update={"investigation": section})
        case = case.model_copy(
            update={"decision": decide(case, routing, incident=group_incident(case, groups))}
        )
        case = case.model_copy(update={"draft": draft(case)})
        out.append(Scored(truth=item.truth, case=case))
    await sources.aclose()
    return out


def learn_all(results: Sequence[Scored], index: PatternIndex) -> int:
    patterns: dict[str, Pattern] = {}
    for r in results:
        assert r.case is not None
        resolved = resolution_from_truth(r.case, r.truth)
        for pattern in learn(resolved, r.case, patterns):
            patterns[pattern.pattern_id] = pattern
            index.add(pattern)
    return len(patterns)


def summary(label: str, results: list[Scored]) -> dict[str, Any]:
    report = score(results)
    keys = (
        "answer_point_coverage",
        "forbidden_leaks",
        "claims_grounded_ratio",
        "decision_accuracy",
        "checks_per_ticket",
        "pattern_reuse",
        "evidence_completeness",
    )
    print(label, json.dumps({k: report.get(k) for k in keys}))
    return report


def misses(results: list[Scored], show: int) -> None:
    by_family: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for r in results:
        assert r.case is not None and r.case.draft is not None
        fam = r.truth.family or str(r.truth.cause)
        for point in r.truth.answer_points:
            if not contains(r.case.draft.customer_reply, point):
                right = r.case.decision and r.case.decision.decision_class == r.truth.decision
                by_family[fam]["right" if right else "wrong"] += 1
                if len(examples[fam]) < show:
                    facts = (
                        [e.facts for e in r.case.investigation.evidence if e.verdict == "supports"]
                        if r.case.investigation
                        else []
                    )
                    examples[fam].append(
                        f"  {r.case.ticket_id} miss={point!r} decided={r.case.decision.decision_class if r.case.decision else None}/"
                        f"{r.case.decision.cause if r.case.decision else None}\n    facts={facts}\n    reply={r.case.draft.customer_reply[:600]!r}"
                    )
    rep = score(results)["per_family"]
    for fam, row in rep.items():
        print(
            f"{fam:22} n={row['tickets']:3} cov={row['answer_point_coverage']} acc={row['decision_accuracy']:.2f} "
            f"checks={row['checks_per_ticket']} missed={dict(by_family.get(fam, {}))}"
        )
    for fam, lines in examples.items():
        print(f"== {fam}")
        print("\n".join(lines))


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    parser.add_argument("--learn-from", type=Path)
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--family")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db_dir = Path(tmp)
        index = PatternIndex()
        before = await run(args.pack, db_dir, index, "B-")
        summary("before", before)
        if args.family:
            before = [r for r in before if (r.truth.family or str(r.truth.cause)) == args.family]
        misses(before, args.show)
        if args.learn_from:
            lessons = await run(args.learn_from, db_dir, index, "L-")
            print("patterns", learn_all(lessons, index))
            after = await run(args.pack, db_dir, index, "A-")
            b, a = score(before), summary("after", after)
            print("reduction", 1 - a["checks_per_ticket"] / b["checks_per_ticket"])
            misses(after, 0)


if __name__ == "__main__":
    asyncio.run(main())
