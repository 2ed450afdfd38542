"""Investigator wiring: `support.tickets.normalized` -> investigate() -> `support.cases.investigated`.

Sources of truth come from the domain YAML; learned patterns arrive through the pattern feed
(every replica holds them all) and give the investigation its priors and similar cases.
"""

from __future__ import annotations

import faust

from services.investigator import SimilarCase, Sources, build_sources, investigate, load_playbooks
from services.investigator.learned_path import LearnedPaths
from services.investigator.playbooks import Playbooks
from supportflow import metrics
from supportflow.events import CaseFile, InvestigationSection
from supportflow.path_feed import PathFeed
from supportflow.pattern_feed import PatternFeed
from supportflow.runtime import create_app, wire_case_stage
from supportflow.settings import Settings, load_domain_for
from supportflow.similarity import PRIOR_MATCHES, PatternIndex, cause_priors
from supportflow.topics import CASES_INVESTIGATED, TICKETS_NORMALIZED

SIMILAR_CASES = 3
SIMILARITY_FLOOR = 0.35


def build(settings: Settings) -> faust.App:
    domain = load_domain_for(settings)
    sources = build_sources(domain.data)
    playbooks = load_playbooks(domain)
    feed, index = pattern_memory(settings)
    paths = LearnedPaths()
    app = create_app("investigator", settings)
    app.add_dependency(feed)
    app.add_dependency(PathFeed(settings, on_path=paths.add))
    wire_case_stage(
        app,
        settings,
        stage="investigator",
        source=TICKETS_NORMALIZED,
        sink=CASES_INVESTIGATED,
        step=lambda case: investigate_case(case, sources, playbooks, index, paths),
    )
    return app


def pattern_memory(settings: Settings) -> tuple[PatternFeed, PatternIndex]:
    """The learned patterns this service holds: every one on the topic, indexed for lookup."""
    index = PatternIndex()
    return PatternFeed(settings, patterns=index), index


def similar_cases(index: PatternIndex, case: CaseFile) -> tuple[list[SimilarCase], dict[str, float]]:
    """The most similar resolved cases, and the cause priors of the wider neighbourhood (one lookup)."""
    if case.intake is None:
        return [], {}
    neighbours = index.similar(case.intake, k=PRIOR_MATCHES)
    matches = [
        SimilarCase(
            case_id=pattern.pattern_id,
            cause=pattern.cause,
            decision_class=pattern.decision_class,
            similarity=score,
            confirming_check=pattern.confirming_check,
        )
        for pattern, score in neighbours[:SIMILAR_CASES]
        if score >= SIMILARITY_FLOOR
    ]
    return matches, cause_priors(neighbours) if matches else {}


async def investigate_case(
    case: CaseFile,
    sources: Sources,
    playbooks: Playbooks,
    index: PatternIndex,
    paths: LearnedPaths | None = None,
) -> CaseFile:
    similar, priors = similar_cases(index, case)
    tried = paths.candidates(case.intake) if paths is not None and case.intake is not None else []
    section = await investigate(case, sources, playbooks, priors=priors, similar=similar, paths=tried)
    observe(section)
    return case.model_copy(update={"investigation": section})


def observe(section: InvestigationSection) -> None:
    if section.first_evidence_s is not None:
        metrics.FIRST_EVIDENCE_SECONDS.observe(section.first_evidence_s)
    if section.evidence:
        answered = sum(e.verdict != "unavailable" for e in section.evidence)
        metrics.EVIDENCE_COMPLETENESS.observe(answered / len(section.evidence))
    for evidence in section.evidence:
        metrics.CHECKS.labels(evidence.source, evidence.verdict).inc()
    if section.similar_cases:
        metrics.WORKFLOW_REUSE.inc()
