"""Learning in-process: resolve one pack with its truth, learn patterns, then run another pack of
the same world through intake, investigator, router and drafter with and without them, and
compare source checks, accuracy, evidence completeness and answer-point coverage.

For fast iteration only; the reported figures come from `supportflow eval --learn-from`.
Usage: python scripts/learn_replay.py EVAL_PACK LEARN_PACK [--domain DIR] [--show N] [--tickets]

--domain takes a domain folder (the default domain otherwise); a pack with an http/ folder is
served as the eval serves it. --tickets lists every ticket whose path, class or cause changed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domains import DEFAULT_DOMAIN
from services.drafter.draft import draft
from services.drafter.templates import Replies, replies_for
from services.intake.normalize import normalize
from services.intake.vocabulary import IntakeVocabulary
from services.investigator import Sources, investigate, load_playbooks, pack_sources
from services.investigator.app import similar_cases
from services.investigator.playbooks import PATTERNS_CHECK, Playbooks
from services.learner.patterns import learn
from services.router.decide import decide
from services.router.incidents import group_incident
from services.router.routing import RoutingTable, load_routing
from supportflow.domain import Domain, load_domain
from supportflow.evaluation.pack_http import PACK_HTTP_ENV, serve_pack_http
from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.evaluation.scoring import Scored, score
from supportflow.events import CaseFile, Pattern
from supportflow.similarity import PatternIndex
from supportflow.world.loader import read_tickets
from supportflow.world.pack import PackTicket

SHOWN = (
    "source_checks_per_ticket",
    "decision_accuracy",
    "evidence_completeness",
    "answer_point_coverage",
    "confident_wrong",
)


class Pipeline:
    """One domain's intake vocabulary, playbooks, routing and replies over a pack's sources."""

    def __init__(self, domain: Domain, sources: Sources) -> None:
        self.sources = sources
        self.vocabulary = IntakeVocabulary.from_domain(domain)
        self.playbooks: Playbooks = load_playbooks(domain)
        self.routing: RoutingTable = load_routing(domain)
        self.replies: Replies = replies_for(domain)


async def run(items: Sequence[PackTicket], pipeline: Pipeline, index: PatternIndex) -> list[Scored]:
    groups: dict[str, Any] = {}
    out = []
    sources, playbooks, routing = pipeline.sources, pipeline.playbooks, pipeline.routing
    for item in items:
        intake = normalize(item.ticket, (), pipeline.vocabulary)
        case = CaseFile(ticket_id=item.ticket.ticket_id, ticket=item.ticket, intake=intake)
        similar, priors = similar_cases(index, case)
        section = await investigate(case, sources, playbooks, priors=priors, similar=similar)
        case = case.model_copy(update={"investigation": section})
        case = case.model_copy(
            update={"decision": decide(case, routing, incident=group_incident(case, groups))}
        )
        case = case.model_copy(update={"draft": draft(case, replies=pipeline.replies)})
        out.append(Scored(truth=item.truth, case=case))
    return out


def source_path(result: Scored) -> list[str]:
    assert result.case is not None and result.case.investigation is not None
    return [e.check for e in result.case.investigation.evidence if e.check != PATTERNS_CHECK]


def confident_wrong(results: Sequence[Scored], floor: float = 0.7) -> int:
    return sum(
        r.case is not None
        and r.case.decision is not None
        and r.case.decision.decision_class not in (r.truth.decision, "unclear", "needs_info")
        and r.case.decision.confidence >= floor
        for r in results
    )


def figures(name: str, results: list[Scored]) -> dict[str, Any]:
    report = score(results)
    report["confident_wrong"] = confident_wrong(results)
    print(
        name,
        {k: round(v, 3) if isinstance(v, float) else v for k in SHOWN if (v := report.get(k)) is not None},
    )
    return report


def per_class(before: list[Scored], after: list[Scored]) -> None:
    rows: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    for b, a in zip(before, after, strict=True):
        if b.truth.decision == "needs_info":
            continue
        rows[b.truth.decision].append((len(source_path(b)), len(source_path(a))))
    for decision, pairs in sorted(rows.items()):
        cold = statistics.fmean(p[0] for p in pairs)
        warm = statistics.fmean(p[1] for p in pairs)
        print(f"  {decision:20} n={len(pairs):3} source checks {cold:.2f} -> {warm:.2f}")


def changed(before: list[Scored], after: list[Scored]) -> None:
    for b, a in zip(before, after, strict=True):
        assert b.case is not None and a.case is not None and b.case.decision and a.case.decision
        got_b = f"{b.case.decision.decision_class}/{b.case.decision.cause}"
        got_a = f"{a.case.decision.decision_class}/{a.case.decision.cause}"
        if source_path(b) == source_path(a) and got_a == got_b:
            continue
        similar = a.case.investigation.similar_cases if a.case.investigation else []
        print(f"{b.case.ticket_id} truth={b.truth.decision}/{b.truth.cause} cold={got_b} learned={got_a}")
        print(f"   cold    {' > '.join(source_path(b))}")
        print(f"   learned {' > '.join(source_path(a))}  similar={similar}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("eval_pack", type=Path)
    parser.add_argument("learn_pack", type=Path)
    parser.add_argument("--domain", type=Path, default=DEFAULT_DOMAIN)
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--tickets", action="store_true")
    args = parser.parse_args()
    with serve_pack_http(args.eval_pack) as env, tempfile.TemporaryDirectory() as scratch:
        os.environ.update(env)
        domain = load_domain(args.domain)
        if PACK_HTTP_ENV in env:
            print("serving", env[PACK_HTTP_ENV])
        sources = pack_sources(args.eval_pack, domain.data, Path(scratch))
        try:
            await compare(args, Pipeline(domain, sources))
        finally:
            await sources.aclose()


async def compare(args: argparse.Namespace, pipeline: Pipeline) -> None:
    teach, items = read_tickets(args.learn_pack), read_tickets(args.eval_pack)
    before = await run(items, pipeline, PatternIndex())
    base = figures("before", before)
    index = PatternIndex()
    known: dict[str, Pattern] = {}
    for result in await run(teach, pipeline, PatternIndex()):
        case = result.case
        assert case is not None
        resolved = resolution_from_truth(case, result.truth)
        for pattern in learn(resolved, case, known):
            known[pattern.pattern_id] = pattern
            index.add(pattern)
    print("patterns", len(index))
    after = await run(items, pipeline, index)
    learned = figures("after", after)
    print(
        "source checks change",
        round(learned["source_checks_per_ticket"] / base["source_checks_per_ticket"] - 1, 3),
    )
    # the least a complete investigation can run: the truth's required checks (identity included)
    floor = statistics.fmean(
        len(r.truth.required_evidence) for r in after if r.truth.decision != "needs_info"
    )
    print(
        "complete-investigation source floor",
        round(floor, 3),
        "change",
        round(floor / base["source_checks_per_ticket"] - 1, 3),
    )
    # the least learning can reach while an unclear case still gets its full rule-out survey:
    # every other ticket at the truth's required checks, unclear ones as they ran
    kept = statistics.fmean(
        len(source_path(r)) if r.truth.decision == "unclear" else len(r.truth.required_evidence)
        for r in after
        if r.truth.decision != "needs_info"
    )
    print(
        "floor with the unclear survey kept",
        round(kept, 3),
        "change",
        round(kept / base["source_checks_per_ticket"] - 1, 3),
    )
    per_class(before, after)
    if args.tickets:
        changed(before, after)
    paths: collections.Counter[str] = collections.Counter()
    for result in after:
        if result.truth.decision != "needs_info":
            paths[f"{result.truth.decision}: " + " > ".join(source_path(result))[:160]] += 1
    for path, count in paths.most_common(args.show):
        print(f"{count:4} {path}")


if __name__ == "__main__":
    asyncio.run(main())
