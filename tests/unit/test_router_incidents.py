"""Incident grouping over a plain dict (a Faust table in production)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest_world import NOW, make_case

from services.router.incidents import error_family, group_incident, signature_of
from supportflow.events import CaseFile, Evidence, InvestigationSection


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
    assert signature_of(case_with("T1", "acc_a", 0)) == ("exports/INTERNAL", None)
    assert error_family(None, "503") == "5xx"


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
    later = group_incident(case_with("T2", "acc_b", 120), state)
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
