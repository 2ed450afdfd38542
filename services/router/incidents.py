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

from supportflow.events import CaseFile

DEFAULT_WINDOW = timedelta(minutes=30)
# Checks whose supporting evidence names the failing component and error family.
_SIGNATURE_CHECKS = ("logs.error_spike", "logs.integration_errors", "incidents.open_incidents")


@dataclass(frozen=True)
class IncidentMatch:
    incident_id: str
    size: int  # tickets in the group, this one included
    accounts: tuple[str, ...]
    signature: str
    open_incident_id: str | None = None

    @property
    def grouped(self) -> bool:
        """A real incident group: an open incident, or one signature across several accounts."""
        return self.open_incident_id is not None or len(self.accounts) >= 2


def error_family(code: str | None, status: str | None = None) -> str:
    """INTERNAL_ERROR → INTERNAL, UPSTREAM_UNAVAILABLE → UPSTREAM; else the status class (5xx)."""
    if code:
        return code.upper().split("_")[0]
    if status and status[:1].isdigit():
        return f"{status[0]}xx"
    return "unknown"


def signature_of(case: CaseFile) -> tuple[str | None, str | None]:
    """(component/error-family signature, open incident id) from the case's supporting evidence."""
    investigation = case.investigation
    if investigation is None:
        return None, None
    signature = None
    open_incident = None
    for evidence in investigation.evidence:
        if evidence.verdict != "supports" or evidence.check not in _SIGNATURE_CHECKS:
            continue
        facts = evidence.facts
        if evidence.check == "incidents.open_incidents":
            if facts.get("incident_id") and facts.get("status", "").lower() != "resolved":
                open_incident = facts["incident_id"]
            continue
        component = facts.get("component") or (
            f"integration:{facts['integration']}" if facts.get("integration") else None
        )
        if component and signature is None:
            signature = f"{component}/{error_family(facts.get('error_code'), facts.get('status'))}"
    return signature, open_incident


def _group_id(signature: str, ticket_id: str) -> str:
    digest = hashlib.sha1(f"{signature}|{ticket_id}".encode()).hexdigest()[:10]
    return f"grp-{digest}"


def group_incident(
    case: CaseFile,
    state: MutableMapping[str, Any],
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> IncidentMatch | None:
    """Join the case to an incident group, creating one if needed; None when it has no signature.

    Keys in `state`: `sig:<signature>` → the id of the group last seen with that signature;
    `group:<id>` → {incident_id, signature, first_seen, last_seen, tickets[], accounts[]}.
    A signature joins its group when the ticket arrives within `window` of the group's last
    ticket; an open incident always joins that incident's id.
    """
    signature, open_incident = signature_of(case)
    if signature is None and open_incident is None:
        return None
    account = (case.investigation.account_id if case.investigation else None) or "unknown"
    at = case.ticket.received_at
    group: dict[str, Any] | None = None
    if open_incident is not None:
        group = state.get(f"group:{open_incident}") or {"incident_id": open_incident}
    elif signature is not None:
        known = state.get(f"sig:{signature}")
        candidate = state.get(f"group:{known}") if known else None
        if candidate is not None:
            last = datetime.fromisoformat(candidate["last_seen"])
            first = datetime.fromisoformat(candidate["first_seen"])
            if first - window <= at <= last + window or case.ticket_id in candidate["tickets"]:
                group = candidate
        if group is None:
            group = {"incident_id": _group_id(signature, case.ticket_id)}
    assert group is not None
    tickets = list(group.get("tickets", []))
    accounts = list(group.get("accounts", []))
    if case.ticket_id not in tickets:
        tickets.append(case.ticket_id)
    if account not in accounts:
        accounts.append(account)
    first_seen = min(filter(None, (group.get("first_seen"), at.isoformat())), key=datetime.fromisoformat)
    last_seen = max(filter(None, (group.get("last_seen"), at.isoformat())), key=datetime.fromisoformat)
    sig = signature or group.get("signature") or f"incident/{open_incident}"
    updated = {
        "incident_id": group["incident_id"],
        "signature": sig,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "tickets": tickets,
        "accounts": accounts,
    }
    state[f"group:{updated['incident_id']}"] = updated
    if signature is not None:
        state[f"sig:{signature}"] = updated["incident_id"]
    return IncidentMatch(
        incident_id=updated["incident_id"],
        size=len(tickets),
        accounts=tuple(accounts),
        signature=sig,
        open_incident_id=open_incident,
    )
