"""Learned investigation paths, measured by holding one cause family out of a domain's playbooks.

In-process (no broker): a copy of the domain folder without the family's hypothesis (and its
routing override) answers the pack cold; then resolved examples of the family are learned —
each resolution carries the true cause, class and queue, the evidence that settled it (the
checks of the family's hypothesis in the full domain that supported it on that ticket, with
what they were run for) and the full domain's drafted reply as the approved answer — and the
pack is answered again after 5 and after 10 of them. The examples come from `--learn` (tickets
of the same world that are not in the pack); without it, each held-out ticket is answered by
paths learned from the family's other tickets in the pack (leave one out).

    python scripts/learned_paths_holdout.py domains/lumen examples/packs/lumen-demo feature_flag_off \
        --learn /tmp/lumen-learn
    python scripts/learned_paths_holdout.py domains/kestrel examples/packs/kestrel recipient_suppressed

Figures per phase: accuracy (class and cause) on the held-out family, class accuracy per other
family, confident-wrong answers (a wrong class other than unclear / needs_info), source checks,
the held-out family's answer-point coverage, and replies holding a ticket's forbidden text (e.g.
another tenant's data).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.drafter.draft import draft
from services.drafter.templates import Replies, replies_for
from services.intake.normalize import normalize
from services.intake.vocabulary import IntakeVocabulary
from services.investigator import Sources, build_sources, investigate, learned_path, load_playbooks
from services.investigator.learned_path import LearnedPaths
from services.investigator.playbooks import Playbooks
from services.learner.paths import learn_path
from services.router.decide import decide
from services.router.routing import RoutingTable, load_routing
from supportflow import masking
from supportflow.domain import Domain, load_domain
from supportflow.evaluation.holdout import held_out_folder
from supportflow.evaluation.pack_http import serve_pack_http
from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.evaluation.scoring import contains, covers
from supportflow.events import CaseFile, LearnedPath, SettlingEvidence
from supportflow.world.loader import load_pack, read_tickets
from supportflow.world.pack import PackTicket

UNSURE = ("unclear", "needs_info")
STEPS = (0, 5, 10)


@dataclass
class Pipeline:
    domain: Domain
    vocabulary: IntakeVocabulary
    sources: Sources
    playbooks: Playbooks
    routing: RoutingTable
    replies: Replies

    @classmethod
    def of(cls, folder: Path, env: dict[str, str]) -> Pipeline:
        domain = load_domain(folder, env=env)
        return cls(
            domain,
            IntakeVocabulary.from_domain(domain),
            build_sources(domain.data),
            load_playbooks(domain),
            load_routing(domain),
            replies_for(domain),
        )

    async def answer(self, item: PackTicket, paths: LearnedPaths | None = None) -> CaseFile:
        secrets = ((re.compile(s.pattern), s.keep) for s in self.domain.vocabulary.secrets)
        with masking.domain_secrets(secrets):
            case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket)
            case.intake = normalize(item.ticket, vocabulary=self.vocabulary)
            tried = paths.candidates(case.intake) if paths is not None else []
            case.investigation = await investigate(case, self.sources, self.playbooks, paths=tried)
            case.decision = decide(case, self.routing)
            case.draft = draft(case, replies=self.replies)
        return case


def settling_evidence(full: CaseFile, cause: str, playbooks: Playbooks) -> list[SettlingEvidence]:
    """What a person who knew the cause would record: the family's checks that supported it."""
    assert full.investigation is not None
    spec = playbooks.hypotheses[cause]
    hypothesis = next((h for h in full.investigation.hypotheses if h.cause == cause), None)
    if hypothesis is None or hypothesis.verdict != "confirmed":
        return []
    by_id = {e.evidence_id: e for e in full.investigation.evidence}
    required = {step.check for step in spec.checks if step.required}
    params = {key: json.dumps(value) for key, value in spec.attributes.items()}
    return [
        SettlingEvidence(
            check=e.check,
            source=e.source,
            verdict=e.verdict,
            observed=e.observed,
            params=params,
            facts=e.facts,
        )
        for e in (by_id[i] for i in hypothesis.evidence_ids if i in by_id)
        if e.check in required and e.verdict == "supports"
    ]


async def resolve(
    item: PackTicket, held: Pipeline, full: Pipeline, cause: str, known: dict[str, LearnedPath]
) -> bool:
    """Answer one example with the held-out domain, resolve it with its truth, learn a path."""
    case = await held.answer(item)
    truth_case = await full.answer(item)
    resolved = resolution_from_truth(
        case,
        item.truth,
        final_reply=truth_case.draft.customer_reply if truth_case.draft else "",
        draft_edited=True,
        engineering_follow_up=False,
        settled_by=settling_evidence(truth_case, cause, full.playbooks),
    )
    path = learn_path(resolved, case, known)
    if path is not None:
        known[path.path_id] = path
    return path is not None


def family(item: PackTicket) -> str:
    return item.truth.cause or item.truth.decision


def figures(items: Sequence[PackTicket], cases: Sequence[CaseFile], cause: str) -> dict[str, Any]:
    right: dict[str, list[bool]] = defaultdict(list)
    confident_wrong = learned = 0
    checks = 0
    points = covered = leaks = 0
    for item, case in zip(items, cases, strict=True):
        assert case.decision is not None and case.investigation is not None and case.draft is not None
        reply = case.draft.customer_reply
        leaks += any(contains(reply, text) for text in item.truth.forbidden)
        if family(item) == cause:
            points += len(item.truth.answer_points)
            covered += sum(covers(reply, point) for point in item.truth.answer_points)
        got = case.decision.decision_class
        ok = got == item.truth.decision
        if family(item) == cause:
            ok = ok and case.decision.cause == cause
        right[family(item)].append(ok)
        confident_wrong += got != item.truth.decision and got not in UNSURE
        learned += case.investigation.learned_path is not None
        checks += sum(e.source != "patterns" for e in case.investigation.evidence)
    held = right.pop(cause, [])
    return {
        "held_out": round(sum(held) / len(held), 3) if held else None,
        "held_out_n": len(held),
        "others": {f: round(sum(v) / len(v), 3) for f, v in sorted(right.items())},
        "others_overall": round(sum(sum(v) for v in right.values()) / sum(len(v) for v in right.values()), 3),
        "confident_wrong": confident_wrong,
        "decided_by_learned_path": learned,
        "held_out_answer_point_coverage": round(covered / points, 3) if points else None,
        "replies_with_forbidden_text": leaks,
        "source_checks_per_ticket": round(checks / len(items), 3),
    }


async def measure(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    db = f"sqlite:///{tmp / 'world.db'}"
    load_pack(args.pack, db, domain=args.domain)
    with serve_pack_http(args.pack) as http_env:
        env = {"SUPPORTFLOW_WORLD_DB": db, **http_env}
        full = Pipeline.of(args.domain, env)
        held = Pipeline.of(held_out_folder(args.domain, args.cause, tmp), env)
        try:
            items = read_tickets(args.pack)
            if args.limit:
                items = [i for i in items if family(i) == args.cause] + [
                    i for i in items if family(i) != args.cause
                ][: args.limit]
            report: dict[str, Any] = {
                "domain": str(args.domain),
                "pack": str(args.pack),
                "held_out": args.cause,
                "path_similarity_floor": learned_path.PATH_SIMILARITY_FLOOR,
            }
            if args.learn is not None:
                examples = [i for i in read_tickets(args.learn) if family(i) == args.cause]
                known: dict[str, LearnedPath] = {}
                done = 0
                for step in STEPS:
                    while done < min(step, len(examples)):
                        await resolve(examples[done], held, full, args.cause, known)
                        done += 1
                    paths = LearnedPaths()
                    for path in known.values():
                        paths.add(path)
                    cases = [await held.answer(i, paths) for i in items]
                    report[f"after_{step}"] = {
                        "examples": done,
                        "paths": len(known),
                        **figures(items, cases, args.cause),
                    }
                    print(json.dumps({f"after_{step}": report[f"after_{step}"]}), flush=True)
            else:
                report.update(await leave_one_out(items, held, full, args.cause))
        finally:
            await full.sources.aclose()
            await held.sources.aclose()
    return report


async def leave_one_out(
    items: Sequence[PackTicket], held: Pipeline, full: Pipeline, cause: str
) -> dict[str, Any]:
    """Each held-out ticket answered by paths learned from up to N of the family's others; the
    other families answered with the paths learned from all of them."""
    family_items = [i for i in items if family(i) == cause]
    out: dict[str, Any] = {}
    for step in STEPS:
        cases: dict[str, CaseFile] = {}
        for item in family_items:
            known: dict[str, LearnedPath] = {}
            for other in [o for o in family_items if o is not item][:step]:
                await resolve(other, held, full, cause, known)
            paths = LearnedPaths()
            for path in known.values():
                paths.add(path)
            cases[item.ticket.ticket_id] = await held.answer(item, paths)
        known = {}
        for other in family_items[:step]:
            await resolve(other, held, full, cause, known)
        paths = LearnedPaths()
        for path in known.values():
            paths.add(path)
        for item in items:
            if family(item) != cause:
                cases[item.ticket.ticket_id] = await held.answer(item, paths)
        examples = min(step, len(family_items) - 1)
        out[f"after_{step}"] = {
            "examples": examples,
            **figures(items, [cases[i.ticket.ticket_id] for i in items], cause),
        }
        print(json.dumps({f"after_{step}": out[f"after_{step}"]}), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("domain", type=Path)
    parser.add_argument("pack", type=Path)
    parser.add_argument("cause", help="the cause family held out of the playbooks")
    parser.add_argument("--learn", type=Path, default=None, help="a pack of the same world to learn from")
    parser.add_argument(
        "--limit", type=int, default=0, help="answer only this many tickets of other families"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--floor", type=float, default=None, help="try another path similarity floor")
    args = parser.parse_args()
    if args.floor is not None:
        learned_path.PATH_SIMILARITY_FLOOR = args.floor
    with tempfile.TemporaryDirectory() as tmp:
        report = asyncio.run(measure(args, Path(tmp)))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    counts = Counter(k for k in report if k.startswith("after_"))
    print(f"phases: {sorted(counts)}")


if __name__ == "__main__":
    main()
