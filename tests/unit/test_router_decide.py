"""Decisions: the class the evidence proves, the route from the table, unclear when unsettled."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_world import base_world, make_case
from demo_domain import demo_routing
from test_investigator_playbooks import SCENARIOS, run

from services.router.decide import decide
from services.router.incidents import IncidentMatch
from services.router.routing import RoutingTable
from supportflow.events import CaseFile, Evidence, Hypothesis, InvestigationSection

ROUTING = demo_routing()
QUEUES = {
    "plan_limit": "l1-explain",
    "missing_permission": "l1-config",
    "feature_flag_off": "l1-config",
    "sso_config_change": "l2-identity",
    "api_key_expired": "l1-config",
    "rate_limited": "l1-explain",
    "documented_delay": "l1-explain",
    "wrong_workspace": "l1-config",
    "deploy_regression": "eng-escalations",
    "open_incident": "incident-response",
    "integration_outage": "integrations",
    "user_deleted_data": "l1-explain",
}


def test_routing_table_class_defaults_and_cause_overrides() -> None:
    assert ROUTING.route_for("expected_behavior", "plan_limit").queue == "l1-explain"
    assert ROUTING.route_for("configuration_issue", "sso_config_change").queue == "l2-identity"
    override = ROUTING.route_for("incident", "integration_outage")
    assert (override.queue, override.team, override.escalate) == ("integrations", "integrations", True)
    assert ROUTING.route_for("unclear", None).queue == "l2-investigation"
    assert ROUTING.route_for("needs_info", None).queue == "awaiting-customer"


def test_routing_table_needs_every_class() -> None:
    with pytest.raises(ValueError, match="no route"):
        RoutingTable.from_config({"routing": {"classes": {"unclear": {"queue": "q", "team": "t"}}}})


@pytest.mark.parametrize("cause", sorted(SCENARIOS))
async def test_confirmed_cause_is_decided_and_routed(cause: str, tmp_path: Path) -> None:
    scenario, _ = SCENARIOS[cause]
    world = base_world()
    case = scenario(world)
    case.investigation = await run(world, case, tmp_path)
    decision = decide(case, ROUTING)
    assert decision.cause == cause
    assert decision.route.queue == QUEUES[cause]
    assert decision.confidence >= 0.6
    assert decision.cited_evidence and all(
        i in decision.rationale or i in decision.cited_evidence for i in decision.cited_evidence
    )
    assert any(i in decision.rationale for i in decision.cited_evidence)
    escalated = decision.decision_class in ("product_defect", "incident")
    assert (decision.escalation_packet is not None) == escalated


async def test_out_of_catalogue_ticket_is_unclear_and_escalated_with_a_packet(tmp_path: Path) -> None:
    world = base_world()
    case = make_case(
        "The chart colours look different in dark mode than in light mode", problem_type="dashboard"
    )
    case.investigation = await run(world, case, tmp_path)
    decision = decide(case, ROUTING)
    assert decision.decision_class == "unclear" and decision.cause is None
    assert decision.route.queue == "l2-investigation" and decision.route.escalate
    packet = decision.escalation_packet or ""
    for heading in (
        "## Problem statement",
        "## Reproduction facts",
        "## Evidence",
        "## Hypotheses",
        "## Affected accounts",
    ):
        assert heading in packet
    assert "acc_acme01" in packet and "ev-1" in packet


def test_needs_info_when_intake_parked_it() -> None:
    case = make_case("it is broken", status="needs_info", missing=("action", "error_details"))
    decision = decide(case, ROUTING)
    assert decision.decision_class == "needs_info"
    assert decision.route.queue == "awaiting-customer"
    assert "action" in decision.rationale and decision.escalation_packet is None


def _investigated(*hypotheses: Hypothesis, identity: str = "verified") -> CaseFile:
    case = make_case("Exports fail")
    evidence = [
        Evidence(evidence_id=f"ev-{i}", source="sql", check="x.y", observed="seen", verdict="supports")
        for i in range(1, 5)
    ]
    case.investigation = InvestigationSection(
        identity_status=identity,
        account_id="acc_acme01",  # type: ignore[arg-type]
        hypotheses=list(hypotheses),
        evidence=evidence,
    )
    return case


def test_confirmations_of_different_classes_are_unclear_not_a_guess() -> None:
    case = _investigated(
        Hypothesis(
            hypothesis_id="h-a",
            title="A",
            decision_class="product_defect",
            cause="deploy_regression",
            verdict="confirmed",
            evidence_ids=["ev-1"],
        ),
        Hypothesis(
            hypothesis_id="h-b",
            title="B",
            decision_class="incident",
            cause="open_incident",
            verdict="confirmed",
            evidence_ids=["ev-2"],
        ),
    )
    decision = decide(case, ROUTING)
    assert decision.decision_class == "unclear"
    assert "ev-1" in decision.rationale and "ev-2" in decision.rationale
    assert decision.escalation_packet


def test_unverified_requester_is_unclear() -> None:
    case = _investigated(identity="unverified")
    assert decide(case, ROUTING).decision_class == "unclear"


def test_incident_group_is_attached_and_listed_in_the_packet() -> None:
    case = _investigated(
        Hypothesis(
            hypothesis_id="h-a",
            title="Open incident",
            decision_class="incident",
            cause="open_incident",
            verdict="confirmed",
            evidence_ids=["ev-1", "ev-2"],
        ),
    )
    group = IncidentMatch(
        "INC-7",
        size=3,
        accounts=("acc_acme01", "acc_b", "acc_c"),
        signature="dashboards/SERVICE",
        known_incident_id="INC-7",
    )
    decision = decide(case, ROUTING, incident=group)
    assert (decision.incident_id, decision.incident_group_size) == ("INC-7", 3)
    assert decision.route.queue == "incident-response"
    assert "INC-7" in (decision.escalation_packet or "") and "2 other accounts" in (
        decision.escalation_packet or ""
    )
