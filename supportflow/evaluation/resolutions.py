"""The helpdesk's final outcome of an answered pack ticket, as its truth says — what the eval,
the in-process learning scripts and the learning tests resolve cases with."""

from __future__ import annotations

from typing import Any

from supportflow.events import CaseFile, CaseResolved, utcnow
from supportflow.world.pack import Truth

ENGINEERING_CLASSES = ("product_defect", "incident")


def resolution_from_truth(case: CaseFile, truth: Truth, **changes: Any) -> CaseResolved:
    """`case` resolved with the truth's class, cause and queue: the reply as drafted, marked
    edited when the drafted class was wrong; defects and incidents need engineering. `changes`
    override any field (a reply written elsewhere, the evidence that settled the case, …)."""
    decided = case.decision
    right = decided is not None and decided.decision_class == truth.decision
    fields: dict[str, Any] = {
        "ticket_id": case.ticket_id,
        "resolved_at": utcnow(),
        "final_class": truth.decision,
        "final_cause": truth.cause,
        "final_queue": truth.route_queue,
        "final_reply": case.draft.customer_reply if case.draft is not None else "",
        "draft_edited": not right,
        "engineering_follow_up": truth.decision in ENGINEERING_CLASSES,
        "reopened": False,
    }
    return CaseResolved(**(fields | changes))
