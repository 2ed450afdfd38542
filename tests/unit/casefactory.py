"""Hand-built case files for the drafter and learner tests: one decided case per root cause."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domains.lumen.world.conventions import CAUSE_CLASSES
from supportflow.events import (
    CaseFile,
    CaseResolved,
    Decision,
    Evidence,
    Hypothesis,
    IntakeSection,
    InvestigationSection,
    Requester,
    Route,
    TicketReceived,
)

RECEIVED = datetime(2024, 5, 2, 14, 30, tzinfo=UTC)
ACCOUNT = "acc_7f3k2q"
REQUESTER = "maria.lopez@brightline.example"

CLASS_OF = CAUSE_CLASSES
QUEUE_OF = {
    "expected_behavior": "l1-explain",
    "configuration_issue": "l1-config",
    "product_defect": "eng-escalations",
    "incident": "incident-response",
    "needs_info": "awaiting-customer",
    "unclear": "l2-investigation",
}
PROBLEM_TYPE_OF = {
    "plan_limit": "export_failed",
    "missing_permission": "access_denied",
    "feature_flag_off": "feature_unavailable",
    "sso_config_change": "login_failed",
    "api_key_expired": "api_auth_failed",
    "rate_limited": "api_throttled",
    "documented_delay": "data_delayed",
    "wrong_workspace": "object_missing",
    "deploy_regression": "server_error",
    "open_incident": "server_error",
    "integration_outage": "integration_failed",
    "user_deleted_data": "object_missing",
}
STATEMENTS = {
    "plan_limit": "CSV export of the revenue dashboard fails with PLAN_LIMIT_REACHED",
    "missing_permission": "user cannot edit dashboards anymore, gets PERMISSION_DENIED",
    "feature_flag_off": "scheduled reports option is missing, FEATURE_DISABLED",
    "sso_config_change": "nobody can sign in with SSO since this morning, SSO_ASSERTION_INVALID",
    "api_key_expired": "API calls return 401 API_KEY_EXPIRED",
    "rate_limited": "API returns 429 RATE_LIMITED during nightly sync",
    "documented_delay": "scheduled export arrives late every hour",
    "wrong_workspace": "dashboard disappeared from workspace",
    "deploy_regression": "dashboards return 500 INTERNAL_ERROR after loading",
    "open_incident": "exports stuck and failing with 503",
    "integration_outage": "salesforce sync failing with UPSTREAM_UNAVAILABLE",
    "user_deleted_data": "dashboard is gone from the list",
}

# Per cause: (check, facts) of the confirming customer-safe evidence.
PROOF: dict[str, list[tuple[str, dict[str, str]]]] = {
    "plan_limit": [
        (
            "account.plan_limits",
            {"plan": "Starter", "limit_name": "exports_per_day", "limit": "10", "used": "10"},
        ),
        (
            "events.rejected_actions",
            {
                "action": "export",
                "count": "3",
                "first_at": "2024-05-02T09:12:00Z",
                "last_at": "2024-05-02T11:40:00Z",
            },
        ),
    ],
    "missing_permission": [
        (
            "users.role_permissions",
            {
                "user": "jonas@brightline.example",
                "role": "viewer",
                "required_role": "editor",
                "permission": "dashboard.edit",
            },
        ),
        (
            "changes.role_changes",
            {
                "user": "jonas@brightline.example",
                "before": "editor",
                "after": "viewer",
                "changed_at": "2024-05-01T16:03:00Z",
            },
        ),
    ],
    "feature_flag_off": [("account.feature_flags", {"flag": "scheduled_reports"})],
    "sso_config_change": [
        (
            "changes.recent_config_changes",
            {"target": "sso", "setting": "certificate", "changed_at": "2024-05-02T07:55:00Z"},
        ),
        ("logs.auth_failures", {"count": "48", "error_code": "SSO_ASSERTION_INVALID"}),
    ],
    "api_key_expired": [
        (
            "changes.api_key_status",
            {"api_key_prefix": "lk_live_9x2a", "status": "revoked", "changed_at": "2024-04-30T10:00:00Z"},
        ),
        ("logs.auth_failures", {"count": "212", "error_code": "API_KEY_REVOKED"}),
    ],
    "rate_limited": [
        ("logs.rate_limits", {"count": "1840", "error_code": "RATE_LIMITED"}),
        ("account.plan_limits", {"limit_name": "api_calls_per_hour", "limit": "5000"}),
    ],
    "documented_delay": [
        (
            "behaviours.documented_behaviour",
            {"title": "Scheduled exports", "text": "Scheduled exports run once an hour, on the hour."},
        ),
        (
            "events.processing_delays",
            {
                "object": "export exp_4k2m9d",
                "queued_at": "2024-05-02T10:05:00Z",
                "completed_at": "2024-05-02T11:00:00Z",
            },
        ),
    ],
    "wrong_workspace": [
        (
            "events.workspace_activity",
            {
                "object": "dashboard dsh_a81kq2",
                "actual_workspace": "ws_mk29ap",
                "ticket_workspace": "ws_ab12cd",
            },
        )
    ],
    "deploy_regression": [
        ("changes.recent_deploys", {"component": "dashboards", "deployed_at": "2024-05-02T13:02:00Z"}),
        (
            "logs.error_spike",
            {
                "component": "dashboards",
                "count": "37",
                "error_code": "INTERNAL_ERROR",
                "first_at": "2024-05-02T13:04:00Z",
            },
        ),
    ],
    "open_incident": [
        (
            "incidents.open_incidents",
            {
                "incident_id": "inc_0412",
                "title": "Exports delayed",
                "status": "investigating",
                "started_at": "2024-05-02T12:10:00Z",
                "public_message": "Exports are delayed; queued exports will complete once processing recovers.",
            },
        )
    ],
    "integration_outage": [
        (
            "incidents.open_incidents",
            {
                "incident_id": "inc_0413",
                "title": "Salesforce sync degraded",
                "status": "identified",
                "started_at": "2024-05-02T08:00:00Z",
                "public_message": "Salesforce is returning errors to our sync; we are retrying automatically.",
                "integration": "salesforce",
            },
        ),
        (
            "logs.integration_errors",
            {"integration": "salesforce", "count": "96", "error_code": "UPSTREAM_UNAVAILABLE"},
        ),
    ],
    "user_deleted_data": [
        (
            "events.deletions",
            {
                "object": "dashboard dsh_q72mzz",
                "deleted_by": "tom@brightline.example",
                "deleted_at": "2024-05-01T17:22:00Z",
            },
        )
    ],
}


def evidence(
    evidence_id: str,
    check: str,
    *,
    verdict: str = "supports",
    hypothesis_id: str | None = None,
    customer_safe: bool = True,
    facts: dict[str, str] | None = None,
    observed: str | None = None,
) -> Evidence:
    source = check.split(".")[0]
    return Evidence(
        evidence_id=evidence_id,
        source=source,
        check=check,
        observed=observed or f"{check} observed {facts or {}}",
        verdict=verdict,
        hypothesis_id=hypothesis_id,
        customer_safe=customer_safe,
        facts=facts or {},
    )


def ticket(
    ticket_id: str = "T-1001", *, body: str = "", subject: str = "Help", name: str = "Maria Lopez"
) -> TicketReceived:
    return TicketReceived(
        ticket_id=ticket_id,
        message_id=f"{ticket_id}-m1",
        received_at=RECEIVED,
        subject=subject,
        body=body,
        requester=Requester(email=REQUESTER, name=name),
    )


def intake(cause: str | None = "plan_limit", *, language: str = "en", **overrides: Any) -> IntakeSection:
    fields: dict[str, Any] = {
        "requester_email": REQUESTER,
        "requester_name": "Maria Lopez",
        "identifiers": {"account_id": ACCOUNT, "workspace_id": "ws_ab12cd"},
        "language": language,
        "problem_statement": STATEMENTS.get(cause or "", "something does not work"),
        "problem_type": PROBLEM_TYPE_OF.get(cause or ""),
        "action": "export dashboard",
    }
    fields.update(overrides)
    return IntakeSection(**fields)


def decided_case(
    cause: str | None = "plan_limit",
    *,
    decision_class: str | None = None,
    language: str = "en",
    ticket_id: str = "T-1001",
    extra_evidence: list[Evidence] | None = None,
    confidence: float = 0.9,
    intake_overrides: dict[str, Any] | None = None,
    identity_status: str = "verified",
    body: str = "",
) -> CaseFile:
    """A case whose investigation confirmed `cause` with customer-safe evidence, and a rival refuted."""
    decision_class = decision_class or (CLASS_OF[cause] if cause else "unclear")
    hypotheses: list[Hypothesis] = []
    items: list[Evidence] = [
        evidence("ev_0", "identity.requester_membership", facts={"account_id": ACCOUNT}),
    ]
    if cause is not None and decision_class not in ("needs_info", "unclear"):
        ids = []
        for n, (check, facts) in enumerate(PROOF[cause], 1):
            item = evidence(f"ev_{n}", check, hypothesis_id="h_main", facts=facts)
            items.append(item)
            ids.append(item.evidence_id)
        hypotheses.append(
            Hypothesis(
                hypothesis_id="h_main",
                title=f"{cause} explains it",
                decision_class=decision_class,
                cause=cause,
                verdict="confirmed",
                prior=0.5,
                evidence_ids=ids,
            )
        )
    rival_cause = "open_incident" if cause != "open_incident" else "deploy_regression"
    items.append(evidence("ev_9", "incidents.open_incidents", verdict="contradicts", hypothesis_id="h_rival"))
    hypotheses.append(
        Hypothesis(
            hypothesis_id="h_rival",
            title="Open incident",
            decision_class=CLASS_OF[rival_cause],
            cause=rival_cause,
            verdict="refuted",
            evidence_ids=["ev_9"],
        )
    )
    if decision_class == "unclear":
        hypotheses.append(
            Hypothesis(
                hypothesis_id="h_untested",
                title="Feature flag",
                decision_class="configuration_issue",
                cause="feature_flag_off",
                verdict="untested",
            )
        )
    items.extend(extra_evidence or [])
    main_ids = [e.evidence_id for e in items if e.hypothesis_id == "h_main"]
    return CaseFile(
        ticket_id=ticket_id,
        ticket=ticket(ticket_id, body=body),
        intake=intake(cause, language=language, **(intake_overrides or {})),
        investigation=InvestigationSection(
            identity_status=identity_status,
            account_id=ACCOUNT,
            user_id="usr_m4r1a0",
            playbook="default",
            hypotheses=hypotheses,
            evidence=items,
            checks_possible=8,
        ),
        decision=Decision(
            decision_class=decision_class,
            cause=cause if decision_class not in ("needs_info", "unclear") else None,
            confidence=confidence,
            rationale=f"{cause} confirmed by {', '.join(main_ids) or 'nothing'}",
            cited_evidence=main_ids,
            route=Route(queue=QUEUE_OF[decision_class], team="support"),
        ),
    )


def resolved(
    ticket_id: str = "T-1001",
    *,
    final_class: str = "expected_behavior",
    final_cause: str | None = "plan_limit",
    final_queue: str | None = None,
    final_reply: str = "",
    draft_edited: bool = False,
    engineering_follow_up: bool = False,
    reopened: bool = False,
    at: datetime = RECEIVED,
) -> CaseResolved:
    return CaseResolved(
        ticket_id=ticket_id,
        resolved_at=at,
        final_class=final_class,
        final_cause=final_cause,
        final_queue=final_queue,
        final_reply=final_reply,
        draft_edited=draft_edited,
        engineering_follow_up=engineering_follow_up,
        reopened=reopened,
    )
