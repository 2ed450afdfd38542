"""The pure parts of `supportflow replay`: the decision diff, the ticket grouping, the match
with what was drafted then, and the time arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supportflow import codec
from supportflow.events import CaseFile, Decision, Requester, Route, TicketReceived
from supportflow.replay.cli import BadTime, parse_time
from supportflow.replay.diff import Failure, Outcome, diff_decisions, render
from supportflow.replay.history import HistoryRecord
from supportflow.replay.runner import drafted_then, group_tickets

UNCLEAR = Outcome("unclear", None, "l2-triage", "support-l2", "normal", True)
DELETED = Outcome("expected_behavior", "user_deleted_data", "l1-explain", "support")
CONFIG = Outcome("configuration_issue", "missing_permission", "l1-config", "support")


def test_only_changes_are_listed_and_transitions_counted() -> None:
    then = {"A": UNCLEAR, "B": UNCLEAR, "C": DELETED, "D": CONFIG}
    now = {"A": CONFIG, "B": CONFIG, "C": UNCLEAR, "D": CONFIG}
    diff = diff_decisions(["A", "B", "C", "D"], then, now)
    assert [c.ticket_id for c in diff.changed] == ["A", "B", "C"]
    assert diff.unchanged == 1 and diff.compared == 4 and diff.replayed == 4
    assert diff.class_transitions == {"unclear → configuration_issue": 2, "expected_behavior → unclear": 1}
    assert diff.route_transitions == {"l2-triage → l1-config": 2, "l1-explain → l2-triage": 1}


def test_a_cause_or_route_change_within_one_class_is_a_change_but_no_class_transition() -> None:
    other_cause = Outcome("configuration_issue", "feature_flag_off", "l1-config", "support")
    escalated = Outcome("configuration_issue", "missing_permission", "l1-config", "support", "high", True)
    diff = diff_decisions(["A", "B"], {"A": CONFIG, "B": CONFIG}, {"A": other_cause, "B": escalated})
    assert len(diff.changed) == 2 and diff.unchanged == 0
    assert not diff.class_transitions and not diff.route_transitions
    text = "\n".join(render(diff))
    assert "configuration_issue/missing_permission → configuration_issue/feature_flag_off" in text
    assert "l1-config (support, normal) → l1-config (support, high, escalate)" in text


def test_tickets_without_an_earlier_draft_and_failed_tickets_are_apart() -> None:
    failures = [Failure("C", "decode_error", "intake: not JSON")]
    diff = diff_decisions(
        ["A", "B", "C", "D"], {"A": CONFIG, "C": CONFIG}, {"A": CONFIG, "B": UNCLEAR}, failures
    )
    assert diff.unchanged == 1 and not diff.changed
    assert diff.no_earlier_draft == {"B": UNCLEAR}
    assert diff.failed == [
        Failure("C", "decode_error", "intake: not JSON"),
        Failure("D", "not_drafted", "no draft in time"),
    ]
    report = diff.as_json()
    assert report["no_earlier_draft"] == [{"ticket_id": "B", "now": UNCLEAR.__dict__}]
    assert [row["reason"] for row in report["failed"]] == ["decode_error", "not_drafted"]
    lines = render(diff)
    assert lines[0] == "0 of 1 compared tickets changed, 1 unchanged (4 replayed)"
    assert "no earlier draft: 1" in lines and "failed in the replay: 2" in lines
    assert "  C  decode_error: intake: not JSON" in lines


def test_the_json_holds_what_the_text_shows() -> None:
    diff = diff_decisions(["A", "B"], {"A": UNCLEAR, "B": UNCLEAR}, {"A": CONFIG, "B": UNCLEAR})
    report = diff.as_json()
    assert report["changed"] == [{"ticket_id": "A", "then": UNCLEAR.__dict__, "now": CONFIG.__dict__}]
    assert report["class_transitions"] == {"unclear → configuration_issue": 1}
    assert report["unchanged"] == 1 and report["compared"] == 2
    assert "  unclear → configuration_issue: 1" in render(diff)


def ticket(ticket_id: str, message_id: str) -> TicketReceived:
    return TicketReceived(
        ticket_id=ticket_id,
        message_id=message_id,
        received_at=datetime(2026, 12, 4, 6, 0, tzinfo=UTC),
        channel="email",
        subject="export fails",
        body="the export fails",
        requester=Requester(email="a@b.example"),
    )


def record(
    offset: int, key: str | None, value: bytes, headers: dict[str, bytes], ts: int = 0
) -> HistoryRecord:
    return HistoryRecord(
        0, offset, ts or offset, key.encode() if key else None, value, tuple(headers.items())
    )


def json_record(offset: int, item: TicketReceived, key: str | None = "") -> HistoryRecord:
    return record(
        offset,
        item.ticket_id if key == "" else key,
        item.model_dump_json().encode(),
        {"content-type": codec.JSON.encode()},
    )


def test_tickets_are_grouped_in_order_with_their_messages_and_limited() -> None:
    records = [
        json_record(1, ticket("T1", "m1")),
        json_record(2, ticket("T2", "m2")),
        json_record(3, ticket("T1", "m3")),
        json_record(4, ticket("T1", "m3")),  # a resend of the same message
        record(5, "T3", b"\xff not a ticket", {}),
        json_record(6, ticket("T4", "m4"), key=None),
        record(7, None, b"garbage", {}),
    ]
    grouped = group_tickets(records)
    assert [t.ticket_id for t in grouped] == ["T1", "T2", "T3", "T4"]
    assert grouped[0].message_ids == ["m1", "m3"] and len(grouped[0].records) == 3
    assert grouped[2].message_ids == [] and len(grouped[2].records) == 1  # replayed, to be dead-lettered
    limited = group_tickets(records, limit=2)
    assert [t.ticket_id for t in limited] == ["T1", "T2"] and len(limited[0].records) == 3


def drafted(ticket_id: str, message_id: str, revision: int, outcome: Outcome, offset: int) -> HistoryRecord:
    case = CaseFile(
        ticket_id=ticket_id,
        revision=revision,
        ticket=ticket(ticket_id, message_id),
        decision=Decision(
            decision_class=outcome.decision_class,  # type: ignore[arg-type]
            cause=outcome.cause,
            route=Route(
                queue=outcome.queue, team=outcome.team, priority=outcome.priority, escalate=outcome.escalate
            ),
        ),
    )
    return record(offset, ticket_id, codec.encode(case), codec.avro_headers("CaseFile"))


def test_then_is_the_draft_of_the_last_replayed_message() -> None:
    tickets = group_tickets(
        [
            json_record(1, ticket("T1", "m1")),
            json_record(2, ticket("T1", "m2")),
            json_record(3, ticket("T2", "m9")),
        ]
    )
    records = [
        drafted("T1", "m1", 1, UNCLEAR, 10),
        drafted("T1", "m2", 2, CONFIG, 11),
        drafted("T1", "m5", 3, DELETED, 12),  # a later message, outside the range
        drafted("T2", "m9", 4, DELETED, 13),  # the live case had three messages before this one
        drafted("T9", "m0", 1, CONFIG, 14),  # not replayed
        record(15, "T2", b"\x00broken", {}),
    ]
    then, earlier = drafted_then(records, tickets)
    assert then == {"T1": CONFIG, "T2": DELETED}
    assert earlier == ["T2"]


def test_time_arguments() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert parse_time("now", now) == now
    assert parse_time("90m", now) == now - timedelta(minutes=90)
    assert parse_time("2d", now) == now - timedelta(days=2)
    assert parse_time("2026-12-04T06:00Z", now) == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    assert parse_time("2026-12-04", now) == datetime(2026, 12, 4, tzinfo=UTC)
    assert parse_time("2026-12-04T08:00+02:00", now) == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    for bad in ("yesterday", "2026-13-01", "5 parsecs", ""):
        with pytest.raises(BadTime, match="cannot read"):
            parse_time(bad, now)
