"""The escalation packet: everything engineering needs so it never restarts the investigation."""

from __future__ import annotations

from supportflow.events import CaseFile, Decision, Evidence

from .incidents import IncidentMatch


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _window(case: CaseFile) -> str:
    intake = case.intake
    if intake is None or intake.window_start is None:
        return f"not stated (ticket received {case.ticket.received_at:%Y-%m-%d %H:%M} UTC)"
    end = f" – {intake.window_end:%Y-%m-%d %H:%M}" if intake.window_end else ""
    said = f" (customer: “{intake.timing_text}”)" if intake.timing_text else ""
    return f"{intake.window_start:%Y-%m-%d %H:%M}{end} UTC{said}"


def escalation_packet(case: CaseFile, decision: Decision, incident: IncidentMatch | None = None) -> str:
    """Markdown: problem statement, reproduction facts, evidence table, hypotheses with
    verdicts, affected accounts, and what could not be checked."""
    intake = case.intake
    investigation = case.investigation
    route = decision.route
    lines = [
        f"# Escalation — {case.ticket.subject or case.ticket_id}",
        "",
        f"- **Ticket:** {case.ticket_id} (revision {case.revision})",
        f"- **Decision:** {decision.decision_class}"
        + (f" · cause `{decision.cause}`" if decision.cause else "")
        + f" · confidence {decision.confidence:.2f}",
        f"- **Route:** {route.queue} / {route.team} · priority {route.priority}",
        "",
        "## Problem statement",
        "",
        intake.problem_statement if intake else case.ticket.subject,
        "",
        "## Reproduction facts",
        "",
    ]
    if intake is not None:
        env = intake.environment
        environment = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("surface", env.surface),
                ("app", env.app_version),
                ("browser", env.browser),
                ("os", env.os),
                ("region", env.region),
            )
            if value
        )
        facts = [
            ("Requester", intake.requester_email),
            ("Action", intake.action),
            ("Expected", intake.expected),
            ("Actual", intake.actual),
            ("Steps", intake.steps),
            ("Environment", environment or None),
            ("When", _window(case)),
            ("Error signatures", ", ".join(f"{s.kind}={s.value}" for s in intake.error_signatures) or None),
            ("Identifiers", ", ".join(f"{k}={v}" for k, v in sorted(intake.identifiers.items())) or None),
            ("Missing", ", ".join(intake.missing) or None),
        ]
        lines += [f"- **{name}:** {_cell(value)}" for name, value in facts if value]
    lines += ["", "## Evidence", ""]
    evidence: list[Evidence] = investigation.evidence if investigation else []
    if evidence:
        lines += [
            "| id | check | source | verdict | observed | customer-safe |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {e.evidence_id} | {e.check} | {e.source} | {e.verdict} | {_cell(e.observed)} | "
            f"{'yes' if e.customer_safe else 'no'} |"
            for e in evidence
        ]
    else:
        lines.append("No evidence was gathered.")
    lines += ["", "## Hypotheses", ""]
    if investigation and investigation.hypotheses:
        lines += ["| hypothesis | class | cause | verdict | prior | evidence |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {_cell(h.title)} | {h.decision_class} | {h.cause or '—'} | {h.verdict} | {h.prior:.2f} | "
            f"{', '.join(h.evidence_ids) or '—'} |"
            for h in investigation.hypotheses
        ]
    else:
        lines.append("No hypotheses were considered.")
    lines += ["", "## Affected accounts", ""]
    account = investigation.account_id if investigation else None
    identity = investigation.identity_status if investigation else "unverified"
    lines.append(f"- {account or 'unknown (requester not verified)'} — this ticket, identity {identity}")
    if incident is not None and incident.grouped:
        others = [a for a in incident.accounts if a != account]
        lines.append(
            f"- Incident group {incident.incident_id}: {incident.size} tickets, {len(incident.accounts)} accounts"
            f" (signature {incident.signature})"
            + (f"; {len(others)} other accounts affected" if others else "")
        )
    if investigation and investigation.identity_status == "mismatch":
        lines += ["", f"> Identity: {investigation.identity_note}"]
    if investigation and investigation.unavailable_sources:
        lines += [
            "",
            "## Not checked",
            "",
            f"Sources unavailable: {', '.join(investigation.unavailable_sources)}.",
        ]
    return "\n".join(lines) + "\n"
