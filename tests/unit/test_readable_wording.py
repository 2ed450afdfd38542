"""Words a customer reads: a problem statement that does not stammer, names instead of internal
ids, event types as words with the right plural, and cut text that says it was cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from casefactory import decided_case, evidence
from conftest_world import World, at, base_world, make_case
from demo_domain import demo_playbooks, demo_sources
from rich.console import Console

from services.drafter.draft import draft
from services.intake.normalize import normalize
from services.investigator import investigate
from supportflow.demo import show_case
from supportflow.events import Requester, TicketReceived, utcnow
from supportflow.summary import cut


def statement(body: str) -> str:
    ticket = TicketReceived(
        ticket_id="T-1",
        message_id="M-1",
        received_at=utcnow(),
        body=body,
        requester=Requester(email="sophie@northforge.example", name="Sophie Schmidt"),
    )
    return normalize(ticket).problem_statement


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "I can't sync data from for the past 2 hours.",
            "Sophie Schmidt <sophie@northforge.example> tried to sync data but could not",
        ),
        (
            'I can\'t find the export "Q3 Pipeline" in the Operations workspace anymore.',
            "tried to find the export \"Q3 Pipeline\" in workspace 'Operations' but could not",
        ),
        ("We can't schedule an export.", "tried to schedule an export but could not"),
        (
            "The dashboard still shows old figures.",
            "Sophie Schmidt <sophie@northforge.example> reports the dashboard",
        ),
    ],
)
def test_the_problem_statement_says_the_action_once_and_leaves_nothing_dangling(
    body: str, expected: str
) -> None:
    said = statement(body)
    assert expected in said
    assert " from for " not in said and "anymore" not in said and "can't" not in said


async def test_an_object_in_another_workspace_is_named_as_the_customer_knows_it(tmp_path: Path) -> None:
    world: World = base_world()
    world.event(
        at(hours_ago=2),
        "acc_acme01",
        "export.created",
        "succeeded",
        user_id="usr_ann001",
        workspace_id="ws_acme02",
        details={"export_id": "exp_wcidqr", "name": "Q3 Pipeline"},
    )
    case = make_case(
        "I can't find the export exp_wcidqr in workspace ws_acme01 anymore",
        problem_type="dashboard",
        identifiers={"workspace_id": "ws_acme01", "export_id": "exp_wcidqr"},
    )
    _, db = world.write(tmp_path)
    sources = demo_sources(str(db))
    try:
        section = await investigate(case, sources, demo_playbooks())
    finally:
        await sources.aclose()
    found = next(e for e in section.evidence if e.check == "events.workspace_activity")
    assert found.verdict == "supports"
    assert found.facts["object"] == "Q3 Pipeline (exp_wcidqr)"


@pytest.mark.parametrize(
    ("count", "expected"),
    [("1", "1 export attempt was rejected."), ("3", "3 export attempts were rejected.")],
)
def test_rejected_attempts_name_the_action_in_words_with_the_right_plural(count: str, expected: str) -> None:
    rejected = evidence(
        "ev_1",
        "events.rejected_actions",
        hypothesis_id="h_main",
        facts={"action": "export.created", "count": count},
    )
    case = decided_case("plan_limit")
    assert case.investigation is not None
    items = [e for e in case.investigation.evidence if e.evidence_id != "ev_1"] + [rejected]
    case = case.model_copy(
        update={"investigation": case.investigation.model_copy(update={"evidence": items})}
    )
    reply = draft(case).customer_reply
    assert expected in reply
    assert "export.created" not in reply


def test_cut_text_ends_with_an_ellipsis() -> None:
    assert cut("short", 90) == "short"
    long = "Incident inc_pxn3uu 'Billing pages unavailable' on billing since 2026-11-15 16:40 UTC (resolved) overlaps"
    shown = cut(long, 90)
    assert len(shown) <= 90 and shown.endswith("…")


def test_the_demo_table_marks_cut_evidence_text() -> None:
    case = decided_case("plan_limit")
    assert case.investigation is not None
    long = "x " * 80
    items = [e.model_copy(update={"observed": long}) for e in case.investigation.evidence]
    case = case.model_copy(
        update={"investigation": case.investigation.model_copy(update={"evidence": items})}
    )
    console = Console(record=True, width=200)
    show_case(console, case)
    assert "x x…" in console.export_text()


def test_the_demo_shows_square_brackets_of_a_reply_as_text() -> None:
    case = decided_case("plan_limit")
    case = case.model_copy(
        update={"draft": draft(case).model_copy(update={"customer_reply": "it looks like [redacted]."})}
    )
    console = Console(record=True, width=200)
    show_case(console, case)
    assert "it looks like [redacted]." in console.export_text()
