"""Learning pays: when similar resolved cases agree, their cause is tested first, without the survey."""

from __future__ import annotations

from pathlib import Path

from conftest_world import at, base_world, make_case
from demo_domain import demo_playbooks, demo_routing, demo_sources
from test_investigator_playbooks import PLAYBOOKS, plan_limit

from services.drafter.draft import draft
from services.investigator import SimilarCase, investigate
from services.investigator.investigate import decisive_cause, judge
from services.router.decide import decide
from supportflow.events import CaseFile, InvestigationSection, Verdict


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


async def test_similar_cases_alone_never_confirm_a_confirm_any_hypothesis(tmp_path: Path) -> None:
    """Learned knowledge orders checks; it is never proof. `integration_outage` is `confirm: any`:
    similar resolved cases point at it, but no incident is open and no integration call failed,
    so it is refuted — not an incident, and the reply does not both blame and rule out one."""
    world = base_world()
    for minutes in (200, 120, 40):
        world.log(at(minutes_ago=minutes), "acc_acme01", "integrations", 200, user_id="usr_ann001")
    case = make_case("Our Salesforce sync stopped working this morning", problem_type="integration")
    _, db = world.write(tmp_path)
    sources = demo_sources(str(db))
    similar = [SimilarCase("pat_7", "integration_outage", "incident", similarity=0.9)]
    try:
        section = await investigate(
            case, sources, PLAYBOOKS, priors={"integration_outage": 0.9}, similar=similar
        )
    finally:
        await sources.aclose()
    outage = next(h for h in section.hypotheses if h.cause == "integration_outage")
    by_id = {e.evidence_id: e for e in section.evidence}
    own = {by_id[i].check: by_id[i].verdict for i in outage.evidence_ids if by_id[i].source != "patterns"}
    assert own.get("incidents.open_incidents") == "contradicts"
    assert "supports" not in own.values()
    assert outage.verdict != "confirmed", [(e.check, e.verdict) for e in section.evidence]
    assert all(e.verdict != "supports" for e in section.evidence if e.source == "patterns")

    investigated = case.model_copy(update={"investigation": section})
    decision = decide(investigated, demo_routing())
    assert decision.decision_class != "incident", decision.rationale
    reply = draft(investigated.model_copy(update={"decision": decision})).customer_reply
    assert "caused by an ongoing incident" not in reply, reply


def test_a_hypothesis_is_judged_on_its_own_checks_only() -> None:
    outage = PLAYBOOKS.hypotheses["integration_outage"]
    assert outage.confirm == "any"
    verdicts: dict[str, Verdict] = {
        "patterns.similar_cases": "supports",
        "incidents.open_incidents": "contradicts",
        "logs.integration_errors": "contradicts",
    }
    assert judge(outage, verdicts) == "refuted"
    assert judge(outage, {"patterns.similar_cases": "supports"}) == "unlikely"
    assert judge(outage, {**verdicts, "logs.integration_errors": "supports"}) == "confirmed"
