"""A reply drafted from a learned path's approved answer.

When a learned path settled the case (its own checks showed the signal again), the customer
reply is the answer a person approved for the cases it was learned from, filled with this
case's identifiers and redacted to this tenant like any reply; the internal note cites the
path and its originating cases. An answer that cannot be filled keeps the template reply.
"""

from __future__ import annotations

from services.drafter.redaction import redact, tenant_scope
from supportflow.answers import case_values, fact_values, fill
from supportflow.events import CaseFile, Draft


def with_learned_answer(case: CaseFile, written: Draft) -> Draft:
    investigation, decision = case.investigation, case.decision
    use = investigation.learned_path if investigation is not None else None
    if investigation is None or use is None or decision is None or decision.cause != use.cause:
        return written
    note = (
        f"Learned path {use.path_id}: decided as {use.decision_class} / {use.cause} because its own "
        f"checks ({', '.join(use.evidence_ids)}) showed the signal again; learned from resolved "
        f"cases {', '.join(use.cases) or 'none recorded'}."
    )
    update: dict[str, object] = {"internal_note": f"{written.internal_note}\n{note}"}
    proving = [e for e in investigation.evidence if e.evidence_id in use.evidence_ids]
    reply = fill(use.answer, {**fact_values(proving), **case_values(case)}) if use.answer else None
    if reply is not None:
        reply, redactions = redact(reply, tenant_scope(case))
        update |= {
            "customer_reply": reply,
            "generator": "learned",
            "redactions": written.redactions + redactions,
        }
    return written.model_copy(update=update)
