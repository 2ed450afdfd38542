"""The helpdesk outcome the eval and the learning scripts resolve a pack ticket with."""

from __future__ import annotations

from casefactory import decided_case

from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.world.pack import Truth


def test_a_resolution_takes_the_truth_and_marks_a_wrong_draft_edited() -> None:
    case = decided_case("plan_limit")
    truth = Truth(decision="product_defect", cause="release_bug", route_queue="engineering")
    resolved = resolution_from_truth(case, truth)
    assert (resolved.final_class, resolved.final_cause, resolved.final_queue) == (
        "product_defect",
        "release_bug",
        "engineering",
    )
    assert resolved.ticket_id == case.ticket_id
    assert case.decision is not None and case.decision.decision_class != "product_defect"
    assert resolved.draft_edited is True
    assert resolved.engineering_follow_up is True


def test_a_right_draft_is_not_edited_and_changes_override() -> None:
    case = decided_case("plan_limit")
    assert case.decision is not None
    truth = Truth(decision=case.decision.decision_class, cause="plan_limit", route_queue="l1")
    resolved = resolution_from_truth(case, truth)
    assert resolved.draft_edited is False
    assert resolved.engineering_follow_up is False
    assert resolution_from_truth(case, truth, final_reply="written by hand").final_reply == "written by hand"
