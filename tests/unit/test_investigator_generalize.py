"""Mistake families seen on generated packs, each on a hand-made world: objects viewed in the
wrong workspace, sparse 500s right after a deploy, routine deploys without errors, a ticket the
intake parked that still names a product area, and recorded outcomes ordering hypotheses."""

from __future__ import annotations

from pathlib import Path

from conftest_world import at as ago
from conftest_world import base_world, make_case
from demo_domain import demo_routing
from test_investigator_playbooks import run

from services.router.decide import decide

ROUTING = demo_routing()


def verdicts(section: object) -> dict[str, str]:
    return {h.cause: h.verdict for h in section.hypotheses}  # type: ignore[attr-defined]


async def test_object_created_elsewhere_then_not_found_here_is_wrong_workspace(tmp_path: Path) -> None:
    w = base_world()
    w.event(
        ago(hours_ago=3),
        "acc_acme01",
        "dashboard.created",
        "succeeded",
        user_id="usr_ann001",
        workspace_id="ws_acme02",
        details={"dashboard_id": "dsh_q3pipe", "name": "Q3 Pipeline"},
    )
    for minutes in (60, 50):
        w.event(
            ago(minutes_ago=minutes),
            "acc_acme01",
            "dashboard.viewed",
            "failed",
            user_id="usr_ann001",
            workspace_id="ws_acme01",
            details={"dashboard_id": "dsh_q3pipe", "reason": "not_found"},
        )
    case = make_case(
        "The dashboard I created has disappeared from workspace ws_acme01",
        problem_type="dashboard",
        identifiers={"workspace_id": "ws_acme01"},
    )
    section = await run(w, case, tmp_path)
    assert verdicts(section)["wrong_workspace"] == "confirmed"
    found = next(e for e in section.evidence if e.check == "events.workspace_activity")
    assert found.facts["ticket_workspace"].endswith("(ws_acme01)")
    assert found.facts["actual_workspace"].endswith("(ws_acme02)")


async def test_few_account_500s_right_after_a_deploy_are_a_regression(tmp_path: Path) -> None:
    w = base_world()
    w.change(ago(hours_ago=30), None, "deploy", "dashboards", "v1", "v2", actor="ci", note="copy changes")
    w.change(ago(hours_ago=4), None, "deploy", "dashboards", "v2", "v3", actor="ci", note="query refactor")
    for hours in (3.5, 2.0, 0.5):  # sparse: the account sees only its own few failures
        w.log(ago(hours_ago=hours), "acc_acme01", "dashboards", 500, "INTERNAL_ERROR", route="/v2/queries")
    for hours in (3.0, 2.5, 1.0, 0.7):
        w.log(ago(hours_ago=hours), "acc_acme01", "dashboards", 200, route="/v2/queries")
    case = make_case(
        "Running a query fails with INTERNAL_ERROR",
        problem_type="dashboard",
        codes=("INTERNAL_ERROR",),
        window_hours=3.0,
    )
    section = await run(w, case, tmp_path)
    assert verdicts(section)["deploy_regression"] == "confirmed"
    deploy = next(e for e in section.evidence if e.check == "changes.recent_deploys")
    assert deploy.facts["component"] == "dashboards"
    assert deploy.facts["deployed_at"].endswith("UTC") and len(deploy.facts["deployed_at"]) == 9


async def test_availability_errors_after_a_routine_deploy_are_not_a_regression(tmp_path: Path) -> None:
    w = base_world()
    w.change(ago(hours_ago=3), None, "deploy", "billing", "v1", "v2", actor="ci", note="copy changes")
    for hours in (2.0, 1.5, 1.0):
        w.log(ago(hours_ago=hours), "acc_acme01", "billing", 503, "SERVICE_UNAVAILABLE")
    case = make_case("The usage page times out", problem_type="billing", window_hours=3.0)
    section = await run(w, case, tmp_path)
    assert verdicts(section).get("deploy_regression") != "confirmed"


async def test_parked_ticket_naming_a_product_area_is_decided_by_its_evidence(tmp_path: Path) -> None:
    w = base_world()
    w.event(
        ago(hours_ago=30),
        "acc_acme01",
        "dashboard.deleted",
        "succeeded",
        user_id="usr_ann001",
        workspace_id="ws_acme01",
        details={"dashboard_id": "dsh_q3pipe", "name": "Q3 Pipeline"},
    )
    case = make_case(
        "The dashboard dsh_q3pipe vanished from our workspace",
        problem_type="dashboard",
        identifiers={"dashboard_id": "dsh_q3pipe"},
        status="needs_info",
        missing=("action", "error_details"),
    )
    section = await run(w, case, tmp_path)
    assert verdicts(section)["user_deleted_data"] == "confirmed"
    decided = decide(case.model_copy(update={"investigation": section}), ROUTING)
    assert decided.decision_class == "expected_behavior"
    assert decided.route.queue == "l1-explain"


async def test_parked_vague_ticket_stays_needs_info(tmp_path: Path) -> None:
    w = base_world()
    case = make_case(
        "Something is wrong with our account, please call me",
        status="needs_info",
        missing=("action", "error_details"),
    )
    section = await run(w, case, tmp_path)
    assert [e.check for e in section.evidence] == ["identity.requester_membership"]
    decided = decide(case.model_copy(update={"investigation": section}), ROUTING)
    assert decided.decision_class == "needs_info"


async def test_recorded_outcomes_bring_in_and_order_the_hypothesis(tmp_path: Path) -> None:
    w = base_world()
    for minutes in (90, 60, 30):
        w.event(
            ago(minutes_ago=minutes),
            "acc_acme01",
            "export.scheduled",
            "queued",
            user_id="usr_ann001",
            details={"export_id": f"exp_s{minutes}"},
        )
        w.event(
            ago(minutes_ago=minutes - 20),
            "acc_acme01",
            "export.scheduled",
            "succeeded",
            user_id="usr_ann001",
            details={"export_id": f"exp_s{minutes}"},
        )
    w.add(
        "behaviours",
        behaviour_id="beh_hourly",
        title="Scheduled exports are delivered hourly",
        text="Scheduled exports are queued and delivered by the hourly scheduler, up to 60 minutes late.",
    )
    # The dashboard playbook does not list documented delays; the queued outcomes bring it in.
    case = make_case("Our dashboard export schedule shows old numbers", problem_type="dashboard")
    section = await run(w, case, tmp_path)
    triage = section.evidence[1]
    assert triage.check == "events.recent_outcomes" and "queued" in triage.observed
    assert verdicts(section)["documented_delay"] == "confirmed"
    behaviour = next(e for e in section.evidence if e.check == "behaviours.documented_behaviour")
    assert "60 minutes" in behaviour.facts["text"]
