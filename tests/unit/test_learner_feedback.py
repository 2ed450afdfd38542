"""Feedback metrics on hand-made resolved cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casefactory import RECEIVED, decided_case, resolved

from services.drafter.draft import draft
from services.learner.feedback import FeedbackMetrics, revision_distance
from supportflow.events import CaseFile, Evidence


def _case(cause: str, ticket_id: str, *, extra_checks: int = 0, reused: bool = False) -> CaseFile:
    case = decided_case(cause, ticket_id=ticket_id)
    assert case.investigation is not None
    for n in range(extra_checks):
        case.investigation.evidence.append(
            Evidence(
                evidence_id=f"x{n}", source="logs", check=f"logs.extra_{n}", observed="-", verdict="neutral"
            )
        )
    if reused:
        case.investigation.similar_cases = ["pat_0001"]
    case.draft = draft(case)
    return case


def test_revision_distance() -> None:
    assert revision_distance("same", "same") == 0.0
    assert revision_distance("", "anything") == 1.0
    assert revision_distance("abcd", "abcf") == pytest.approx(0.25)
    assert 0.0 < revision_distance("Hello Maria, your limit is 10.", "Hi Maria, your limit is 10.") < 0.3


def test_feedback_arithmetic() -> None:
    metrics = FeedbackMetrics()
    first = _case("plan_limit", "T-1", extra_checks=4)  # 4 base checks + 4 = 8
    assert first.draft is not None
    metrics.record(
        resolved("T-1", final_reply=first.draft.customer_reply),
        first,
        pattern_id="pat_limit",
    )
    second = _case("plan_limit", "T-2", reused=True)  # 4 checks, a known pattern
    metrics.record(
        resolved("T-2", final_reply="completely different text written by the agent", draft_edited=True),
        second,
        pattern_id="pat_limit",
    )
    third = _case("plan_limit", "T-3")
    metrics.record(
        resolved(
            "T-3",
            final_class="product_defect",
            final_cause="deploy_regression",
            final_queue="eng-escalations",
            engineering_follow_up=True,
        ),
        third,
        pattern_id="pat_defect",
    )
    fourth = _case("missing_permission", "T-4")
    metrics.record(
        resolved(
            "T-4",
            final_class="configuration_issue",
            final_cause="missing_permission",
            final_queue="l2-identity",
        ),
        fourth,
        pattern_id="pat_perm",
    )
    snap = metrics.snapshot()
    assert snap["resolved_total"] == 4
    assert snap["misroute_rate"] == pytest.approx(2 / 4)  # T-3 class, T-4 queue
    assert snap["revision_rate"] == pytest.approx(1 / 4)  # only T-2 was edited
    assert snap["engineering_follow_up_rate"] == pytest.approx(1 / 4)
    assert snap["workflow_reuse_total"] == 1
    assert snap["workflow_reuse_rate"] == pytest.approx(1 / 4)
    assert snap["checks_per_first_case"] == pytest.approx((8 + 4 + 4) / 3)
    assert snap["checks_per_repeat_case"] == pytest.approx(4)
    assert snap["repeat_case_reduction"] == pytest.approx(1 - 4 / (16 / 3))
    assert snap["repeat_investigation_rate"] == 0.0


def test_duplicate_delivery_counts_once_and_reopens_count_as_repeat() -> None:
    metrics = FeedbackMetrics()
    case = _case("plan_limit", "T-1")
    event = resolved("T-1")
    assert metrics.record(event, case) is not None
    assert metrics.record(event, case) is None
    later = resolved("T-1", reopened=True, at=RECEIVED + timedelta(days=1))
    feedback = metrics.record(later, case)
    assert feedback is not None and feedback.repeat_investigation
    snap = metrics.snapshot()
    assert snap["resolved_total"] == 2
    assert snap["repeat_investigation_rate"] == pytest.approx(1 / 2)


def test_a_console_reroute_and_the_closing_action_count_as_one_misrouted_resolution() -> None:
    metrics = FeedbackMetrics()
    case = _case("plan_limit", "T-1")
    moved = resolved("T-1", final_class="product_defect", final_cause=None, final_queue="eng-escalations")
    assert metrics.record(moved.model_copy(update={"action": "reroute"}), case) is None
    closing = moved.model_copy(
        update={"action": "approve", "resolved_at": moved.resolved_at + timedelta(minutes=5)}
    )
    feedback = metrics.record(closing, case)
    assert feedback is not None and feedback.misrouted and not feedback.repeat_investigation
    snap = metrics.snapshot()
    assert (snap["resolved_total"], snap["misroute_rate"], snap["repeat_investigation_rate"]) == (1, 1.0, 0.0)


def test_cases_without_trail_count_only_what_is_known() -> None:
    metrics = FeedbackMetrics()
    feedback = metrics.record(resolved("T-1", engineering_follow_up=True), None)
    assert feedback is not None and feedback.misrouted is None and feedback.revision is None
    snap = metrics.snapshot()
    assert snap["misroute_rate"] == 0.0 and snap["engineering_follow_up_rate"] == 1.0


def test_state_survives_a_restart() -> None:
    metrics = FeedbackMetrics()
    case = _case("plan_limit", "T-1")
    metrics.record(resolved("T-1"), case, pattern_id="pat_limit")
    restored = FeedbackMetrics.restore(metrics.state())
    assert restored.snapshot() == metrics.snapshot()
    assert restored.record(resolved("T-1"), case) is None  # still deduplicated
    again = restored.record(resolved("T-2"), _case("plan_limit", "T-2"), pattern_id="pat_limit")
    assert again is not None and again.known_pattern
