"""Identity first, and zero reads of an account the requester does not belong to."""

from __future__ import annotations

import re
from pathlib import Path

from conftest_world import at, base_world, make_case
from demo_domain import demo_playbooks, demo_sources

from services.investigator import QueryLog, investigate
from supportflow.events import CaseFile, InvestigationSection

OTHER = {"acc_glbx02", "ws_glbx01", "usr_gus003", "gus@globex.example"}


async def run(case: CaseFile, tmp_path: Path, log: QueryLog) -> InvestigationSection:
    world = base_world()
    world.event(
        at(hours_ago=1),
        "acc_glbx02",
        "export.create",
        "rejected",
        user_id="usr_gus003",
        details={"reason": "plan_limit", "limit": "exports_per_day", "used": 500},
    )
    world.log(at(hours_ago=1), "acc_glbx02", "exports", 403, "PLAN_LIMIT_REACHED")
    _, db = world.write(tmp_path)
    sources = demo_sources(str(db), recorder=log)
    try:
        return await investigate(case, sources, demo_playbooks())
    finally:
        await sources.aclose()


def assert_never_touched_other_tenant(log: QueryLog) -> None:
    assert log.records, "the recorder saw no query"
    assert log.accounts_touched() <= {"acc_acme01"}
    for record in log.records:
        assert not OTHER & set(record.filters.values()), record


async def test_ticket_naming_another_account_reads_nothing_from_it(tmp_path: Path) -> None:
    log = QueryLog()
    case = make_case(
        "Exports for acc_glbx02 fail with PLAN_LIMIT_REACHED, workspace ws_glbx01, user gus@globex.example",
        problem_type="export",
        codes=("PLAN_LIMIT_REACHED",),
        identifiers={
            "account_id": "acc_glbx02",
            "workspace_id": "ws_glbx01",
            "user_email": "gus@globex.example",
        },
    )
    section = await run(case, tmp_path, log)
    assert section.identity_status == "mismatch"
    assert "acc_glbx02" in section.identity_note and "nothing was read" in section.identity_note
    assert section.account_id == "acc_acme01"
    assert_never_touched_other_tenant(log)
    identity = section.evidence[0]
    assert identity.check == "identity.requester_membership" and identity.verdict == "contradicts"
    for evidence in section.evidence:
        # Globex's usage (500 exports) never leaks into the case
        assert not re.search(r"\b500\b(?!-class)", evidence.observed)


async def test_identity_is_resolved_before_any_account_data(tmp_path: Path) -> None:
    log = QueryLog()
    case = make_case(
        "Exports fail with PLAN_LIMIT_REACHED", problem_type="export", codes=("PLAN_LIMIT_REACHED",)
    )
    section = await run(case, tmp_path, log)
    assert section.identity_status == "verified"
    first = log.records[0]
    assert first.table == "users" and first.tenant is None and first.filters["email"] == "ann@acme.example"
    assert_never_touched_other_tenant(log)


async def test_unknown_requester_reads_no_account_data(tmp_path: Path) -> None:
    log = QueryLog()
    case = make_case(
        "Exports fail with PLAN_LIMIT_REACHED", requester="mallory@evil.example", problem_type="export"
    )
    section = await run(case, tmp_path, log)
    assert section.identity_status == "unverified"
    assert section.account_id is None
    assert [e.check for e in section.evidence] == ["identity.requester_membership"]
    assert [r.table for r in log.records] == ["users"]
    assert log.accounts_touched() == set()


async def test_named_user_of_the_same_account_becomes_the_subject(tmp_path: Path) -> None:
    log = QueryLog()
    case = make_case(
        "Bob cannot edit dashboards, access denied",
        problem_type="permissions",
        identifiers={"user_email": "bob@acme.example"},
        statuses=(403,),
    )
    section = await run(case, tmp_path, log)
    assert section.identity_status == "verified"
    roles = [e for e in section.evidence if e.check == "users.role_permissions"]
    assert roles and "bob@acme.example" in roles[0].observed
    assert_never_touched_other_tenant(log)


async def test_needs_info_case_stops_after_identity(tmp_path: Path) -> None:
    log = QueryLog()
    case = make_case("it doesn't work", status="needs_info", missing=("action", "error_details"))
    section = await run(case, tmp_path, log)
    assert [e.check for e in section.evidence] == ["identity.requester_membership"]
    assert all(h.verdict == "untested" for h in section.hypotheses)
