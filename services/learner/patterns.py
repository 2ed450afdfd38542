"""Patterns from resolved cases.

A pattern is keyed by what the problem looked like (problem type, else error code, else a
signature hash) and how it was finally settled (class and cause), so the same lesson learned
twice updates one record on the compacted topic instead of adding another. The similarity
index over patterns lives in `supportflow.similarity`, shared with the other services.
"""

from __future__ import annotations

from collections.abc import Mapping

from supportflow.events import CaseFile, CaseResolved, Pattern
from supportflow.masking import mask_secrets
from supportflow.similarity import (
    MAX_SIGNATURE_TERMS,
    intake_features,
    pattern_id_for,
    revision_distance,
    signature_text,
)

MAX_TICKET_IDS = 50
ANSWER_REVISION = "answer_revision"  # feature holding the kept answer example's edit distance


def investigation_path(case: CaseFile, final_cause: str | None) -> tuple[list[str], str | None]:
    """The checks in the order they ran, and the first one that confirmed the final cause."""
    investigation = case.investigation
    if investigation is None:
        return [], None
    checks = list(dict.fromkeys(e.check for e in investigation.evidence))
    causes = {h.hypothesis_id: h.cause for h in investigation.hypotheses}
    confirming = next(
        (
            e.check
            for e in investigation.evidence
            if e.verdict == "supports"
            and final_cause is not None
            and causes.get(e.hypothesis_id or "") == final_cause
        ),
        None,
    )
    return checks, confirming


def _merge_signature(old: str, new: str) -> str:
    merged = list(dict.fromkeys([*old.split(), *new.split()]))
    return " ".join(merged[:MAX_SIGNATURE_TERMS])


def learn(resolved: CaseResolved, case: CaseFile | None, existing: Mapping[str, Pattern]) -> list[Pattern]:
    """The patterns to publish for one resolved case (new or updated); [] if nothing to learn.

    Without the case trail there is no signature to learn from. A redelivered resolution of a
    ticket the pattern already holds changes nothing, except that a reopen is counted.
    """
    if case is None or case.intake is None:
        return []
    intake = case.intake
    pattern_id = pattern_id_for(intake, resolved.final_class, resolved.final_cause)
    checks, confirming = investigation_path(case, resolved.final_cause)
    signature = signature_text(intake)
    example, example_revision = _answer_candidate(resolved, case)
    prior = existing.get(pattern_id)
    if prior is None:
        features = intake_features(intake)
        if example is not None:
            features[ANSWER_REVISION] = f"{example_revision:.3f}"
        return [
            Pattern(
                pattern_id=pattern_id,
                signature=signature,
                problem_type=intake.problem_type,
                features=features,
                decision_class=resolved.final_class,
                cause=resolved.final_cause,
                checks=checks,
                confirming_check=confirming,
                answer_example=example,
                support=1,
                reopened=int(resolved.reopened),
                ticket_ids=[resolved.ticket_id],
                updated_at=resolved.resolved_at,
            )
        ]
    if resolved.ticket_id in prior.ticket_ids:
        if not resolved.reopened:
            return []
        return [prior.model_copy(update={"reopened": prior.reopened + 1, "updated_at": resolved.resolved_at})]
    update: dict[str, object] = {
        "signature": _merge_signature(prior.signature, signature),
        "features": {**intake_features(intake), **prior.features},
        "support": prior.support + 1,
        "reopened": prior.reopened + int(resolved.reopened),
        "ticket_ids": [*prior.ticket_ids, resolved.ticket_id][-MAX_TICKET_IDS:],
        "updated_at": max(prior.updated_at, resolved.resolved_at),
    }
    if confirming is not None and (prior.confirming_check is None or len(checks) < len(prior.checks)):
        update["checks"] = checks
        update["confirming_check"] = confirming
    kept_revision = float(prior.features.get(ANSWER_REVISION, "1.0"))
    if example is not None and (prior.answer_example is None or example_revision < kept_revision):
        update["answer_example"] = example
        features = dict(update["features"])  # type: ignore[call-overload]
        features[ANSWER_REVISION] = f"{example_revision:.3f}"
        update["features"] = features
    return [prior.model_copy(update=update)]


def _answer_candidate(resolved: CaseResolved, case: CaseFile) -> tuple[str | None, float]:
    """The final reply as an answer example, with how much the agent had to edit the draft."""
    if not resolved.final_reply.strip() or resolved.reopened:
        return None, 1.0
    if case.draft is not None:
        revision = revision_distance(case.draft.customer_reply, resolved.final_reply)
    else:
        revision = 1.0 if resolved.draft_edited else 0.5
    return mask_secrets(resolved.final_reply), revision
