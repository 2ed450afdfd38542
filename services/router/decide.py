"""The decision: which class the evidence proves, and where the case goes. Never a guess."""

from __future__ import annotations

from supportflow.events import (
    CaseFile,
    Decision,
    DecisionClass,
    Evidence,
    Hypothesis,
    InvestigationSection,
)

from .incidents import IncidentMatch
from .packet import escalation_packet
from .routing import RoutingTable

ESCALATED_CLASSES = frozenset({"product_defect", "incident", "unclear"})
IDENTITY_CHECK = "identity.requester_membership"


def _confidence(
    confirmed: Hypothesis, hypotheses: list[Hypothesis], evidence: dict[str, Evidence], unavailable: int
) -> float:
    supporting = [i for i in confirmed.evidence_ids if evidence.get(i) and evidence[i].verdict == "supports"]
    tested_rivals = [
        h for h in hypotheses if h is not confirmed and h.verdict not in ("untested", "unlikely")
    ]
    refuted = [h for h in tested_rivals if h.verdict == "refuted"]
    score = 0.6 + 0.1 * min(len(supporting), 3)
    if tested_rivals and len(refuted) == len(tested_rivals):
        score += 0.05
    score -= 0.1 * unavailable
    return round(max(0.5, min(score, 0.97)), 2)


def settled(investigation: InvestigationSection | None) -> bool:
    """Whether the evidence confirmed explanations of exactly one class (identity verified)."""
    if investigation is None or investigation.identity_status == "unverified":
        return False
    classes = {h.decision_class for h in investigation.hypotheses if h.verdict == "confirmed"}
    return len(classes) == 1


def _cite(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "no evidence"


def decide(case: CaseFile, routing: RoutingTable, *, incident: IncidentMatch | None = None) -> Decision:
    """Decide the class, cause, confidence and route of an investigated case.

    `needs_info` when intake parked the case; the confirmed hypothesis's class when exactly one
    class is confirmed; otherwise `unclear` (escalated with a packet). Defects, incidents and
    unclear cases carry an escalation packet. `incident` (from `group_incident`) attaches the
    incident group the case joined (or started).
    """
    intake = case.intake
    investigation = case.investigation
    decision_class: DecisionClass
    cause: str | None = None
    confidence = 0.0
    cited: list[str] = []
    if intake is not None and intake.status == "needs_info" and not settled(investigation):
        decision_class = "needs_info"
        confidence = 0.9
        missing = ", ".join(intake.missing) or "the details needed to investigate"
        rationale = f"Intake parked the ticket: missing {missing}; waiting for the customer."
    elif investigation is None:
        decision_class = "unclear"
        rationale = "No investigation is attached to the case; escalating rather than guessing."
    else:
        evidence = {e.evidence_id: e for e in investigation.evidence}
        identity = [e.evidence_id for e in investigation.evidence if e.check == IDENTITY_CHECK]
        confirmed = [h for h in investigation.hypotheses if h.verdict == "confirmed"]
        classes = {h.decision_class for h in confirmed}
        if investigation.identity_status == "unverified":
            decision_class = "unclear"
            cited = identity
            rationale = f"Requester not verified ({_cite(identity)}): {investigation.identity_note}"
        elif len(classes) == 1:
            chosen = confirmed[0]
            decision_class = chosen.decision_class
            cause = chosen.cause
            supporting = [
                i for i in chosen.evidence_ids if evidence.get(i) and evidence[i].verdict == "supports"
            ]
            cited = identity + supporting
            confidence = _confidence(
                chosen, investigation.hypotheses, evidence, len(investigation.unavailable_sources)
            )
            rationale = f"Confirmed: {chosen.title} ({_cite(supporting)})."
            rivals = [h for h in investigation.hypotheses if h is not chosen and h.verdict == "refuted"]
            if rivals:
                refuting = [i for h in rivals for i in h.evidence_ids]
                cited += refuting
                rationale += f" Ruled out: {', '.join(h.title for h in rivals)} ({_cite(refuting)})."
            if investigation.identity_status == "mismatch":
                rationale += f" Identity: {investigation.identity_note}"
            if intake is not None and intake.status == "needs_info":
                rationale += " The intake had parked the ticket, but the evidence settles it."
        else:
            decision_class = "unclear"
            tested = [h for h in investigation.hypotheses if h.evidence_ids]
            cited = identity + [i for h in tested for i in h.evidence_ids]
            if confirmed:
                rationale = "Evidence confirms explanations of different classes: " + "; ".join(
                    f"{h.title} ({h.decision_class}, {_cite(h.evidence_ids)})" for h in confirmed
                )
            else:
                verdicts = "; ".join(f"{h.title}: {h.verdict} ({_cite(h.evidence_ids)})" for h in tested)
                rationale = "No explanation was confirmed" + (f" — {verdicts}" if verdicts else "")
            if investigation.unavailable_sources:
                rationale += f". Could not check: {', '.join(investigation.unavailable_sources)}"
            rationale += ". Escalating to L2 with the case file."
    route = routing.route_for(decision_class, cause)
    learned = investigation.learned_path if investigation is not None else None
    if learned is not None and cause == learned.cause and decision_class == learned.decision_class:
        rationale += (
            f" Learned path {learned.path_id} (from resolved cases {', '.join(learned.cases)}):"
            " its own checks showed the signal again on this case."
        )
        if learned.route_queue and cause not in routing.causes:
            route.queue = learned.route_queue
    decision = Decision(
        decision_class=decision_class,
        cause=cause,
        confidence=confidence,
        rationale=rationale,
        cited_evidence=list(dict.fromkeys(cited)),
        route=route,
    )
    if incident is not None:
        # the first report of a platform failure carries its group's id from the start:
        # `support.incidents` shows that group growing as more tickets join it
        decision.incident_id = incident.incident_id
        decision.incident_group_size = incident.size
    if decision_class in ESCALATED_CLASSES:
        decision.escalation_packet = escalation_packet(case, decision, incident)
    return decision
