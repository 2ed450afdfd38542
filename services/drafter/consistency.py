"""A drafted reply must not contradict itself. `contradictions()` reads a drafted case — the reply
text and its claims, the decision, the evidence and hypotheses, the incident's status — and
lists each sentence that says the opposite of what the rest of the case says:

- `incident_tense`: an incident spoken of as ongoing ("our team is working on it") when the
  status page shows it resolved, or as resolved when it is not;
- `claimed_and_ruled_out`: a cause the reply claims (the decided cause, or a finding
  supporting it) and also says it ruled out;
- `not_checked_beyond_playbook`: "we have not checked X" for a cause this ticket's
  investigation could not check (it ran no check at all: unverified requester, nothing to go
  on), or for a cause outside the hypotheses of its playbook; and "we checked the likely
  causes" when none was checked.

Pure: the same case gives the same list. The drafter drops the sentences it lists; the eval
counts what is left in final replies (`reply_contradictions`, which must be 0).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from services.drafter import templates as t
from supportflow.events import CaseFile, Draft, Evidence, Hypothesis

RESOLVED_STATES = ("resolved", "closed", "completed", "postmortem")
"""Incident status words that mean it is over (the status page's words, lower case prefix)."""
RESOLVED = "resolved"
"""The template key suffix for the wording of a resolved incident (`incident:resolved`)."""


@dataclass(frozen=True)
class Contradiction:
    rule: str
    sentence: str  # the sentence of the reply to drop
    reason: str


def incident_state(facts: dict[str, str]) -> str | None:
    """`resolved` when an incident's facts say it is over, else None (ongoing or unknown)."""
    status = facts.get("status", "").strip().lower()
    return RESOLVED if status.startswith(RESOLVED_STATES) else None


def incident_evidence(case: CaseFile) -> Evidence | None:
    """The customer-safe evidence of an incident overlapping the ticket, if any."""
    investigation = case.investigation
    for evidence in investigation.evidence if investigation else ():
        if (
            evidence.customer_safe
            and evidence.verdict == "supports"
            and "incident_id" in evidence.facts
            and "status" in evidence.facts
        ):
            return evidence
    return None


def cause_label(hypothesis: Hypothesis, language: str) -> str:
    if hypothesis.cause and hypothesis.cause in t.active().CAUSE_LABELS:
        return t.pick(t.active().CAUSE_LABELS[hypothesis.cause], language)
    return hypothesis.title


@cache
def template_pattern(template: str) -> re.Pattern[str]:
    """A template as a regular expression: its text literally, each placeholder as a named group
    within one line (one that opens the template also stops at a sentence mark, so it does not
    take in the sentences before it)."""
    parts, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            text = r"[^\n.:;!?]+?" if not "".join(parts) else r"[^\n]+?"
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{text})")
            seen.add(name)
    return re.compile("".join(parts), re.IGNORECASE)


def _sentence(match: re.Match[str]) -> str:
    return match.group(0).strip().removeprefix("- ").strip()


def _found(reply: str, templates: Iterable[str]) -> list[str]:
    return [
        _sentence(m) for template in templates if template for m in template_pattern(template).finditer(reply)
    ]


def _claims_in(check: str, language: str) -> tuple[str, ...]:
    variants = t.active().CLAIMS.get(check) or {}
    return variants.get(language) or variants.get("en", ())


def _incident_tense(case: CaseFile, reply: str, language: str) -> list[Contradiction]:
    if case.decision is None or case.decision.decision_class != "incident":
        return []
    evidence = incident_evidence(case)
    if evidence is None:
        return []
    state = incident_state(evidence.facts)
    ongoing = [
        t.pick(t.active().LEADS["incident"], language),
        t.pick(t.active().LEADS["incident_titled"], language),
        t.pick(t.active().CLASS_NEXT_ACTIONS["incident"], language),
        *_claims_in(evidence.check, language),
    ]
    over = [
        t.pick(t.active().LEADS[f"incident:{RESOLVED}"], language),
        t.pick(t.active().LEADS[f"incident_titled:{RESOLVED}"], language),
        t.pick(t.active().CLASS_NEXT_ACTIONS[f"incident:{RESOLVED}"], language),
        *_claims_in(f"{evidence.check}:{RESOLVED}", language),
    ]
    wrong, reason = (
        (ongoing, f"the incident is {evidence.facts['status']}, the sentence speaks of it as ongoing")
        if state == RESOLVED
        else (over, f"the incident is {evidence.facts['status']}, the sentence calls it resolved")
    )
    return [Contradiction("incident_tense", sentence, reason) for sentence in _found(reply, wrong)]


def _claimed_and_ruled_out(case: CaseFile, draft: Draft) -> list[Contradiction]:
    investigation = case.investigation
    if investigation is None:
        return []
    evidence = {e.evidence_id: e for e in investigation.evidence}
    hypotheses = {h.hypothesis_id: h for h in investigation.hypotheses}

    def causes(claim_ids: list[str], verdict: str) -> set[str]:
        found = set()
        for evidence_id in claim_ids:
            item = evidence.get(evidence_id)
            hypothesis = hypotheses.get(item.hypothesis_id or "") if item else None
            if item is not None and item.verdict == verdict and hypothesis is not None and hypothesis.cause:
                found.add(hypothesis.cause)
        return found

    decided = case.decision.cause if case.decision else None
    claimed = {decided} if decided else set()
    supporting: dict[str, list[str]] = {}
    ruling_out: dict[str, list[str]] = {}
    for claim in draft.claims:
        for cause in causes(claim.evidence_ids, "supports"):
            supporting.setdefault(cause, []).append(claim.text)
        # a rule-out cites only contradicting evidence
        if all(evidence.get(i) and evidence[i].verdict == "contradicts" for i in claim.evidence_ids):
            for cause in causes(claim.evidence_ids, "contradicts"):
                ruling_out.setdefault(cause, []).append(claim.text)
    found = []
    for cause, texts in ruling_out.items():
        if cause in claimed:  # the decision stands: the rule-out is the wrong sentence
            found += [
                Contradiction("claimed_and_ruled_out", text, f"{cause} is the decided cause")
                for text in texts
            ]
        elif cause in supporting:  # the investigation ruled it out: the finding for it goes
            found += [
                Contradiction("claimed_and_ruled_out", text, f"a finding for {cause}, which was ruled out")
                for text in supporting[cause]
            ]
    return found


def _not_checked(case: CaseFile, reply: str, language: str) -> list[Contradiction]:
    investigation = case.investigation
    hypotheses = list(investigation.hypotheses) if investigation else []
    tested = any(h.evidence_ids for h in hypotheses)
    checkable = (
        {cause_label(h, language).lower() for h in hypotheses if h.verdict == "untested"} if tested else set()
    )
    found = []
    for match in template_pattern(t.pick(t.active().PHRASES["not_checked"], language)).finditer(reply):
        label = match.group("cause").strip().removeprefix("- ").strip().lower()
        if label not in checkable:
            reason = (
                "this ticket's investigation ran no check"
                if not tested
                else f"{label} is not a cause this ticket's playbook could still check"
            )
            found.append(Contradiction("not_checked_beyond_playbook", _sentence(match), reason))
    if not tested and (case.decision is None or case.decision.decision_class == "unclear"):
        # "we checked the likely causes", "with the checks above"
        found += [
            Contradiction("not_checked_beyond_playbook", sentence, "no cause was checked")
            for sentence in _found(
                reply,
                [
                    t.pick(t.active().LEADS["unclear"], language),
                    t.pick(t.active().CLASS_NEXT_ACTIONS["unclear"], language),
                ],
            )
        ]
    return found


def contradictions(case: CaseFile, draft: Draft) -> list[Contradiction]:
    """Every sentence of the drafted reply that contradicts the case or another sentence."""
    language = draft.language if draft.language in t.active().LANGUAGES else "en"
    reply = draft.customer_reply
    found = [
        *_incident_tense(case, reply, language),
        *_claimed_and_ruled_out(case, draft),
        *_not_checked(case, reply, language),
    ]
    return list({c.sentence: c for c in found}.values())
