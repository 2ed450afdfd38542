"""The demo world's fixed names (docs/WORLD.md): tables, causes and their classes, the checks
that confirm each cause, the identifier and missing-item vocabulary, and the shipped routes."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

WORLD_FILES: tuple[str, ...] = (
    "accounts",
    "users",
    "workspaces",
    "events",
    "logs",
    "changes",
    "incidents",
    "behaviours",
)

# cause id -> decision class (docs/WORLD.md "Decision classes, causes and routes").
CAUSE_CLASSES: dict[str, str] = {
    "plan_limit": "expected_behavior",
    "missing_permission": "configuration_issue",
    "feature_flag_off": "configuration_issue",
    "sso_config_change": "configuration_issue",
    "api_key_expired": "configuration_issue",
    "rate_limited": "expected_behavior",
    "documented_delay": "expected_behavior",
    "wrong_workspace": "configuration_issue",
    "deploy_regression": "product_defect",
    "open_incident": "incident",
    "integration_outage": "incident",
    "user_deleted_data": "expected_behavior",
}
CAUSES: tuple[str, ...] = tuple(CAUSE_CLASSES)
# Families of tickets a pack holds: every cause, plus the two that have no cause.
FAMILIES: tuple[str, ...] = (*CAUSES, "needs_info", "unclear")

IDENTITY_CHECK = "identity.requester_membership"
# cause -> the checks that confirm it (docs/WORLD.md "Where each family's proof lives").
CONFIRMING_CHECKS: dict[str, tuple[str, ...]] = {
    "plan_limit": ("account.plan_limits", "events.rejected_actions"),
    "missing_permission": ("users.role_permissions", "changes.role_changes"),
    "feature_flag_off": ("account.feature_flags",),
    "sso_config_change": ("changes.recent_config_changes", "logs.auth_failures"),
    "api_key_expired": ("changes.api_key_status", "logs.auth_failures"),
    "rate_limited": ("logs.rate_limits", "account.plan_limits"),
    "documented_delay": ("behaviours.documented_behaviour", "events.processing_delays"),
    "wrong_workspace": ("events.workspace_activity",),
    "deploy_regression": ("changes.recent_deploys", "logs.error_spike"),
    "open_incident": ("incidents.open_incidents", "logs.error_spike"),
    "integration_outage": ("incidents.open_incidents", "logs.integration_errors"),
    "user_deleted_data": ("events.deletions",),
}
CHECK_NAMES: frozenset[str] = frozenset(
    {IDENTITY_CHECK, *(check for checks in CONFIRMING_CHECKS.values() for check in checks)}
)
MISSING_FIELDS: tuple[str, ...] = ("workspace_id", "time_window", "error_details", "action")
IDENTIFIER_FIELDS: tuple[str, ...] = (
    "account_id",
    "workspace_id",
    "user_id",
    "user_email",
    "request_id",
    "error_code",
    "integration",
    "api_key_prefix",
    "dashboard_id",
    "export_id",
)


@cache
def _routing() -> dict[str, Any]:
    from domains import DEFAULT_DOMAIN

    routing: dict[str, Any] = yaml.safe_load((DEFAULT_DOMAIN / "domain.yaml").read_text(encoding="utf-8"))[
        "routing"
    ]
    return routing


def route_queue_for(decision: str, cause: str | None) -> str:
    """The queue the shipped routing table gives a case: the cause's override, else its class's."""
    routing = _routing()
    override = routing.get("causes", {}).get(cause) if cause else None
    if override:
        return str(override["queue"])
    return str(routing["classes"][decision]["queue"])
