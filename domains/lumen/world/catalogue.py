"""Facts about the demo product, Lumen Analytics, that the world generator builds on.

Plans, limits, feature flags, roles, user actions, error codes and documented behaviours
live here once, so that the world rows and the ticket language tell the same story.
"""

from __future__ import annotations

from dataclasses import dataclass

PLANS: tuple[str, ...] = ("free", "team", "business", "enterprise")
PLAN_LIMITS: dict[str, dict[str, int]] = {
    "free": {"exports_per_day": 5, "seats": 3, "dashboards": 3, "api_calls_per_hour": 100, "workspaces": 1},
    "team": {
        "exports_per_day": 20,
        "seats": 10,
        "dashboards": 25,
        "api_calls_per_hour": 1000,
        "workspaces": 3,
    },
    "business": {
        "exports_per_day": 100,
        "seats": 50,
        "dashboards": 200,
        "api_calls_per_hour": 5000,
        "workspaces": 10,
    },
    "enterprise": {
        "exports_per_day": 500,
        "seats": 500,
        "dashboards": 1000,
        "api_calls_per_hour": 20000,
        "workspaces": 50,
    },
}
# How a reply names a limit: "20 exports per day".
LIMIT_UNITS: dict[str, str] = {
    "exports_per_day": "exports per day",
    "seats": "seats",
    "dashboards": "dashboards",
    "api_calls_per_hour": "API calls per hour",
    "workspaces": "workspaces",
}

FEATURES: tuple[str, ...] = (
    "api_access",
    "scheduled_exports",
    "alerts",
    "sso",
    "advanced_charts",
    "audit_log",
    "embedded_dashboards",
)
PLAN_FEATURES: dict[str, frozenset[str]] = {
    "free": frozenset(),
    "team": frozenset({"api_access", "scheduled_exports", "alerts"}),
    "business": frozenset(
        {"api_access", "scheduled_exports", "alerts", "sso", "advanced_charts", "audit_log"}
    ),
    "enterprise": frozenset(FEATURES),
}

ROLES: tuple[str, ...] = ("viewer", "analyst", "editor", "admin", "owner")
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}

COMPONENTS: tuple[str, ...] = (
    "dashboards",
    "exports",
    "ingest",
    "auth",
    "api-gateway",
    "scheduler",
    "billing",
    "integrations",
)
INTEGRATIONS: tuple[str, ...] = ("salesforce", "slack", "snowflake", "hubspot", "bigquery")
INTEGRATION_LABELS: dict[str, str] = {
    "salesforce": "Salesforce",
    "slack": "Slack",
    "snowflake": "Snowflake",
    "hubspot": "HubSpot",
    "bigquery": "BigQuery",
}


@dataclass(frozen=True)
class Action:
    """Something a user does in Lumen: the event it leaves, the route it calls, what it needs."""

    key: str
    component: str
    event_type: str
    method: str
    route: str
    min_role: str
    feature: str | None = None
    limit: str | None = None
    via_api_key: bool = False
    object_kind: str | None = None  # dashboard | export | integration


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action(
            "export_csv",
            "exports",
            "export.created",
            "POST",
            "/v2/exports",
            "analyst",
            None,
            "exports_per_day",
            object_kind="export",
        ),
        Action(
            "download_export",
            "exports",
            "export.downloaded",
            "GET",
            "/v2/exports/{id}/download",
            "analyst",
            object_kind="export",
        ),
        Action(
            "create_dashboard",
            "dashboards",
            "dashboard.created",
            "POST",
            "/v2/dashboards",
            "editor",
            None,
            "dashboards",
            object_kind="dashboard",
        ),
        Action(
            "edit_dashboard",
            "dashboards",
            "dashboard.updated",
            "PATCH",
            "/v2/dashboards/{id}",
            "editor",
            object_kind="dashboard",
        ),
        Action(
            "share_dashboard",
            "dashboards",
            "dashboard.shared",
            "POST",
            "/v2/dashboards/{id}/share",
            "editor",
            object_kind="dashboard",
        ),
        Action(
            "view_dashboard",
            "dashboards",
            "dashboard.viewed",
            "GET",
            "/v2/dashboards/{id}",
            "viewer",
            object_kind="dashboard",
        ),
        Action("run_query", "dashboards", "query.run", "POST", "/v2/queries", "analyst"),
        Action(
            "schedule_export",
            "scheduler",
            "export.scheduled",
            "POST",
            "/v2/exports/schedules",
            "editor",
            "scheduled_exports",
            object_kind="export",
        ),
        Action("create_alert", "scheduler", "alert.created", "POST", "/v2/alerts", "editor", "alerts"),
        Action(
            "embed_dashboard",
            "dashboards",
            "dashboard.embedded",
            "POST",
            "/v2/dashboards/{id}/embed",
            "editor",
            "embedded_dashboards",
            object_kind="dashboard",
        ),
        Action(
            "funnel_chart", "dashboards", "chart.created", "POST", "/v2/charts", "editor", "advanced_charts"
        ),
        Action("view_audit_log", "auth", "audit_log.viewed", "GET", "/v2/audit-log", "admin", "audit_log"),
        Action(
            "invite_user", "auth", "user.invited", "POST", "/v2/users/invitations", "admin", None, "seats"
        ),
        Action(
            "create_workspace",
            "auth",
            "workspace.created",
            "POST",
            "/v2/workspaces",
            "admin",
            None,
            "workspaces",
        ),
        Action(
            "connect_integration",
            "integrations",
            "integration.connected",
            "POST",
            "/v2/integrations/{name}",
            "admin",
            object_kind="integration",
        ),
        Action(
            "sync_integration",
            "integrations",
            "integration.synced",
            "POST",
            "/v2/integrations/{name}/sync",
            "editor",
            object_kind="integration",
        ),
        Action(
            "api_call",
            "api-gateway",
            "api.request",
            "GET",
            "/v2/dashboards",
            "viewer",
            "api_access",
            via_api_key=True,
        ),
        Action(
            "ingest_events",
            "ingest",
            "ingest.batch",
            "POST",
            "/v2/events/batch",
            "viewer",
            "api_access",
            via_api_key=True,
        ),
        Action("login_sso", "auth", "login", "POST", "/auth/sso/acs", "viewer", "sso"),
        Action("login_password", "auth", "login", "POST", "/auth/login", "viewer"),
        Action("view_usage", "billing", "billing.usage_viewed", "GET", "/v2/billing/usage", "admin"),
    )
}

# code -> (HTTP status, message the product shows)
ERRORS: dict[str, tuple[int, str]] = {
    "PLAN_LIMIT_REACHED": (403, "You have reached the limit of your plan"),
    "PERMISSION_DENIED": (403, "You don't have permission to perform this action"),
    "FEATURE_DISABLED": (403, "This feature is not enabled for your account"),
    "SSO_ASSERTION_INVALID": (401, "Single sign-on failed: the SAML assertion could not be validated"),
    "API_KEY_EXPIRED": (401, "The API key has expired"),
    "API_KEY_REVOKED": (401, "The API key has been revoked"),
    "RATE_LIMITED": (429, "Too many requests, slow down"),
    "INTERNAL_ERROR": (500, "Something went wrong. Please try again later"),
    "SERVICE_UNAVAILABLE": (503, "The service is temporarily unavailable"),
    "GATEWAY_TIMEOUT": (504, "The request timed out"),
    "UPSTREAM_UNAVAILABLE": (502, "The connected service is not responding"),
    "NOT_FOUND": (404, "Not found"),
    "VALIDATION_ERROR": (400, "The request is invalid"),
    "SESSION_EXPIRED": (401, "Your session has expired, please sign in again"),
    "CONFLICT": (409, "The resource was modified by someone else"),
    "INVALID_CREDENTIALS": (401, "Wrong email or password"),
}
HTTP_REASONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Behaviour:
    """A documented behaviour; `delay_*` fields describe the processing delay it explains."""

    behaviour_id: str
    title: str
    text: str
    answer_point: str | None = None
    action: str | None = None
    event_type: str | None = None
    bound_minutes: int = 0
    component: str | None = None


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "beh_scheduled_exports_hourly",
        "Scheduled exports are delivered by the hourly scheduler",
        "Scheduled exports are queued and delivered by the hourly scheduler run, so a scheduled "
        "export can arrive up to 60 minutes after its scheduled time.",
        "60 minutes",
        "schedule_export",
        "export.scheduled_run",
        60,
        "scheduler",
    ),
    Behaviour(
        "beh_ingest_freshness",
        "Ingested events become queryable within 2 hours",
        "Events sent to the ingest API are processed in batches; new data can take up to 2 hours "
        "to appear in dashboards and queries.",
        "2 hours",
        "ingest_events",
        "ingest.batch",
        120,
        "ingest",
    ),
    Behaviour(
        "beh_dashboard_cache",
        "Dashboard tiles are cached for 15 minutes",
        "Dashboard tiles are served from a cache that refreshes every 15 minutes; the Refresh "
        "button forces an update.",
        "15 minutes",
        "view_dashboard",
        "dashboard.refresh",
        15,
        "dashboards",
    ),
    Behaviour(
        "beh_crm_sync_interval",
        "CRM integrations sync every 6 hours",
        "Salesforce and HubSpot syncs run every 6 hours; records changed in the CRM appear in "
        "Lumen after the next sync.",
        "6 hours",
        "sync_integration",
        "integration.synced",
        360,
        "integrations",
    ),
    Behaviour(
        "beh_usage_daily",
        "Usage figures are recomputed once a day",
        "Usage and billing figures are recomputed once every 24 hours, at 02:00 UTC.",
        "24 hours",
        "view_usage",
        "billing.usage_recomputed",
        1440,
        "billing",
    ),
    Behaviour(
        "beh_large_exports",
        "Large exports are processed in the background",
        "Exports larger than 1 million rows are processed in the background and can take up to "
        "30 minutes before the download link is ready.",
        "30 minutes",
        "export_csv",
        "export.created",
        30,
        "exports",
    ),
    Behaviour(
        "beh_daily_limits_reset",
        "Daily plan limits reset at midnight UTC",
        "Daily limits such as exports per day count from 00:00 UTC and reset at midnight UTC. "
        "Upgrading the plan raises the limit immediately.",
    ),
    Behaviour(
        "beh_api_rate_limits",
        "API calls are rate limited per account",
        "API calls are limited per account per hour according to the plan; requests over the "
        "limit receive HTTP 429 with a Retry-After header.",
    ),
    Behaviour(
        "beh_api_key_expiry",
        "API keys expire after 365 days",
        "API keys expire 365 days after creation unless rotated; an admin can revoke a key at any "
        "time and revoked keys stop working immediately.",
    ),
    Behaviour(
        "beh_deleted_objects",
        "Deleted dashboards and exports",
        "Dashboards and exports deleted by a user disappear immediately for everyone in the "
        "workspace; support can restore them within 30 days.",
    ),
    Behaviour(
        "beh_sso_enforced",
        "Enforced SSO disables password login",
        "When SSO is enforced, members must sign in through the identity provider; a change to "
        "the IdP certificate or entity id must be made on both sides.",
    ),
    Behaviour(
        "beh_invites_expire",
        "Invitations expire after 7 days",
        "Invitations to join a workspace expire after 7 days and can be re-sent by an admin.",
    ),
)
DELAY_BEHAVIOURS: tuple[Behaviour, ...] = tuple(b for b in BEHAVIOURS if b.answer_point)
