"""Learning pays: when similar resolved cases agree, their cause is tested first, without the survey."""

from __future__ import annotations

from pathlib import Path

from conftest_world import base_world
from demo_domain import demo_playbooks, demo_sources
from test_investigator_playbooks import PLAYBOOKS, plan_limit

from services.investigator import SimilarCase, investigate
from services.investigator.investigate import decisive_cause
from supportflow.events import CaseFile, InvestigationSection


async def run(tmp_path: Path, similar: list[SimilarCase], priors: dict[str, float]) -> InvestigationSection:
    world = base_world()
    case: CaseFile = plan_limit(world)
    _, db = world.write(tmp_path)
    sources = demo_sources(str(db))
    try:
        return await investigate(case, sources, PLAYBOOKS, priors=priors, similar=similar)
    finally:
        await sources.aclose()


def test_only_agreeing_similar_cases_are_decisive() -> None:
    strong = [SimilarCase("pat_1", "plan_limit", "expected_behavior", similarity=0.8)]
    weak = [SimilarCase("pat_1", "plan_limit", "expected_behavior", similarity=0.3)]
    assert decisive_cause(strong, {"plan_limit": 0.9}) == "plan_limit"
    assert decisive_cause(weak, {"plan_limit": 0.9}) is None
    assert decisive_cause(strong, {"plan_limit": 0.3, "rate_limited": 0.7}) is None
    assert decisive_cause(strong, {"plan_limit": 0.2}) is None
    assert decisive_cause([], {}) is None


async def test_a_learned_cause_is_confirmed_with_fewer_checks(tmp_path: Path) -> None:
    cold = await run(tmp_path / "cold", [], {})
    learned = await run(
        tmp_path / "learned",
        [SimilarCase("pat_1", "plan_limit", "expected_behavior", similarity=0.9)],
        {"plan_limit": 0.9},
    )
    assert {h.cause for h in cold.hypotheses if h.verdict == "confirmed"} == {"plan_limit"}
    assert {h.cause for h in learned.hypotheses if h.verdict == "confirmed"} == {"plan_limit"}
    assert demo_playbooks().triage not in {e.check for e in learned.evidence}
    assert len([e for e in learned.evidence if e.source != "patterns"]) < len(cold.evidence)


async def test_a_misleading_pattern_falls_back_to_the_regular_path(tmp_path: Path) -> None:
    misled = await run(
        tmp_path / "misled",
        [SimilarCase("pat_9", "rate_limited", "expected_behavior", similarity=0.9)],
        {"rate_limited": 0.9},
    )
    assert {h.cause for h in misled.hypotheses if h.verdict == "confirmed"} == {"plan_limit"}
    assert demo_playbooks().triage in {e.check for e in misled.evidence}
    checks = [e.check for e in misled.evidence]
    assert len(checks) == len(set(checks)), "no check runs twice"
