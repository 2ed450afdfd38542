"""Learning pays: when similar resolved cases agree, their cause is tested first, without the survey."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest_world import World, at, base_world, make_case
from demo_domain import demo_playbooks, demo_routing, demo_sources
from test_investigator_playbooks import PLAYBOOKS, missing_permission, plan_limit

from services.drafter.draft import draft
from services.investigator import SimilarCase, investigate
from services.investigator.investigate import decisive_cause, judge, learned_causes
from services.investigator.signals import TicketSignals
from services.router.decide import decide
from supportflow.events import CaseFile, InvestigationSection, Verdict


async def run(
    tmp_path: Path,
    similar: list[SimilarCase],
    priors: dict[str, float],
    scenario: Callable[[World], CaseFile] = plan_limit,
) -> InvestigationSection:
    world = base_world()
    case = scenario(world)
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


async def test_similar_cases_spread_over_other_causes_leave_the_pointed_hypothesis_tested(
    tmp_path: Path,
) -> None:
    """Learned priors reorder; they never drop below the playbook's prior a cause the ticket
    points at. Similar cases that mostly settled on other causes gave it a share far below its
    prior, which left it untested and the case unclear (seen on Kestrel)."""
    section = await run(
        tmp_path,
        [SimilarCase("pat_9", "feature_flag_off", "configuration_issue", similarity=0.9)],
        {"feature_flag_off": 0.9, "wrong_workspace": 0.08, "missing_permission": 0.01},
        missing_permission,
    )
    assert {h.cause for h in section.hypotheses if h.verdict == "confirmed"} == {"missing_permission"}


async def test_a_parked_ticket_is_not_given_a_cause_by_its_look_alikes(tmp_path: Path) -> None:
    """A ticket that says only that something is wrong resembles many settled cases; the
    account's unrelated records must not confirm the cause a look-alike had (seen on Kestrel:
    "please call me back" answered as a suppressed recipient, confidently)."""
    world = base_world()
    plan_limit(world)
    case = make_case(
        "Something is wrong with signing in, can you call me today?",
        problem_type="login",
        status="needs_info",
        missing=("action", "error_details"),
        window_hours=None,
    )
    _, db = world.write(tmp_path)
    sources = demo_sources(str(db))
    similar = [SimilarCase("pat_3", "plan_limit", "expected_behavior", similarity=0.9)]
    try:
        cold = await investigate(case, sources, PLAYBOOKS)
        learned = await investigate(case, sources, PLAYBOOKS, priors={"plan_limit": 0.9}, similar=similar)
    finally:
        await sources.aclose()
    confirmed = {h.cause for h in cold.hypotheses if h.verdict == "confirmed"}
    assert "plan_limit" not in confirmed
    assert {h.cause for h in learned.hypotheses if h.verdict == "confirmed"} == confirmed
    assert learned.similar_cases == ["pat_3"]


def test_look_alikes_are_followed_first_only_where_the_ticket_points_too() -> None:
    """Without a decisive agreement, a similar case's cause is tested before the survey only
    when the ticket's own words or codes point at it as well."""
    case = plan_limit(base_world())
    assert case.intake is not None
    signals = TicketSignals.from_case(case, PLAYBOOKS.lexicon)
    spread = [
        SimilarCase("pat_1", "sso_config_change", "configuration_issue", similarity=0.6),
        SimilarCase("pat_2", "plan_limit", "expected_behavior", similarity=0.5),
    ]
    priors = {"sso_config_change": 0.4, "plan_limit": 0.6}
    assert learned_causes(spread, priors, PLAYBOOKS, signals) == ["plan_limit"]
    agreeing = [SimilarCase("pat_2", "plan_limit", "expected_behavior", similarity=0.9)]
    assert learned_causes(agreeing, {"plan_limit": 0.9}, PLAYBOOKS, signals) == ["plan_limit"]


async def test_a_wrong_look_alike_costs_only_the_check_that_refutes_it(tmp_path: Path) -> None:
    """A learned cause runs its required checks before its optional ones: when a required check
    contradicts, the optional corroboration (missing_permission's role changes) is never read."""
    section = await run(
        tmp_path,
        [SimilarCase("pat_9", "missing_permission", "configuration_issue", similarity=0.9)],
        {"missing_permission": 0.9},
    )
    spec = PLAYBOOKS.hypotheses["missing_permission"]
    optional = {step.check for step in spec.checks if not step.required}
    wrong = next(h for h in section.hypotheses if h.cause == "missing_permission")
    by_id = {e.evidence_id: e for e in section.evidence}
    own = [by_id[i] for i in wrong.evidence_ids if by_id[i].source != "patterns"]
    assert own and own[-1].verdict == "contradicts"
    assert optional and not optional & {e.check for e in own}
    assert {h.cause for h in section.hypotheses if h.verdict == "confirmed"} == {"plan_limit"}
