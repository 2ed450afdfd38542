"""Before a case that confirmed nothing is called unclear, the explanations are ruled out on
every confirming check (`rule_out` in the playbooks); a confirmed case keeps minimum evidence.
And API calls logged by the gateway count for the service behind their route."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_world import at, base_world, make_case
from demo_domain import demo_playbooks, demo_routing
from test_investigator_playbooks import PLAYBOOKS, run

from services.investigator.playbooks import parse_playbooks
from services.router.decide import decide

SURVEY = {
    "changes.recent_config_changes",
    "changes.recent_deploys",
    "logs.error_spike",
    "logs.auth_failures",
    "incidents.open_incidents",
    "behaviours.documented_behaviour",
    "events.processing_delays",
    "events.rejected_actions",
}


async def test_out_of_catalogue_ticket_is_ruled_out_on_every_confirming_check(tmp_path: Path) -> None:
    w = base_world()
    for minutes in (200, 120, 40):
        w.event(at(minutes_ago=minutes), "acc_acme01", "dashboard.viewed", "succeeded", user_id="usr_ann001")
        w.log(at(minutes_ago=minutes), "acc_acme01", "dashboards", 200)
    case = make_case("Die Farben im Dashboard sehen seit gestern anders aus.", problem_type="dashboard")
    section = await run(w, case, tmp_path)
    ran = {e.check for e in section.evidence if e.verdict != "unavailable"}
    assert ran >= SURVEY
    assert not [h for h in section.hypotheses if h.verdict == "confirmed"]
    assert section.checks_possible >= len({e.check for e in section.evidence})
    decision = decide(case.model_copy(update={"investigation": section}), demo_routing())
    assert decision.decision_class == "unclear"


async def test_refuted_hypothesis_gets_its_cut_short_checks_when_nothing_is_confirmed(tmp_path: Path) -> None:
    w = base_world()
    for minutes in (90, 30):
        w.log(at(minutes_ago=minutes), "acc_acme01", "exports", 200)
    case = make_case(
        "Exports fail with a 500 error since this morning", problem_type="export", statuses=(500,)
    )
    section = await run(w, case, tmp_path)
    deploy = next(h for h in section.hypotheses if h.cause == "deploy_regression")
    checks = {e.check for e in section.evidence if e.evidence_id in deploy.evidence_ids}
    assert deploy.verdict == "refuted"
    assert checks == {"logs.error_spike", "changes.recent_deploys"}


async def test_confirmed_case_keeps_minimum_evidence(tmp_path: Path) -> None:
    w = base_world()
    for i in range(3):
        w.event(
            at(minutes_ago=90 - i * 20),
            "acc_acme01",
            "export.create",
            "rejected",
            user_id="usr_ann001",
            details={"reason": "plan_limit", "limit": "exports_per_day", "used": 20},
        )
        w.log(at(minutes_ago=90 - i * 20), "acc_acme01", "exports", 403, "PLAN_LIMIT_REACHED")
    case = make_case(
        "The export fails with PLAN_LIMIT_REACHED",
        problem_type="export",
        codes=("PLAN_LIMIT_REACHED",),
        statuses=(403,),
    )
    section = await run(w, case, tmp_path)
    ran = {e.check for e in section.evidence}
    assert {h.cause for h in section.hypotheses if h.verdict == "confirmed"} == {"plan_limit"}
    assert not ran & {
        "changes.recent_config_changes",
        "logs.auth_failures",
        "behaviours.documented_behaviour",
    }


async def test_gateway_logged_ingest_errors_after_an_ingest_deploy_are_a_regression(tmp_path: Path) -> None:
    w = base_world()
    w.change(at(hours_ago=3), None, "deploy", "ingest", "v8", "v9", actor="deploy-bot")
    for i in range(5):
        w.log(
            at(hours_ago=2, minutes_ago=40 - i * 8),
            "acc_acme01",
            "api-gateway",
            500,
            "INTERNAL_ERROR",
            method="POST",
            route="/v2/events/batch",
        )
    w.log(at(hours_ago=1), "acc_acme01", "api-gateway", 200, method="POST", route="/v2/events/batch")
    case = make_case(
        "Event ingestion fails every time: Something went wrong. Please try again later",
        problem_type="ingest",
    )
    section = await run(w, case, tmp_path)
    assert {h.cause for h in section.hypotheses if h.verdict == "confirmed"} == {"deploy_regression"}


@pytest.mark.parametrize(
    ("route", "components"),
    [
        ("/v2/events/batch", {"ingest"}),
        ("/v2/exports/{id}/download", {"exports"}),
        ("/v2/integrations/{name}/sync", {"integrations"}),
        ("/v2/queries", {"dashboards"}),
        ("/v2/users/invitations", set()),
    ],
)
def test_route_components(route: str, components: set[str]) -> None:
    assert demo_playbooks().lexicon.route_components(route) == components


def test_rule_out_must_name_known_hypotheses() -> None:
    raw = {
        "hypotheses": {"plan_limit": {"class": "expected_behavior", "checks": ["account.plan_limits"]}},
        "rule_out": ["plan_limit", "no_such_cause"],
    }
    with pytest.raises(ValueError, match="rule_out"):
        parse_playbooks(raw)
    assert set(PLAYBOOKS.rule_out) <= set(PLAYBOOKS.hypotheses)


async def test_rule_out_confirms_an_explanation_of_the_tickets_own_area(tmp_path: Path) -> None:
    w = base_world()
    w.change(at(hours_ago=4), None, "deploy", "dashboards", "v3", "v4", actor="deploy-bot")
    for i in range(6):
        w.log(at(hours_ago=3, minutes_ago=40 - i * 8), "acc_acme01", "dashboards", 500, "INTERNAL_ERROR")
    # no word of the ticket names the family; its product area (the dashboard playbook) does
    case = make_case("Das Dashboard geht seit heute Morgen nicht mehr.", problem_type="dashboard")
    section = await run(w, case, tmp_path)
    assert {h.cause for h in section.hypotheses if h.verdict == "confirmed"} == {"deploy_regression"}
