"""The demo world generator: deterministic, every family present, truth grounded in the text."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from supportflow.events import TicketReceived
from supportflow.world import generate_pack, read_tickets
from supportflow.world.pack import CAUSE_CLASSES, CHECK_NAMES, FAMILIES, IDENTIFIER_FIELDS, MISSING_FIELDS

TICKETS = 120


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.jsonl"))
    }


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    generate_pack(3, TICKETS, out, log_lines=3000)
    return out


def _text(ticket: TicketReceived) -> str:
    return "\n".join([ticket.subject, ticket.body, *(m.author + "\n" + m.body for m in ticket.thread)])


def test_same_seed_same_bytes_other_seed_other_pack(tmp_path: Path, pack: Path) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate_pack(3, TICKETS, again, log_lines=3000)
    generate_pack(4, TICKETS, other, log_lines=3000)
    assert _digest(again) == _digest(pack)
    assert _digest(other)["tickets.jsonl"] != _digest(pack)["tickets.jsonl"]
    assert _digest(other)["world/logs.jsonl"] != _digest(pack)["world/logs.jsonl"]


def test_every_family_present_and_balanced(pack: Path) -> None:
    families = [t.truth.family for t in read_tickets(pack)]
    assert set(families) == set(FAMILIES)
    counts = {f: families.count(f) for f in FAMILIES}
    assert max(counts[c] for c in CAUSE_CLASSES) - min(counts[c] for c in CAUSE_CLASSES) <= 1


def test_truth_is_consistent_with_the_contract(pack: Path) -> None:
    for item in read_tickets(pack):
        truth = item.truth
        assert set(truth.required_evidence) <= CHECK_NAMES, truth.required_evidence
        assert set(truth.missing) <= set(MISSING_FIELDS)
        assert set(truth.identifiers) <= set(IDENTIFIER_FIELDS)
        if truth.family == "needs_info":
            assert truth.decision == "needs_info" and truth.cause is None
            assert {"action", "error_details"} <= set(truth.missing)
            assert truth.route_queue == "awaiting-customer"
        else:
            assert "identity.requester_membership" in truth.required_evidence
            assert "action" not in truth.missing
        if truth.cause:
            assert truth.decision == CAUSE_CLASSES[truth.cause]
            assert truth.answer_points
        if truth.family == "unclear":
            assert truth.decision == "unclear" and truth.route_queue == "l2-investigation"


def test_identifiers_really_appear_in_the_ticket(pack: Path) -> None:
    for item in read_tickets(pack):
        text = _text(item.ticket).casefold()
        for field, value in item.truth.identifiers.items():
            assert value.casefold() in text, (item.ticket.ticket_id, field, value)


def test_missing_reflects_the_text(pack: Path) -> None:
    code = re.compile(r"\b[A-Z]{3,}_[A-Z_]{3,}\b")
    for item in read_tickets(pack):
        text = _text(item.ticket)
        for foreign in item.truth.forbidden:  # another tenant's ids are not the ticket's own
            text = text.replace(foreign, "")
        if "workspace_id" in item.truth.missing:
            assert "ws_" not in text, item.ticket.ticket_id
        if "error_details" in item.truth.missing:
            assert not code.search(text), item.ticket.ticket_id
        if "time_window" in item.truth.missing and item.truth.language == "en":
            assert not re.search(r"\b(yesterday|ago|this morning|since \w+day)\b", text, re.I), text


def test_requester_is_a_member_of_the_account(pack: Path) -> None:
    users = [json.loads(line) for line in (pack / "world" / "users.jsonl").read_text().splitlines()]
    emails = {u["email"].casefold() for u in users}
    for item in read_tickets(pack):
        assert item.ticket.requester.email.casefold() in emails


def test_proof_is_planted_in_the_world(pack: Path) -> None:
    events = (pack / "world" / "events.jsonl").read_text()
    logs = (pack / "world" / "logs.jsonl").read_text()
    changes = (pack / "world" / "changes.jsonl").read_text()
    for item in read_tickets(pack):
        ids = item.truth.identifiers
        if "request_id" in ids:
            assert ids["request_id"] in logs
        if item.truth.cause == "plan_limit":
            assert '"reason":"plan_limit"' in events
        if item.truth.cause == "api_key_expired":
            assert f"api_key:{item.truth.answer_points[0]}" in changes
        if item.truth.cause == "wrong_workspace":
            assert item.truth.answer_points[0] in events


def test_forbidden_never_names_the_requesters_own_account(pack: Path) -> None:
    accounts = {
        a["account_id"]: a
        for a in map(json.loads, (pack / "world" / "accounts.jsonl").read_text().splitlines())
    }
    users = {
        u["email"].casefold(): u
        for u in map(json.loads, (pack / "world" / "users.jsonl").read_text().splitlines())
    }
    for item in read_tickets(pack):
        own = users[item.ticket.requester.email.casefold()]["account_id"]
        assert own not in item.truth.forbidden
        assert accounts[own]["name"] not in item.truth.forbidden


def test_tickets_validate_and_languages_vary(pack: Path) -> None:
    tickets = read_tickets(pack)
    assert len(tickets) == TICKETS
    assert len({t.ticket.ticket_id for t in tickets}) == TICKETS
    assert {t.truth.language for t in tickets} - {"en"}
    assert all(t.ticket.received_at.tzinfo is not None for t in tickets)
    assert len({t.ticket.body for t in tickets}) == TICKETS


def test_ticket_seed_changes_tickets_but_not_the_world(tmp_path: Path, pack: Path) -> None:
    other = tmp_path / "other-tickets"
    generate_pack(3, TICKETS, other, log_lines=3000, ticket_seed=99)
    mine, theirs = _digest(pack), _digest(other)
    assert {k: v for k, v in mine.items() if k.startswith("world/")} == {
        k: v for k, v in theirs.items() if k.startswith("world/")
    }
    assert mine["tickets.jsonl"] != theirs["tickets.jsonl"]
    first = {t.ticket.ticket_id for t in read_tickets(pack)}
    second = {t.ticket.ticket_id for t in read_tickets(other)}
    assert not first & second  # ids stay unique across packs that share a world
    families = [t.truth.family for t in read_tickets(other)]
    assert sorted(families) == sorted(t.truth.family for t in read_tickets(pack))
    # every ticket of the second pack still has its proof planted in the shared world
    logs = (other / "world" / "logs.jsonl").read_text()
    for item in read_tickets(other):
        for value in item.truth.identifiers.values():
            if value.startswith("req_"):
                assert value in logs
