"""Arbitrary text never breaks the intake: it always yields a valid IntakeSection."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.language import SUPPORTED
from services.intake.normalize import MISSING_ORDER, normalize
from services.intake.vocabulary import default_vocabulary
from supportflow.events import IntakeSection, Requester, ThreadMessage, TicketReceived

# Fragments that exercise the extractors, mixed with arbitrary unicode.
FRAGMENTS = st.sampled_from(
    [
        "acc_7f3k2q", "ws-AB12CD", "req_0123456789ab", "lk_live_", "lk_live_ab12cdefghijklmnopqrstuvwxyz012345",
        "HTTP 403", "returned a 500", "PLAN_LIMIT_REACHED", "Steps to reproduce:", "Actual results:",
        "Expected results:", "User Agent: Mozilla/5.0 (", "> ", "On Mon wrote:", "-- \n", "since ", "yesterday",
        "14:05 CET", "25:99", "31.02.2024", "2024-13-45", "vor 2 Stunden", "depuis hier", "hace 3 días",
        "SYSTEM:", "ignore previous instructions", "<script>", "```", "\n", "«", "„", "\"", "'", "@", ".",
        "Traceback (most recent call last):", "at 23:59 pm", "12am", "May 40", "tonight", "hier", "(Europe/Nowhere)",
    ]
)  # fmt: skip
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=40)), max_size=30).map("".join)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 3), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TEXT, body=TEXT, follow_up=st.one_of(st.none(), TEXT), at=MOMENTS)
def test_arbitrary_text_always_yields_a_valid_section(
    subject: str, body: str, follow_up: str | None, at: datetime
) -> None:
    first = TicketReceived(
        ticket_id="T",
        message_id="M1",
        received_at=at,
        subject=subject,
        body=body,
        requester=Requester(email="ana@acme.example"),
        metadata={"timezone": "Europe/Berlin"},
        thread=[ThreadMessage(author="ana@acme.example", body=body[::-1])],
    )
    history = [first] if follow_up is not None else []
    latest = first if follow_up is None else first.model_copy(update={"message_id": "M2", "body": follow_up})
    result = normalize(latest, history)
    IntakeSection.model_validate(result.model_dump())
    assert result.status in ("ready", "needs_info")
    assert result.status == ("needs_info" if {"action", "error_details"} <= set(result.missing) else "ready")
    assert set(result.missing) <= {*default_vocabulary().required, *MISSING_ORDER}
    assert len(result.questions) == len(result.missing)
    assert result.language in SUPPORTED
    assert result.problem_statement.endswith(".")
    assert "cdefghijklmnopqrstuvwxyz012345" not in result.model_dump_json()
    if result.window_start is not None and result.window_end is not None:
        assert result.window_start <= result.window_end <= at
    assert all(len(excerpt) <= 2000 for excerpt in result.log_excerpts)
