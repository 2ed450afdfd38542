"""Learned investigation paths: learned from a case the playbooks could not settle, followed on a
later similar ticket only when the path's own checks show the signal again."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import yaml
from conftest_world import base_world
from demo_domain import demo, demo_playbooks, demo_routing, demo_sources
from test_investigator_playbooks import plan_limit

from services.drafter.draft import draft
from services.investigator import investigate
from services.investigator.learned_path import LearnedPaths, path_hypothesis, path_use
from services.investigator.playbooks import Playbook, Playbooks
from services.learner.paths import learn_path
from services.router.decide import decide
from supportflow.answers import case_values, fact_values, fill, generalize
from supportflow.domain.suggest import answer_text, proposal
from supportflow.events import (
    CaseFile,
    CaseResolved,
    Decision,
    InvestigationSection,
    LearnedPath,
    Route,
    SettlingEvidence,
)

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PROOF = [
    SettlingEvidence(
        check="events.rejected_actions", source="sql", verdict="supports", params={"limit": '"plan"'}
    ),
    SettlingEvidence(
        check="account.plan_limits", source="sql", verdict="supports", params={"limit": '"plan"'}
    ),
]


def without(playbooks: Playbooks, cause: str) -> Playbooks:
    """The demo playbooks as if they had never heard of `cause`."""
    return dataclasses.replace(
        playbooks,
        hypotheses={c: h for c, h in playbooks.hypotheses.items() if c != cause},
        playbooks={
            name: Playbook(p.name, p.problem_types, tuple(h for h in p.hypotheses if h != cause))
            for name, p in playbooks.playbooks.items()
        },
        rule_out=tuple(h for h in playbooks.rule_out if h != cause),
    )


HELD_OUT = without(demo_playbooks(), "plan_limit")


def unclear(case: CaseFile) -> CaseFile:
    return case.model_copy(
        update={
            "investigation": InvestigationSection(identity_status="verified", account_id="acc_acme01"),
            "decision": Decision(decision_class="unclear", route=Route(queue="l2", team="support")),
        }
    )


def resolution(ticket_id: str, proof: list[SettlingEvidence], reply: str = "") -> CaseResolved:
    return CaseResolved(
        ticket_id=ticket_id,
        resolved_at=NOW,
        final_class="expected_behavior",
        final_cause="plan_limit",
        final_queue="l1-limits",
        final_reply=reply,
        settled_by=proof,
    )


def test_an_unclear_case_resolved_with_its_proof_becomes_a_path_and_the_next_one_adds_support() -> None:
    case = unclear(plan_limit(base_world()))
    reply = (
        "Hi Ann,\nAccount acc_acme01 reached its plan's export limit today.\nUpgrade or wait for the reset."
    )
    path = learn_path(resolution(case.ticket_id, PROOF, reply), case, {})
    assert path is not None
    assert (path.cause, path.decision_class, path.route_queue) == (
        "plan_limit",
        "expected_behavior",
        "l1-limits",
    )
    assert [(c.check, c.verdict) for c in path.checks] == [
        ("events.rejected_actions", "supports"),
        ("account.plan_limits", "supports"),
    ]
    assert path.answer is not None and "acc_acme01" not in path.answer and "{{" in path.answer
    second = case.model_copy(update={"ticket_id": "T-2"})
    again = learn_path(resolution("T-2", PROOF), second, {path.path_id: path})
    assert again is not None and (again.path_id, again.support, again.ticket_ids) == (
        path.path_id,
        2,
        [case.ticket_id, "T-2"],
    )
    assert learn_path(resolution("T-2", PROOF), second, {path.path_id: again}) is None, "redelivery"


def test_only_a_case_called_unclear_and_settled_by_supporting_evidence_is_learned() -> None:
    case = unclear(plan_limit(base_world()))
    decided = case.model_copy(
        update={"decision": Decision(decision_class="expected_behavior", route=Route(queue="q", team="t"))}
    )
    neutral = [PROOF[0].model_copy(update={"verdict": "neutral"})]
    assert learn_path(resolution(case.ticket_id, PROOF), decided, {}) is None
    assert learn_path(resolution(case.ticket_id, []), case, {}) is None
    assert learn_path(resolution(case.ticket_id, neutral), case, {}) is None
    assert learn_path(resolution(case.ticket_id, PROOF), None, {}) is None


def test_an_answer_carries_the_next_case_identifiers_never_the_first_ones() -> None:
    first = generalize(
        "Hi Ann,\nWorkspace ws_acme01 of acc_acme01 is full.\nPlease upgrade your plan today.",
        {
            "workspace_id": "ws_acme01",
            "tenant": "acc_acme01",
            "requester_name": "Ann",
        },
    )
    assert (
        fill(first, {"tenant": "acc_other2", "requester_name": "Bo"})
        == "Hi Bo,\nPlease upgrade your plan today."
    )
    filled = fill(first, {"tenant": "acc_other2", "requester_name": "Bo", "workspace_id": "ws_other2"})
    assert filled is not None and "ws_other2 of acc_other2" in filled and "Ann" not in filled
    assert fill("Hi {{requester_name}}", {}) is None


def path_of(proof: list[SettlingEvidence], answer: str | None = None) -> LearnedPath:
    return LearnedPath(
        path_id="lp-test",
        signature="export limit plan reached",
        decision_class="expected_behavior",
        cause="plan_limit",
        title="plan limit",
        route_queue="l1-limits",
        checks=proof,
        answer=answer,
        support=3,
        ticket_ids=["T-a", "T-b", "T-c"],
        updated_at=NOW,
    )


async def run(tmp_path: Path, paths: list[LearnedPath]) -> CaseFile:
    world = base_world()
    case = plan_limit(world)
    _, db = world.write(tmp_path)
    sources = demo_sources(str(db))
    try:
        section = await investigate(case, sources, HELD_OUT, paths=paths)
    finally:
        await sources.aclose()
    case = case.model_copy(update={"investigation": section})
    return case.model_copy(update={"decision": decide(case, demo_routing())})


async def test_a_learned_path_settles_a_cause_the_playbooks_do_not_know_only_on_its_own_checks(
    tmp_path: Path,
) -> None:
    cold = await run(tmp_path / "cold", [])
    assert cold.decision is not None and cold.decision.decision_class == "unclear"
    answer = "Hello {{requester_name}},\nThe exports of {{tenant}} stopped at the plan's limit.\nThanks."
    learned = await run(tmp_path / "learned", [path_of(PROOF, answer)])
    assert learned.decision is not None and learned.investigation is not None
    assert (learned.decision.decision_class, learned.decision.cause) == ("expected_behavior", "plan_limit")
    use = learned.investigation.learned_path
    assert use is not None and use.cases == ["T-a", "T-b", "T-c"]
    proving = [e for e in learned.investigation.evidence if e.evidence_id in use.evidence_ids]
    assert [(e.check, e.verdict) for e in proving] == [
        ("events.rejected_actions", "supports"),
        ("account.plan_limits", "supports"),
    ], "the path's own checks ran against the product's sources and showed the signal"
    assert learned.decision.route.queue == "l1-limits"
    assert "lp-test" in learned.decision.rationale
    written = draft(learned)
    assert written.generator == "learned"
    assert "acc_acme01" in written.customer_reply and "{{" not in written.customer_reply
    assert "T-a, T-b, T-c" in written.internal_note


async def test_a_path_whose_checks_do_not_show_the_signal_decides_nothing(tmp_path: Path) -> None:
    wrong = [
        SettlingEvidence(check="account.feature_flags", verdict="supports", params={"flag": json.dumps("x")})
    ]
    case = await run(tmp_path, [path_of(wrong)])
    assert case.decision is not None and case.investigation is not None
    assert case.decision.decision_class == "unclear"
    assert case.investigation.learned_path is None
    tried = [h for h in case.investigation.hypotheses if h.hypothesis_id == "h-learned-lp-test"]
    assert [h.verdict for h in tried] == ["unlikely"]


def test_a_path_naming_a_check_the_domain_lacks_is_not_followed() -> None:
    unknown = [SettlingEvidence(check="nowhere.to_be_found", verdict="supports")]
    assert path_hypothesis(path_of(unknown), HELD_OUT) is None
    spec = path_hypothesis(path_of(PROOF), HELD_OUT)
    assert spec is not None and spec.attributes == {"limit": "plan"}


def test_only_similar_paths_are_candidates() -> None:
    case = plan_limit(base_world())
    assert case.intake is not None
    paths = LearnedPaths()
    near = path_of(PROOF).model_copy(
        update={"signature": " ".join(case_values_terms(case)), "features": {"problem_type": "exports"}}
    )
    far = path_of(PROOF).model_copy(update={"path_id": "lp-far", "signature": "sso saml certificate okta"})
    paths.add(near)
    paths.add(far)
    assert [p.path_id for p in paths.candidates(case.intake)] == ["lp-test"]


def case_values_terms(case: CaseFile) -> list[str]:
    from supportflow.similarity import signature_text

    assert case.intake is not None
    assert "tenant" not in case_values(case)  # no investigation yet: only the intake's identifiers
    return signature_text(case.intake).split()


def test_a_proposal_holds_only_supported_paths_and_adds_each_cause_to_its_playbook_once() -> None:
    often = path_of(
        PROOF, "Hi {{requester_name}},\nAccount {{tenant}} reached its export limit.\nBest,\nLumen"
    )
    often = often.model_copy(update={"problem_type": "exports", "cause": "new_cause", "support": 4})
    rare = path_of(PROOF).model_copy(update={"path_id": "lp-rare", "cause": "rare_cause", "support": 1})
    parsed = yaml.safe_load(proposal([often, rare], demo(), min_support=3))
    assert set(parsed["hypotheses"]) == {"new_cause"}
    assert parsed["hypotheses"]["new_cause"]["attributes"] == {"limit": "plan"}
    assert parsed["playbooks"]["export"]["hypotheses"].count("new_cause") == 1
    assert parsed["next"]["new_cause"]["en"] == "Account {account_id} reached its export limit."
    assert "Nothing to propose yet" in proposal([rare], demo(), min_support=3)
    assert answer_text("Hi {{requester_name}},", "account_id") is None


def test_an_approved_answer_is_reused_only_for_a_ticket_in_its_language() -> None:
    case = unclear(plan_limit(base_world()))
    assert case.intake is not None and case.intake.language == "en"
    path = learn_path(
        resolution(case.ticket_id, PROOF, "Hello Ann,\nYour export stopped at the plan's limit today."),
        case,
        {},
    )
    assert path is not None and path.features["answer_language"] == "en"
    assert path_use(path, ["ev-1"], "en").answer == path.answer
    assert path_use(path, ["ev-1"], "de").answer is None, "an English answer never goes to a German ticket"


def test_an_answer_states_what_this_case_checks_found_never_the_first_case_facts() -> None:
    found = [
        SettlingEvidence(check="account.feature_flags", facts={"flag": "scheduled_reports", "state": "off"})
    ]
    first = generalize(
        "The scheduled_reports feature is off for your account.\nAn admin can ask us to turn it on.",
        fact_values(found),
    )
    assert "scheduled_reports" not in first and "{{account.feature_flags:flag}}" in first
    now = fact_values(
        [SettlingEvidence(check="account.feature_flags", facts={"flag": "custom_domains", "state": "off"})]
    )
    assert (
        fill(first, now)
        == "The custom_domains feature is off for your account.\nAn admin can ask us to turn it on."
    )
    assert fill(first, {}) == "An admin can ask us to turn it on.", (
        "a fact this case lacks is left out, not guessed"
    )
