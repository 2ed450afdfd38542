"""Incident grouping over a plain dict (a Faust table in production)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from conftest_world import NOW, base_world, make_case
from conftest_world import at as ago
from demo_domain import demo_routing
from test_investigator_playbooks import run

from services.router.decide import decide
from services.router.incidents import error_family, group_incident, incident_records, signature_of
from supportflow.events import CaseFile, Evidence, Hypothesis, IncidentGroup, InvestigationSection

ROUTING = demo_routing()


def case_with(
    ticket_id: str,
    account: str,
    minutes: float,
    *,
    component: str = "exports",
    code: str = "INTERNAL_ERROR",
    incident: str | None = None,
) -> CaseFile:
    case = make_case(
        "Exports fail with 500", ticket_id=ticket_id, received_at=NOW + timedelta(minutes=minutes)
    )
    evidence = [
        Evidence(
            evidence_id="ev-2",
            source="sql",
            check="logs.error_spike",
            observed="spike",
            verdict="supports",
            facts={"component": component, "error_code": code, "status": "500"},
        )
    ]
    if incident:
        evidence.append(
            Evidence(
                evidence_id="ev-3",
                source="sql",
                check="incidents.open_incidents",
                observed="open",
                verdict="supports",
                facts={"incident_id": incident, "status": "investigating"},
            )
        )
    case.investigation = InvestigationSection(
        identity_status="verified", account_id=account, evidence=evidence
    )
    return case


def test_signature_is_component_and_error_family() -> None:
    assert signature_of(case_with("T1", "acc_a", 0)) == ("exports/internal", None)
    assert error_family(None, "503") == error_family("GATEWAY_TIMEOUT") == "unavailable"
    assert error_family("SERVICE_UNAVAILABLE", "503") == "unavailable"
    assert error_family("INTERNAL_ERROR") == error_family(None, "500") == "internal"
    assert error_family("UPSTREAM_UNAVAILABLE", "503") == "upstream"
    assert error_family(None, "500", component="integration:slack") == "upstream"
    assert error_family(None, "404") == "4xx"


def test_burst_across_accounts_joins_one_incident() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0), state)
    second = group_incident(case_with("T2", "acc_b", 10), state)
    third = group_incident(case_with("T3", "acc_c", 35), state)
    assert first and second and third
    assert first.incident_id == second.incident_id == third.incident_id
    assert not first.grouped and second.grouped
    assert (third.size, third.accounts) == (3, ("acc_a", "acc_b", "acc_c"))


def test_same_account_alone_is_not_an_incident_group() -> None:
    state: dict[str, Any] = {}
    group_incident(case_with("T1", "acc_a", 0), state)
    again = group_incident(case_with("T2", "acc_a", 5), state)
    assert again and again.size == 2 and not again.grouped


def test_outside_the_window_starts_a_new_group() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0), state)
    later = group_incident(case_with("T2", "acc_b", 7 * 60), state)
    assert first and later and first.incident_id != later.incident_id


def test_other_component_is_another_signature() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0), state)
    other = group_incident(case_with("T2", "acc_b", 5, component="dashboards"), state)
    assert first and other and first.incident_id != other.incident_id


def test_overlapping_an_open_incident_joins_its_id() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0, incident="INC-7"), state)
    second = group_incident(case_with("T2", "acc_b", 300, incident="INC-7"), state)
    assert first and second
    assert first.incident_id == second.incident_id == "INC-7"
    assert first.grouped and second.size == 2


def test_a_burst_grouped_by_signature_is_published_as_merged_into_its_incident() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0), state)
    second = group_incident(case_with("T2", "acc_b", 10), state)
    known = group_incident(case_with("T3", "acc_c", 20, incident="INC-7"), state)
    assert first and second and known and known.merged_from == first.incident_id
    records = {r.incident_id: r for r in incident_records(state, known, NOW)}
    assert records["INC-7"].size == 3 and records["INC-7"].known_incident_id == "INC-7"
    assert records["INC-7"].first_ticket_id == "T1"
    assert records[first.incident_id].merged_into == "INC-7"


def test_replaying_a_case_is_idempotent() -> None:
    state: dict[str, Any] = {}
    case = case_with("T1", "acc_a", 0)
    group_incident(case, state)
    again = group_incident(case, state)
    assert again and again.size == 1


def test_no_signature_no_group() -> None:
    case = make_case("Exports fail")
    case.investigation = InvestigationSection(account_id="acc_a")
    assert group_incident(case, {}) is None


def confirmed(case: CaseFile, cause: str, *evidence: Evidence) -> CaseFile:
    """The case with `evidence` added and one hypothesis of `cause` confirmed by all of it."""
    assert case.investigation is not None
    case.investigation.evidence += list(evidence)
    ids = [e.evidence_id for e in case.investigation.evidence]
    decision_class = {"deploy_regression": "product_defect", "missing_permission": "configuration_issue"}
    case.investigation.hypotheses = [
        Hypothesis(
            hypothesis_id=f"h-{cause}",
            title=cause,
            decision_class=decision_class.get(cause, "incident"),  # type: ignore[arg-type]
            cause=cause,
            verdict="confirmed",
            evidence_ids=ids,
        )
    ]
    return case


def deploy(evidence_id: str, version: str, component: str = "exports") -> Evidence:
    return Evidence(
        evidence_id=evidence_id,
        source="sql",
        check="changes.recent_deploys",
        observed="deploy then errors",
        verdict="supports",
        facts={"component": component, "version": version, "error_code": "INTERNAL_ERROR"},
    )


def test_tickets_spread_over_hours_join_one_group_and_it_grows() -> None:
    state: dict[str, Any] = {}
    sizes = []
    ids = set()
    for n, (account, hours) in enumerate([("acc_a", 0), ("acc_b", 2.5), ("acc_c", 5), ("acc_d", 10)]):
        match = group_incident(case_with(f"T{n}", account, hours * 60), state)
        assert match
        sizes.append(match.size)
        ids.add(match.incident_id)
    # Each ticket arrives within 6 h of the group's last one: one group, growing.
    assert (sizes, len(ids)) == ([1, 2, 3, 4], 1)


def test_a_ticket_received_inside_the_groups_span_joins_even_when_processed_late() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0), state)
    last = group_incident(case_with("T2", "acc_b", 5 * 60), state)
    late = group_incident(case_with("T3", "acc_c", 2 * 60), state)  # consumed last
    assert first and last and late
    assert first.incident_id == last.incident_id == late.incident_id and late.size == 3


def test_availability_errors_of_one_component_are_one_family() -> None:
    state: dict[str, Any] = {}
    first = group_incident(case_with("T1", "acc_a", 0, code="SERVICE_UNAVAILABLE"), state)
    second = group_incident(case_with("T2", "acc_b", 30, code="GATEWAY_TIMEOUT"), state)
    bug = group_incident(case_with("T3", "acc_c", 40, code="INTERNAL_ERROR"), state)
    assert first and second and bug
    assert first.incident_id == second.incident_id != bug.incident_id


def test_tickets_of_one_deploy_group_however_far_apart() -> None:
    state: dict[str, Any] = {}
    first = group_incident(
        confirmed(case_with("T1", "acc_a", 0), "deploy_regression", deploy("ev-9", "v42")), state
    )
    days = group_incident(
        confirmed(case_with("T2", "acc_b", 30 * 60), "deploy_regression", deploy("ev-9", "v42")), state
    )
    next_deploy = group_incident(
        confirmed(case_with("T3", "acc_c", 31 * 60), "deploy_regression", deploy("ev-9", "v43")), state
    )
    assert first and days and next_deploy
    assert first.signature == "exports/internal@v42"
    assert first.incident_id == days.incident_id != next_deploy.incident_id
    assert days.grouped and days.size == 2


def test_a_regression_seen_on_the_gateway_groups_by_the_deployed_component() -> None:
    state: dict[str, Any] = {}
    ui = confirmed(case_with("T1", "acc_a", 0), "deploy_regression", deploy("ev-9", "v42"))
    api = confirmed(
        case_with("T2", "acc_b", 20, component="api-gateway"), "deploy_regression", deploy("ev-9", "v42")
    )
    first, second = group_incident(ui, state), group_incident(api, state)
    assert first and second and first.incident_id == second.incident_id


def test_a_burst_joins_its_incident_once_the_incident_is_known() -> None:
    state: dict[str, Any] = {}
    burst = group_incident(case_with("T1", "acc_a", 0, code="SERVICE_UNAVAILABLE"), state)
    known = group_incident(case_with("T2", "acc_b", 20, code="SERVICE_UNAVAILABLE", incident="INC-8"), state)
    after = group_incident(case_with("T3", "acc_c", 40, code="SERVICE_UNAVAILABLE"), state)
    assert burst and known and after
    assert known.incident_id == after.incident_id == "INC-8"
    assert (after.size, after.accounts) == (3, ("acc_a", "acc_b", "acc_c"))
    assert after.known_incident_id == "INC-8" and after.grouped


def test_only_platform_explanations_form_incidents() -> None:
    case = confirmed(case_with("T1", "acc_a", 0), "missing_permission")
    assert group_incident(case, {}) is None
    unsettled = case_with("T2", "acc_b", 0)
    assert unsettled.investigation is not None
    unsettled.investigation.hypotheses = [
        Hypothesis(
            hypothesis_id="h-deploy_regression",
            title="deploy",
            decision_class="product_defect",
            cause="deploy_regression",
            verdict="refuted",
            evidence_ids=["ev-2"],
        )
    ]
    assert group_incident(unsettled, {}) is None


async def test_one_deploy_regression_in_two_accounts_is_one_incident_on_the_second_decision(
    tmp_path: Path,
) -> None:
    world = base_world()
    world.change(ago(hours_ago=4), None, "deploy", "exports", "v41", "v42", actor="ci", note="writer")
    for account, user in (("acc_acme01", "usr_ann001"), ("acc_glbx02", "usr_gus003")):
        for i in range(6):
            world.log(
                ago(hours_ago=3, minutes_ago=-i * 15),
                account,
                "exports",
                500,
                "INTERNAL_ERROR",
                user_id=user,
                route="/v2/exports",
            )
    first = make_case(
        "Exports fail with a 500 error since this morning",
        problem_type="export",
        statuses=(500,),
        ticket_id="T-acme",
    )
    second = make_case(
        "CSV export broken, HTTP 500",
        requester="gus@globex.example",
        problem_type="export",
        statuses=(500,),
        ticket_id="T-globex",
        received_at=NOW + timedelta(hours=1),
    )
    state: dict[str, Any] = {}
    decisions = []
    published: list[IncidentGroup] = []
    for case, sub in ((first, "a"), (second, "b")):
        case.investigation = await run(world, case, tmp_path / sub)
        match = group_incident(case, state)
        assert match is not None
        decisions.append(decide(case, ROUTING, incident=match))
        published += incident_records(state, match, NOW)
    assert [d.decision_class for d in decisions] == ["product_defect", "product_defect"]
    # the first report carries the group's id from the start; one account is not an incident yet
    assert decisions[0].incident_id and decisions[0].incident_group_size == 1
    assert decisions[0].incident_id not in (decisions[0].escalation_packet or "")
    assert decisions[1].incident_id == decisions[0].incident_id and decisions[1].incident_group_size == 2
    assert decisions[1].escalation_packet and decisions[1].incident_id in decisions[1].escalation_packet
    # what support.incidents shows of the first ticket's group as the second one joins
    assert [(r.incident_id, r.size, r.grouped) for r in published] == [
        (decisions[0].incident_id, 1, False),
        (decisions[0].incident_id, 2, True),
    ]
    assert published[-1].first_ticket_id == "T-acme" and published[-1].ticket_ids == ["T-acme", "T-globex"]
