"""The demo world generator: deterministic, every family present, truth grounded in the text."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domains.lumen.world import generate_pack
from domains.lumen.world.coherence import find_conflicts
from domains.lumen.world.conventions import (
    CAUSE_CLASSES,
    CHECK_NAMES,
    FAMILIES,
    IDENTIFIER_FIELDS,
    MISSING_FIELDS,
)
from services.intake.normalize import normalize
from supportflow.events import TicketReceived
from supportflow.world import read_tickets

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
    families = [str(t.truth.family) for t in read_tickets(other)]
    assert sorted(families) == sorted(str(t.truth.family) for t in read_tickets(pack))
    # every ticket of the second pack still has its proof planted in the shared world
    logs = (other / "world" / "logs.jsonl").read_text()
    for item in read_tickets(other):
        for value in item.truth.identifiers.values():
            if value.startswith("req_"):
                assert value in logs


def _windows(pack: Path) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str, str | None]]]:
    """Each ticket's investigation window — the intake window joined with the 72 h before it
    arrived — and its account (the requester's, by membership)."""
    members = {
        json.loads(line)["email"].lower(): json.loads(line)["account_id"]
        for line in (pack / "world" / "users.jsonl").read_text().splitlines()
    }
    windows: dict[str, tuple[int, int]] = {}
    keys: list[tuple[str, str, str | None]] = []
    for item in read_tickets(pack):
        ticket = item.ticket
        received = int(ticket.received_at.timestamp() * 1000)
        start, end = received - 72 * 3600 * 1000, received
        section = normalize(ticket)
        if section.window_start is not None:
            start = min(start, int(section.window_start.timestamp() * 1000))
        if section.window_end is not None:
            end = max(end, min(int(section.window_end.timestamp() * 1000), received))
        windows[ticket.ticket_id] = (start, end)
        keys.append((ticket.ticket_id, members[ticket.requester.email.lower()], item.truth.cause))
    return windows, keys


@pytest.mark.parametrize("ticket_seed", [None, 41])
def test_no_other_story_confirms_inside_a_tickets_account_and_window(
    tmp_path: Path, pack: Path, ticket_seed: int | None
) -> None:
    folder = pack
    if ticket_seed is not None:
        folder = tmp_path / "other"
        generate_pack(3, TICKETS, folder, log_lines=3000, ticket_seed=ticket_seed)
    windows, keys = _windows(folder)
    conflicts = find_conflicts(folder, windows, keys)
    assert not conflicts, conflicts[:5]


def test_coherence_check_sees_a_planted_conflict(tmp_path: Path, pack: Path) -> None:
    # the check itself must be able to fail: plant a revoked key inside an unclear ticket's window
    windows, keys = _windows(pack)
    ticket_id, account, _ = next(k for k in keys if k[2] is None)
    copy = tmp_path / "copy"
    (copy / "world").mkdir(parents=True)
    for path in (pack / "world").iterdir():
        (copy / "world" / path.name).write_bytes(path.read_bytes())
    ts = datetime.fromtimestamp((windows[ticket_id][1] - 3600_000) / 1000, UTC)
    row = {
        "ts": ts.isoformat().replace("+00:00", "Z"),
        "account_id": account,
        "actor": "admin@example.com",
        "kind": "config",
        "target": "api_key:lk_live_zzzz",
        "before": "active",
        "after": "revoked",
        "note": "Key revoked",
    }
    with (copy / "world" / "changes.jsonl").open("a") as fh:
        fh.write(json.dumps(row) + "\n")
    found = find_conflicts(copy, windows, keys)
    assert [(c.ticket_id, c.other_cause) for c in found] == [(ticket_id, "api_key_expired")]


def test_integration_outages_fail_upstream_not_internally(pack: Path) -> None:
    tickets = [t for t in read_tickets(pack) if t.truth.cause == "integration_outage"]
    assert tickets
    logs = [json.loads(line) for line in (pack / "world" / "logs.jsonl").read_text().splitlines()]
    by_request = {row["request_id"]: row for row in logs}
    for item in tickets:
        rid = item.truth.identifiers.get("request_id")
        if rid:
            row = by_request[rid]
            assert row["status"] in (502, 503, 504) and row["error_code"] == "UPSTREAM_UNAVAILABLE", row
    outage = [r for r in logs if r["error_code"] == "UPSTREAM_UNAVAILABLE"]
    assert outage and all(r["status"] in (502, 503, 504) for r in outage)
