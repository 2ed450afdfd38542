"""Learned investigation paths: how a person settled a case the playbooks could not.

When a case the system called `unclear` is resolved with a cause and the evidence that settled
it (`CaseResolved.settled_by`: which check of which source showed what), the learner keeps a
path — the ticket signature, those checks with the verdict each showed, the decision and route,
and the approved answer. One path per cause and set of checks: a second case settled the same
way adds support and widens the signature instead of adding a record.

The approved answer is kept with the originating case's identifiers replaced by placeholders
(`supportflow.answers`), so it is filled from the next case's own identifiers and never carries
another customer's ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from supportflow.answers import ANSWER_LANGUAGE, case_values, fact_values, generalize
from supportflow.events import CaseFile, CaseResolved, LearnedPath, SettlingEvidence
from supportflow.masking import mask_secrets
from supportflow.similarity import MAX_SIGNATURE_TERMS, intake_features, signature_text

MAX_TICKET_IDS = 50


def path_id_for(cause: str, checks: list[SettlingEvidence]) -> str:
    """Deterministic: the same cause proved by the same checks (run for the same thing) is one path."""
    key = "|".join(sorted(f"{c.check}:{c.verdict}:{sorted(c.params.items())}" for c in checks))
    return "lp-" + hashlib.sha1(f"{cause}|{key}".encode()).hexdigest()[:16]


def learnable(resolved: CaseResolved, case: CaseFile | None) -> bool:
    """A case the system could not settle, now settled by a person with a cause and the proof."""
    return (
        case is not None
        and case.intake is not None
        and case.decision is not None
        and case.decision.decision_class == "unclear"
        and resolved.final_cause is not None
        and resolved.final_class not in ("unclear", "needs_info")
        and not resolved.reopened
        and any(e.verdict == "supports" for e in resolved.settled_by)
    )


def learn_path(
    resolved: CaseResolved, case: CaseFile | None, existing: Mapping[str, LearnedPath]
) -> LearnedPath | None:
    """The learned path to publish for one resolution (new or updated), or None."""
    if not learnable(resolved, case):
        return None
    assert case is not None and case.intake is not None and resolved.final_cause is not None
    intake = case.intake
    checks = [e for e in resolved.settled_by if e.verdict in ("supports", "contradicts")]
    path_id = path_id_for(resolved.final_cause, checks)
    answer = None
    if resolved.final_reply.strip():
        values = {**fact_values(resolved.settled_by), **case_values(case)}
        answer = generalize(mask_secrets(resolved.final_reply), values)
    prior = existing.get(path_id)
    if prior is None:
        features = intake_features(intake)
        if answer is not None:
            features[ANSWER_LANGUAGE] = intake.language
        return LearnedPath(
            path_id=path_id,
            signature=signature_text(intake),
            problem_type=intake.problem_type,
            features=features,
            decision_class=resolved.final_class,
            cause=resolved.final_cause,
            title=resolved.final_cause.replace("_", " "),
            route_queue=resolved.final_queue,
            checks=checks,
            answer=answer,
            support=1,
            ticket_ids=[resolved.ticket_id],
            updated_at=resolved.resolved_at,
        )
    if resolved.ticket_id in prior.ticket_ids:
        return None
    terms = list(dict.fromkeys([*prior.signature.split(), *signature_text(intake).split()]))
    return prior.model_copy(
        update={
            "signature": " ".join(terms[: MAX_SIGNATURE_TERMS * 2]),
            "features": {
                **intake_features(intake),
                **({ANSWER_LANGUAGE: intake.language} if answer is not None and prior.answer is None else {}),
                **prior.features,
            },
            "support": prior.support + 1,
            "ticket_ids": [*prior.ticket_ids, resolved.ticket_id][-MAX_TICKET_IDS:],
            "answer": prior.answer or answer,
            "route_queue": prior.route_queue or resolved.final_queue,
            "updated_at": max(prior.updated_at, resolved.resolved_at),
        }
    )
