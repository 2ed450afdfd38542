"""Scoring arithmetic on hand-made cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from casefactory import decided_case

from services.drafter.draft import draft
from supportflow.evaluation.scoring import Scored, identifier_counts, missing_matches, percentile, score
from supportflow.events import (
    CaseFile,
    Claim,
    Decision,
    Draft,
    Evidence,
    IntakeSection,
    InvestigationSection,
    Requester,
    Route,
    StageTiming,
    TicketReceived,
)
from supportflow.world.pack import Truth

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def case(
    ticket_id: str,
    *,
    identifiers: dict[str, str],
    missing: list[str],
    decided: str,
    queue: str,
    checks: list[str],
    reply: str,
    claims: list[Claim],
    possible: int = 4,
) -> CaseFile:
    evidence = [
        Evidence(evidence_id=f"ev-{i}", source=c.split(".")[0], check=c, observed="x", verdict="supports")
        for i, c in enumerate(checks, 1)
    ]
    return CaseFile(
        ticket_id=ticket_id,
        ticket=TicketReceived(
            ticket_id=ticket_id, message_id="m", received_at=T0, requester=Requester(email="a@b.example")
        ),
        intake=IntakeSection(
            requester_email="a@b.example", identifiers=identifiers, missing=missing, problem_statement="p"
        ),
        investigation=InvestigationSection(
            evidence=evidence, checks_possible=possible, first_evidence_s=0.02
        ),
        decision=Decision(decision_class=decided, route=Route(queue=queue, team="t")),  # type: ignore[arg-type]
        draft=Draft(customer_reply=reply, claims=claims),
        trail=[
            StageTiming(stage="intake", event_id="e", started_at=T0, finished_at=T0 + timedelta(seconds=1))
        ],
    )


def truth(**values: object) -> Truth:
    base: dict[str, object] = {"decision": "expected_behavior", "route_queue": "l1-explain"}
    return Truth.model_validate(base | values)


def test_identifier_counts_score_exact_values_only() -> None:
    assert identifier_counts({"account_id": "ACC_1", "workspace_id": "ws_2"}, {"account_id": "acc_1"}) == (
        1,
        1,
        0,
    )
    assert identifier_counts({"account_id": "acc_9"}, {"account_id": "acc_1"}) == (0, 1, 1)
    assert identifier_counts({"not_a_field": "x"}, {"request_id": "req_1"}) == (0, 0, 1)


def test_missing_matches_counts_agreement_over_the_vocabulary() -> None:
    assert missing_matches(["workspace_id"], ["workspace_id"]) == 4
    assert missing_matches(["workspace_id", "action"], ["time_window"]) == 1


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 95) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0


def test_score_on_two_hand_made_cases() -> None:
    good = Scored(
        truth=truth(
            identifiers={"account_id": "acc_1"},
            missing=["workspace_id"],
            required_evidence=["identity.requester_membership", "account.plan_limits"],
            answer_points=["20 exports per day"],
            forbidden=["acc_other"],
            family="plan_limit",
        ),
        case=case(
            "T1",
            identifiers={"account_id": "acc_1"},
            missing=["workspace_id"],
            decided="expected_behavior",
            queue="l1-explain",
            checks=["identity.requester_membership", "account.plan_limits"],
            reply="Your plan allows 20 exports per day.",
            claims=[Claim(text="limit", evidence_ids=["ev-2"])],
        ),
        sent_at=T0.timestamp(),
    )
    bad = Scored(
        truth=truth(
            decision="product_defect",
            route_queue="eng-escalations",
            identifiers={"request_id": "req_abc"},
            required_evidence=["changes.recent_deploys", "logs.error_spike"],
            answer_points=["deploy"],
            forbidden=["acc_other"],
            family="deploy_regression",
        ),
        case=case(
            "T2",
            identifiers={"account_id": "acc_x"},
            missing=[],
            decided="unclear",
            queue="l2-investigation",
            checks=["logs.error_spike"],
            reply="We see errors for acc_other.",
            claims=[Claim(text="a", evidence_ids=["ev-1"]), Claim(text="b", evidence_ids=[])],
            possible=2,
        ),
    )
    report = score([good, bad, Scored(truth=truth(), case=None)])
    assert report["tickets"] == 3 and report["completed"] == 2
    assert report["identifier_precision"] == pytest.approx(1 / 2)
    assert report["identifier_recall"] == pytest.approx(1 / 2)
    assert report["missing_identifier_accuracy"] == pytest.approx(8 / 8)
    assert report["problem_statement_p95_s"] == pytest.approx(1.0)
    assert report["evidence_completeness"] == pytest.approx(3 / 4)
    assert report["checks_per_ticket"] == pytest.approx(1.5)
    assert report["checks_ratio"] == pytest.approx(3 / 6)
    assert report["decision_accuracy"] == pytest.approx(0.5)
    assert report["misroute_rate"] == pytest.approx(0.5)
    assert report["confusion"]["product_defect"] == {"unclear": 1}
    assert report["answer_point_coverage"] == pytest.approx(1 / 2)
    assert report["forbidden_leaks"] == 1
    assert report["claims_grounded_ratio"] == pytest.approx(2 / 3)
    assert report["reply_contradictions"] == 0
    assert report["per_family"]["plan_limit"]["decision_accuracy"] == 1.0
    assert report["per_class"]["product_defect"]["decision_accuracy"] == 0.0


def test_reply_contradictions_are_counted_in_final_replies() -> None:
    """The incident is resolved; the reply still says the team is working on it."""
    decided = decided_case("open_incident")
    assert decided.investigation is not None and decided.draft is None
    evidence = [
        e.model_copy(update={"facts": e.facts | {"status": "resolved"}}) if "incident_id" in e.facts else e
        for e in decided.investigation.evidence
    ]
    decided = decided.model_copy(
        update={"investigation": decided.investigation.model_copy(update={"evidence": evidence})}
    )
    reply = "Hi,\n\nNext step: Our team is working on the incident. We will update this ticket when it is resolved; no change is needed on your side."
    written = decided.model_copy(update={"draft": Draft(customer_reply=reply)})
    fixed = decided.model_copy(update={"draft": draft(decided)})
    report = score(
        [Scored(truth=truth(decision="incident"), case=written), Scored(truth=truth(), case=fixed)]
    )
    assert report["reply_contradictions"] == 1
    assert report["contradicting"][0]["rule"] == "incident_tense"
    assert report["per_class"]["incident"]["reply_contradictions"] == 1


def test_source_checks_leave_out_the_similar_case_lookup() -> None:
    checks = ["identity.requester_membership", "patterns.similar_cases", "account.plan_limits"]
    scored = Scored(
        truth=truth(),
        case=case(
            "T1",
            identifiers={},
            missing=[],
            decided="expected_behavior",
            queue="l1-explain",
            checks=checks,
            reply="r",
            claims=[],
        ),
    )
    report = score([scored])
    assert report["checks_per_ticket"] == pytest.approx(3)
    assert report["source_checks_per_ticket"] == pytest.approx(2)
