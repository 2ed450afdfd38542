"""Drafter wiring: `support.cases.decided` -> draft() (+ optional grounded rewrite) -> `support.replies.drafted`."""

from __future__ import annotations

import time

import faust

from services.drafter.draft import draft
from services.drafter.grounding import rewrite
from supportflow import metrics
from supportflow.events import CaseFile
from supportflow.llm import Provider, provider_from_config
from supportflow.pattern_feed import PatternFeed
from supportflow.runtime import create_app, wire_case_stage
from supportflow.settings import Settings, load_domain_for
from supportflow.similarity import PatternIndex
from supportflow.topics import CASES_DECIDED, REPLIES_DRAFTED

APPROVED_EXAMPLE_FLOOR = 0.5


def build(settings: Settings) -> faust.App:
    provider = provider_from_config(load_domain_for(settings).llm.model_dump())
    feed, index = pattern_memory(settings)
    app = create_app("drafter", settings)
    app.add_dependency(feed)

    async def write_reply(case: CaseFile) -> CaseFile:
        return await draft_case(case, provider, index)

    wire_case_stage(
        app, settings, stage="drafter", source=CASES_DECIDED, sink=REPLIES_DRAFTED, step=write_reply
    )
    return app


def pattern_memory(settings: Settings) -> tuple[PatternFeed, PatternIndex]:
    """The learned patterns this service holds: every one on the topic, indexed for lookup."""
    index = PatternIndex()
    return PatternFeed(settings, patterns=index), index


def approved_example(index: PatternIndex, case: CaseFile) -> str | None:
    if case.intake is None or case.decision is None:
        return None
    for pattern, score in index.similar(case.intake, k=3):
        same_outcome = (
            pattern.decision_class == case.decision.decision_class and pattern.cause == case.decision.cause
        )
        if score >= APPROVED_EXAMPLE_FLOOR and same_outcome and pattern.answer_example:
            return pattern.answer_example
    return None


async def draft_case(case: CaseFile, provider: Provider | None, index: PatternIndex) -> CaseFile:
    reply = draft(case, approved_example=approved_example(index, case))
    reply = await rewrite(reply, case, provider)
    metrics.DRAFTS.labels(case.decision.decision_class if case.decision else "none", reply.generator).inc()
    metrics.GROUNDING_REJECTIONS.inc(reply.grounding_rejections)
    metrics.REDACTIONS.inc(reply.redactions)
    metrics.END_TO_END_SECONDS.observe(
        max(time.time() - case.trail[0].started_at.timestamp(), 0.0) if case.trail else 0.0
    )
    return case.model_copy(update={"draft": reply})
