"""Incident grouping: tickets with one signature across accounts, or on an open incident.

Pure over a `MutableMapping` (the lead backs it with a Faust table). Values written are plain
JSON-able dicts and are always re-assigned, never mutated in place, so a changelog-backed
table sees every change. Replaying the same case is idempotent: a ticket joins a group once.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from supportflow.events import CaseFile, IncidentGroup

# Tickets of one burst arrive within hours of each other, not minutes: a ticket joins a
# signature's group when it was received inside the group's span of received times, or within
# this much of its first or last ticket (times are the tickets' `received_at`, never the clock).
DEFAULT_WINDOW = timedelta(hours=6)
# Explanations whose tickets form incidents: the platform's failures (a defect of the product,
# an incident), not one account's setup — whatever the domain calls the causes.
GROUPED_CLASSES = frozenset({"incident", "product_defect"})


@dataclass(frozen=True)
class IncidentMatch:
    incident_id: str
    size: int  # tickets in the group, this one included
    accounts: tuple[str, ...]
    signature: str
    known_incident_id: str | None = None
    merged_from: str | None = None  # the signature group this case's known incident took over

    @property
    def grouped(self) -> bool:
        """A real incident group: a known incident, or one signature across several accounts."""
        return self.known_incident_id is not None or len(self.accounts) >= 2


def error_family(code: str | None, status: str | None = None, component: str = "") -> str:
    """The family of a failure, not its exact code: `upstream` (a third party failed),
    `unavailable` (502/503/504, timeouts), `internal` (500, our bug); else the code's first word
    or the status class."""
    code = (code or "").upper()
    status = status or ""
    if code.startswith("UPSTREAM") or component.startswith("integration:"):
        return "upstream"
    if any(part in code for part in ("UNAVAILABLE", "TIMEOUT")) or status in ("502", "503", "504"):
        return "unavailable"
    if any(part in code for part in ("INTERNAL", "UNEXPECTED")) or status == "500":
        return "internal"
    if code:
        return code.split("_")[0].lower()
    if status[:1].isdigit():
        return f"{status[0]}xx"
    return "unknown"


def _grouped_evidence(case: CaseFile) -> set[str] | None:
    """Ids of the evidence behind the confirmed platform explanation; None when the case's
    confirmed explanations are not of the grouped kind (or nothing was confirmed)."""
    investigation = case.investigation
    if investigation is None:
        return None
    confirmed = [h for h in investigation.hypotheses if h.verdict == "confirmed"]
    if not confirmed:
        # A case handed over without hypotheses (older producers) is judged by its evidence.
        return None if investigation.hypotheses else {e.evidence_id for e in investigation.evidence}
    if any(h.decision_class not in GROUPED_CLASSES for h in confirmed):
        return None
    return {i for h in confirmed for i in h.evidence_ids}


def signature_of(case: CaseFile) -> tuple[str | None, str | None]:
    """(component/error-family signature, known incident id) from the supporting evidence of
    the case's confirmed deploy regression, open incident or integration outage."""
    behind = _grouped_evidence(case)
    if behind is None or case.investigation is None:
        return None, None
    found: list[dict[str, str]] = [
        evidence.facts
        for evidence in case.investigation.evidence
        if evidence.verdict == "supports" and evidence.evidence_id in behind
    ]
    incident = next((facts["incident_id"] for facts in found if facts.get("incident_id")), None)
    signature = None
    # The supporting facts that name the failing component, in the order they are trusted: a
    # deploy (its facts carry the released version) names the component even when the
    # account's calls failed on a gateway in front of it; then a named third party; then the
    # component of the errors; then the components of a known incident.
    for facts in sorted(found, key=_trust):
        component = (
            facts.get("component")
            or (f"integration:{facts['integration']}" if facts.get("integration") else "")
            or facts.get("components", "").split(",")[0].strip()
        )
        if not component:
            continue
        if "version" in facts:
            # The deploy is the common cause: its tickets are one incident however far apart
            # they arrive, until another deploy (another version) changes the component.
            version = facts.get("version")
            signature = f"{component}/internal" + (f"@{version}" if version else "")
        else:
            family = error_family(facts.get("error_code"), facts.get("status"), component)
            signature = f"{component}/{family}"
        break
    return signature, incident


def _trust(facts: dict[str, str]) -> int:
    if "version" in facts:
        return 0
    if facts.get("integration"):
        return 1
    if facts.get("component"):
        return 2
    return 3


def _group_id(signature: str, ticket_id: str) -> str:
    digest = hashlib.sha1(f"{signature}|{ticket_id}".encode()).hexdigest()[:10]
    return f"grp-{digest}"


def _within(group: dict[str, Any], at: datetime, window: timedelta) -> bool:
    first = datetime.fromisoformat(group["first_seen"])
    last = datetime.fromisoformat(group["last_seen"])
    return first - window <= at <= last + window


def group_incident(
    case: CaseFile,
    state: MutableMapping[str, Any],
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> IncidentMatch | None:
    """Join the case to an incident group, creating one if needed; None when the case is not a
    confirmed deploy regression, open incident or integration outage.

    Keys in `state`: `sig:<signature>` → the id of the group last seen with that signature;
    `group:<id>` → {incident_id, incident, signature, first_seen, last_seen, tickets[],
    accounts[]}. A known incident always joins that incident's id (and takes over the burst its
    signature had started); a regression joins the group of its deploy; otherwise the ticket
    joins its signature's group when it was received within `window` of the group's span
    (`received_at`, so replays and late consumers group the same way), else it starts a new
    group.
    """
    signature, incident = signature_of(case)
    if signature is None and incident is None:
        return None
    account = (case.investigation.account_id if case.investigation else None) or "unknown"
    at = case.ticket.received_at
    by_signature: dict[str, Any] | None = None
    if signature is not None:
        known = state.get(f"sig:{signature}")
        candidate = state.get(f"group:{known}") if known else None
        anchored = "@" in signature  # a deploy's version: no time window applies
        if candidate is not None and (
            anchored or case.ticket_id in candidate["tickets"] or _within(candidate, at, window)
        ):
            by_signature = candidate
    group: dict[str, Any]
    merged_from: str | None = None
    if incident is not None:
        group = state.get(f"group:{incident}") or {"incident_id": incident, "incident": incident}
        if (
            by_signature is not None
            and by_signature["incident_id"] != incident
            and not by_signature.get("incident")
        ):
            # The burst was grouped by signature before its incident was known: it joins it.
            group = {
                **group,
                "tickets": list(dict.fromkeys([*group.get("tickets", []), *by_signature["tickets"]])),
                "tenants": list(dict.fromkeys([*group.get("tenants", []), *by_signature.get("tenants", [])])),
                "first_seen": _earliest(group.get("first_seen"), by_signature["first_seen"]),
                "last_seen": _latest(group.get("last_seen"), by_signature["last_seen"]),
            }
            merged_from = by_signature["incident_id"]
            state[f"group:{merged_from}"] = {**by_signature, "merged_into": incident}
    elif by_signature is not None:
        group = by_signature
    else:
        assert signature is not None
        group = {"incident_id": _group_id(signature, case.ticket_id)}
    tickets = list(dict.fromkeys([*group.get("tickets", []), case.ticket_id]))
    accounts = list(dict.fromkeys([*group.get("tenants", []), account]))
    updated = {
        "incident_id": group["incident_id"],
        "incident": group.get("incident"),
        "signature": group.get("signature") or signature or f"incident/{incident}",
        "first_seen": _earliest(group.get("first_seen"), at.isoformat()),
        "last_seen": _latest(group.get("last_seen"), at.isoformat()),
        "tickets": tickets,
        "tenants": accounts,
    }
    state[f"group:{updated['incident_id']}"] = updated
    if signature is not None:
        state[f"sig:{signature}"] = updated["incident_id"]
    return IncidentMatch(
        incident_id=updated["incident_id"],
        size=len(tickets),
        accounts=tuple(accounts),
        signature=updated["signature"],
        known_incident_id=updated["incident"],
        merged_from=merged_from,
    )


MAX_LISTED_TICKETS = 100


def incident_records(
    state: MutableMapping[str, Any], match: IncidentMatch, at: datetime
) -> list[IncidentGroup]:
    """The incident groups a case changed, as they now stand: its own group, and the signature
    group it merged into a known incident (marked `merged_into`)."""
    records: list[IncidentGroup] = []
    for incident_id in filter(None, (match.incident_id, match.merged_from)):
        group = state.get(f"group:{incident_id}")
        if group is None:
            continue
        tickets, accounts = group["tickets"], group["tenants"]
        records.append(
            IncidentGroup(
                incident_id=incident_id,
                known_incident_id=group.get("incident"),
                signature=group["signature"],
                size=len(tickets),
                grouped=bool(group.get("incident")) or len(accounts) >= 2,
                first_ticket_id=tickets[0],
                ticket_ids=tickets[-MAX_LISTED_TICKETS:],
                account_ids=accounts,
                first_seen=datetime.fromisoformat(group["first_seen"]),
                last_seen=datetime.fromisoformat(group["last_seen"]),
                merged_into=group.get("merged_into"),
                updated_at=at,
            )
        )
    return records


def _earliest(*moments: str | None) -> str:
    return min(filter(None, moments), key=datetime.fromisoformat)


def _latest(*moments: str | None) -> str:
    return max(filter(None, moments), key=datetime.fromisoformat)
