"""Lumen's own checks (code_checks of this domain), registered under their WORLD.md names.

A check reads through `CaseContext` (always scoped to the verified account), reasons over a
family of signals — HTTP status classes, error-code families, event outcome and reason, change
kinds, time proximity to the ticket window, the same component — and returns a `Finding`
relative to the hypothesis it was run for (whose `attributes` say what varies by cause). It
never phrase-matches one ticket. Rows carry this product's own columns (`ts`, `user_id`,
`service`, `route`, …); the engine adds the logical ones.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.investigator.context import (
    HOUR,
    CaseContext,
    code_of,
    details_of,
    peak_per_window,
    status_of,
    when,
)
from services.investigator.finding import CheckFn, Finding, HypothesisLike
from services.investigator.signals import stem, stems_of

CHECKS: dict[str, CheckFn] = {}
TRIAGE_CHECK = "events.recent_outcomes"


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


def attribute(hyp: HypothesisLike | None, name: str) -> Any:
    return hyp.attributes.get(name) if hyp is not None else None


def role_rank(ctx: CaseContext, role: object) -> int:
    return ctx.signals.lexicon.role_rank(role)


# --- families -----------------------------------------------------------------------------

REJECTED = frozenset({"rejected", "denied", "blocked", "failed", "error"})
DELAYED = frozenset({"queued", "delayed", "pending", "scheduled", "waiting"})
SUCCEEDED = frozenset({"succeeded", "success", "completed", "ok", "delivered"})
PERMISSION_REASONS = frozenset({"permission", "role", "forbidden"})
PLAN_REASONS = frozenset({"plan_limit", "quota", "quota_exceeded", "limit_reached", "limit"})
AUTH_TARGETS = ("sso", "saml", "idp", "oidc", "scim", "mfa", "password", "auth", "login")
SERVER_ERROR = range(500, 600)
UPSTREAM_STATUSES = frozenset({502, 503, 504})
DURATION = re.compile(
    r"(?:up to|within|every|after|about|around)?\s*(\d+)\s*(minutes?|mins?|hours?|hrs?|h)\b"
)
# Minimum role an action needs when the events do not say (object word → role).
ACTION_ROLES = {
    "view": "viewer",
    "export": "analyst",
    "query": "analyst",
    "dashboard": "editor",
    "edit": "editor",
    "schedul": "editor",
    "integration": "admin",
    "invit": "admin",
    "user": "admin",
    "api": "admin",
    "setting": "admin",
    "workspac": "admin",
    "billing": "owner",
    "plan": "owner",
}


def _reason(row: dict[str, Any]) -> str:
    return str(details_of(row).get("reason") or "").lower()


def _outcome(row: dict[str, Any]) -> str:
    return str(row.get("outcome") or "").lower()


def _value(raw: Any, key: str) -> str:
    """A field of a change's before/after, which may be a scalar or an object."""
    if isinstance(raw, dict):
        for name in (key, "status", "value", "state"):
            if name in raw:
                return str(raw[name])
        return ""
    return "" if raw is None else str(raw)


def _number(raw: Any) -> int | None:
    try:
        return int(float(str(raw)))
    except (TypeError, ValueError):
        return None


def _span(rows: list[dict[str, Any]], column: str = "ts") -> str:
    times = [r[column] for r in rows if isinstance(r.get(column), datetime)]
    if not times:
        return ""
    return f"between {when(min(times))} and {when(max(times))}"


def _component_of(row: dict[str, Any]) -> str:
    return str(row.get("service") or "")


def _top(counter: Counter[str]) -> str:
    return counter.most_common(1)[0][0] if counter else ""


# --- triage -------------------------------------------------------------------------------


def outcome_families(event: dict[str, Any]) -> set[str]:
    """The families an event's outcome belongs to: its outcome when not a success, its reason,
    and `deleted` for a successful deletion."""
    families: set[str] = set()
    outcome, reason = _outcome(event), _reason(event)
    kind = str(event.get("type") or "").lower()
    if outcome not in SUCCEEDED:
        families.add(outcome)
        if reason:
            families.add(reason)
    elif "delete" in kind:
        families.add("deleted")
    return families


@check(TRIAGE_CHECK)
async def recent_outcomes(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    """What the account's own records show around the ticket: outcomes and reasons of the
    actions about the ticket's object, and the error codes of its failed requests. Neutral by
    itself; the investigation uses it to order hypotheses (`ctx.notes['observed']`)."""
    events = await ctx.events(ctx.window_start - ctx.hours("triage_lookback_hours", 24))
    subject_id = ctx.subject.get("user_id")
    relevant = ctx.relevant(events)
    mine = [e for e in relevant if e.get("user_id") == subject_id]
    observed: Counter[str] = Counter()
    for event in mine if any(outcome_families(e) for e in mine) else relevant:
        observed.update(outcome_families(event))
    # Outcomes on the ticket's own object or component only (no fallback to the whole
    # account): what the investigation may treat as pointing at an explanation by itself.
    on_object: Counter[str] = Counter()
    if any(ctx.signals.object_matches(str(e.get("type") or "")) for e in events):
        for event in relevant:
            on_object.update(outcome_families(event))
    logs = await ctx.requests()
    components = {c for c in ctx.signals.components if not c.startswith("integration:")}
    failed = [r for r in logs if (status_of(r) or 0) >= 400 and code_of(r)]
    about = [r for r in failed if _component_of(r) in components]
    observed.update(code_of(r).lower() for r in about or failed)
    on_object.update(code_of(r).lower() for r in about)
    ctx.notes["observed"] = observed
    ctx.notes["observed_on_object"] = on_object
    if not observed:
        return Finding("neutral", "No failed, delayed or deleting actions of the account in the window.")
    ranked = sorted(observed.items(), key=lambda item: (-item[1], item[0]))[:6]
    listed = ", ".join(f"{name} ×{count}" for name, count in ranked)
    return Finding(
        "neutral",
        f"Outcomes recorded for the account around the ticket: {listed}.",
        {"observed": listed},
        customer_safe=False,
    )


# --- account ------------------------------------------------------------------------------


def _limit_from_events(events: list[dict[str, Any]]) -> tuple[str, int | None, int | None]:
    """(limit name, max, used) carried by plan-limit rejections, most recent first."""
    for event in reversed(events):
        details = details_of(event)
        if _reason(event) not in PLAN_REASONS and "used" not in details:
            continue
        name = ""
        maximum = None
        for key in ("limit_name", "limit_key", "limit", "quota"):
            value = details.get(key)
            if isinstance(value, str) and _number(value) is None:
                name = name or value
            elif maximum is None and _number(value) is not None:
                maximum = _number(value)
        maximum = maximum if maximum is not None else _number(details.get("max"))
        return name, maximum, _number(details.get("used"))
    return "", None, None


@check("account.plan_limits")
async def plan_limits(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    account = await ctx.tenant()
    raw_limits = account.get("limits")
    limits: dict[str, Any] = raw_limits if isinstance(raw_limits, dict) else {}
    plan = str(account.get("plan") or "unknown")
    if not limits:
        return Finding("neutral", f"Account {ctx.tenant_id} (plan {plan}) has no recorded limits.")
    if attribute(hyp, "limit") == "rate":
        maximum = _number(limits.get("api_calls_per_hour"))
        if maximum is None:
            return Finding("contradicts", f"Plan {plan} of {ctx.tenant_id} sets no api_calls_per_hour limit.")
        logs = await ctx.requests()
        calls = [
            r["ts"]
            for r in logs
            if str(r.get("route") or "").startswith("/v2") or _component_of(r) == "api-gateway"
        ]
        peak = peak_per_window(calls, HOUR)
        facts = {"limit": "api_calls_per_hour", "max": str(maximum), "plan": plan}
        if peak:
            facts["peak_calls_per_hour_seen"] = str(peak)
        return Finding(
            "supports",
            f"Plan {plan} allows {maximum} API calls per hour; the busiest hour in the window "
            f"shows {peak} logged API requests.",
            facts,
        )
    events = ctx.relevant(await ctx.events())
    rejected = [e for e in events if _outcome(e) in REJECTED and _reason(e) in PLAN_REASONS]
    name, maximum, used = _limit_from_events(rejected)
    if not name:
        best = 0
        for key in limits:
            overlap = len(stems_of(key.replace("_", " ")) & ctx.signals.stems - {"per", "day", "hour"})
            if overlap > best:
                name, best = key, overlap
    if not name or name not in limits:
        return Finding(
            "neutral",
            f"No limit of plan {plan} matches the action; limits: "
            + ", ".join(f"{k}={v}" for k, v in sorted(limits.items())),
        )
    maximum = _number(limits[name])
    if used is None:
        period = (
            timedelta(days=1) if name.endswith("_per_day") else HOUR if name.endswith("_per_hour") else None
        )
        if period is not None:
            done = [
                e["ts"]
                for e in events
                if _outcome(e) in SUCCEEDED and e.get("ts") and e["ts"] >= ctx.window_end - period
            ]
            used = len(done)
    facts = {"limit": name, "max": str(maximum), "plan": plan}
    if used is None or maximum is None:
        return Finding("neutral", f"Plan {plan} sets {name}={maximum}; current usage unknown.", facts)
    facts["used"] = str(used)
    if used >= maximum:
        return Finding("supports", f"Plan {plan} allows {name}={maximum} and {used} are used.", facts)
    return Finding(
        "contradicts", f"Plan {plan} allows {name}={maximum}; only {used} used — limit not reached.", facts
    )


@check("events.rejected_actions")
async def rejected_actions(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    events = ctx.relevant(await ctx.events())
    rejected = [e for e in events if _outcome(e) in REJECTED]
    by_plan = [e for e in rejected if _reason(e) in PLAN_REASONS]
    if by_plan:
        name, maximum, used = _limit_from_events(by_plan)
        action = _top(Counter(str(e.get("type")) for e in by_plan))
        facts = {
            "action": action,
            "rejected_attempts": str(len(by_plan)),
            "last_rejected": when(by_plan[-1]["ts"]),
        }
        if name:
            facts["limit"] = name
        if maximum is not None:
            facts["max"] = str(maximum)
        if used is not None:
            facts["used"] = str(used)
        limit = f" ({name}{f' {used}/{maximum}' if used is not None and maximum is not None else ''})"
        return Finding(
            "supports",
            f"{len(by_plan)} {action} attempts were rejected for the plan limit{limit if name else ''} "
            f"{_span(by_plan)}.",
            facts,
        )
    if rejected:
        reasons = Counter(_reason(e) or "no reason" for e in rejected)
        return Finding(
            "contradicts",
            f"{len(rejected)} attempts were rejected, for other reasons: "
            + ", ".join(f"{r} ×{n}" for r, n in reasons.most_common())
            + ".",
        )
    done = [e for e in events if _outcome(e) in SUCCEEDED]
    if done:
        return Finding("contradicts", f"{len(done)} attempts succeeded and none was rejected in the window.")
    return Finding("neutral", "No attempts of the action in the window.")


@check("account.feature_flags")
async def feature_flags(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    account = await ctx.tenant()
    raw_flags = account.get("flags")
    flags: dict[str, Any] = raw_flags if isinstance(raw_flags, dict) else {}
    events = await ctx.events()
    disabled = [e for e in events if _reason(e) in ("feature_disabled", "feature", "flag_off")]
    logs = await ctx.requests()
    flag_logs = [r for r in logs if "FEATURE" in code_of(r)]
    named = ""
    for event in reversed(disabled):
        details = details_of(event)
        named = str(details.get("feature") or details.get("flag") or "")
        if named:
            break
    overlap = 0
    if not named:
        for flag in flags:
            score = len(stems_of(flag.replace("_", " ")) & ctx.signals.stems)
            if score > overlap or (score == overlap and score and flags[flag] is False):
                named, overlap = flag, score
    if not named or named not in flags:
        return Finding("neutral", f"No feature flag of {ctx.tenant_id} matches the ticket.")
    enabled = bool(flags[named])
    facts = {"feature": named, "flag": named, "enabled": "true" if enabled else "false"}
    if enabled:
        return Finding("contradicts", f"Feature {named} is enabled for {ctx.tenant_id}.", facts)
    blocked = max(len(disabled), len(flag_logs))
    strong = blocked > 0 or overlap >= 2 or any("FEATURE" in c for c in ctx.signals.error_codes)
    if not strong:
        return Finding(
            "neutral",
            f"Feature {named} is off for {ctx.tenant_id}, but no attempt was blocked by it.",
            facts,
        )
    observed = f"Feature {named} is off for {ctx.tenant_id}"
    if blocked:
        observed += f"; {blocked} attempts were rejected as feature_disabled {_span(disabled + flag_logs)}"
        facts["rejected_attempts"] = str(blocked)
    return Finding("supports", observed + ".", facts)


# --- users and roles ----------------------------------------------------------------------


def _required_role(ctx: CaseContext, action: str) -> str | None:
    needed = [role for word, role in ACTION_ROLES.items() if word in stems_of(action.replace(".", " "))]
    return max(needed, key=lambda role: role_rank(ctx, role)) if needed else None


@check("users.role_permissions")
async def role_permissions(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    users = await ctx.members()
    subject_id = ctx.subject.get("user_id")
    user = next((u for u in users if u.get("user_id") == subject_id), ctx.subject)
    role = str(user.get("role") or "unknown")
    events = ctx.relevant(await ctx.events())
    mine = [e for e in events if e.get("user_id") == subject_id]
    denied = [
        e for e in mine if _outcome(e) in REJECTED and _reason(e) in ("permission", "role", "forbidden")
    ]
    facts = {"user": str(user.get("email") or subject_id), "role": role}
    if required_hint := _required_role(ctx, " ".join(ctx.signals.stems & set(ACTION_ROLES))):
        facts["required_role"] = required_hint
    if denied:
        action = str(denied[-1].get("type") or "the action")
        required = str(details_of(denied[-1]).get("required_role") or _required_role(ctx, action) or "")
        facts["action"] = action
        if required:
            facts["required_role"] = required
        needs = f"; it requires {required}" if required else ""
        return Finding(
            "supports",
            f"{facts['user']} has role {role} and was denied {action} {len(denied)} times "
            f"{_span(denied)}{needs}.",
            facts,
        )
    logs = await ctx.requests()
    refused = [
        r
        for r in logs
        if r.get("user_id") == subject_id and status_of(r) == 403 and "PERMISSION" in code_of(r)
    ]
    if refused:
        return Finding(
            "supports",
            f"{facts['user']} has role {role}; {len(refused)} requests were refused with 403 "
            f"PERMISSION_DENIED {_span(refused)}.",
            facts,
        )
    succeeded = [e for e in mine if _outcome(e) in SUCCEEDED]
    needed = _required_role(ctx, " ".join(ctx.signals.stems & set(ACTION_ROLES)))
    if succeeded or (needed and role_rank(ctx, role) >= role_rank(ctx, needed)):
        detail = f"{len(succeeded)} of their attempts succeeded" if succeeded else f"{needed} is enough"
        return Finding(
            "contradicts", f"{facts['user']} has role {role}; {detail}; no permission denials.", facts
        )
    return Finding("neutral", f"{facts['user']} has role {role}; no permission denials in the window.", facts)


def _targets(change: dict[str, Any], *names: str) -> bool:
    target = str(change.get("target") or "")
    return any(name and name in target for name in names)


@check("changes.role_changes")
async def role_changes(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    since = ctx.window_start - ctx.hours("change_lookback_hours", 168)
    changes = [c for c in await ctx.changes(since) if str(c.get("kind")) == "role"]
    subject_id = str(ctx.subject.get("user_id") or "")
    email = str(ctx.subject.get("email") or "")
    mine = [
        c for c in changes if subject_id in str(c.get("target")) or (email and email in str(c.get("target")))
    ]
    for change in reversed(mine):
        before, after = _value(change.get("before"), "role"), _value(change.get("after"), "role")
        if role_rank(ctx, after) < role_rank(ctx, before):
            facts = {
                "user": email or subject_id,
                "role_before": before,
                "role_after": after,
                "changed_at": when(change.get("ts")),
            }
            return Finding(
                "supports",
                f"Role of {email or subject_id} changed from {before} to {after} on "
                f"{when(change.get('ts'))} by {change.get('actor') or 'an admin'}.",
                facts,
            )
    return Finding("neutral", f"No role downgrade of {email or subject_id} since {when(since)}.")


# --- configuration changes ----------------------------------------------------------------


def _auth_failures(logs: list[dict[str, Any]], auth: str) -> list[dict[str, Any]]:
    out = []
    for row in logs:
        status, code, service = status_of(row), code_of(row), _component_of(row)
        if status not in (401, 403) or "PERMISSION" in code or "FEATURE" in code or "LIMIT" in code:
            continue
        if (auth == "sso" and (service == "auth" or any(p in code for p in ("SSO", "SAML", "IDP")))) or (
            auth == "api_key" and (service == "api-gateway" or any(p in code for p in ("API_KEY", "TOKEN")))
        ):
            out.append(row)
    return out


@check("changes.recent_config_changes")
async def recent_config_changes(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    since = ctx.window_start - ctx.hours("lookback_hours", 72)
    changes = [
        c
        for c in await ctx.changes(since)
        if str(c.get("kind")) == "config"
        and any(word in str(c.get("target") or "").lower() for word in AUTH_TARGETS)
        and not str(c.get("target") or "").lower().startswith("api_key")
    ]
    if not changes:
        return Finding(
            "contradicts",
            f"No SSO or authentication configuration change on {ctx.tenant_id} since {when(since)}.",
        )
    failures = _auth_failures(await ctx.requests(), "sso")
    first_failure = min((f["ts"] for f in failures), default=None)
    before = [c for c in changes if first_failure is None or c["ts"] <= first_failure]
    if not before:
        return Finding(
            "contradicts",
            f"The authentication change of {when(changes[0]['ts'])} came after sign-in failures began "
            f"({when(first_failure)}).",
        )
    change = before[-1]
    fields = changed_fields(change.get("before"), change.get("after"))
    facts = {
        "setting": ", ".join(fields) if fields else str(change.get("target")),
        "changed_at": when(change.get("ts")),
        "changed_by": str(change.get("actor") or ""),
    }
    gap = ""
    if first_failure is not None:
        minutes = int((first_failure - change["ts"]).total_seconds() // 60)
        gap = f"; sign-in failures began {minutes} min later"
        facts["failures_began"] = when(first_failure)
    what = f"{change.get('target')} ({', '.join(fields)})" if fields else str(change.get("target"))
    return Finding(
        "supports",
        f"{what} was changed on {when(change.get('ts'))} by {change.get('actor') or 'an admin'}{gap}.",
        facts,
    )


def changed_fields(before: Any, after: Any) -> list[str]:
    """The names of the settings a configuration change altered (before/after as objects or JSON)."""
    old, new = _as_mapping(before), _as_mapping(after)
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def _as_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, dict) else {}


@check("changes.api_key_status")
async def api_key_status(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    since = ctx.window_start - ctx.hours("deletion_lookback_hours", 720)
    prefix = ctx.signals.identifiers.get("api_key_prefix", "")
    keys = [c for c in await ctx.changes(since) if str(c.get("target") or "").lower().startswith("api_key")]
    if prefix:
        keys = [c for c in keys if prefix in str(c.get("target"))]
    dead = [c for c in keys if _value(c.get("after"), "status").lower() in ("revoked", "expired")]
    if dead:
        change = dead[-1]
        key = str(change.get("target")).split(":", 1)[-1]
        status = _value(change.get("after"), "status").lower()
        return Finding(
            "supports",
            f"API key {key} was {status} on {when(change.get('ts'))}"
            + (f" by {change.get('actor')}" if change.get("actor") else "")
            + ".",
            {"api_key_prefix": key, "status": status, "changed_at": when(change.get("ts"))},
        )
    what = f"API key {prefix}" if prefix else "any API key"
    return Finding(
        "contradicts", f"No revocation or expiry of {what} on {ctx.tenant_id} since {when(since)}."
    )


# --- logs ---------------------------------------------------------------------------------


@check("logs.auth_failures")
async def auth_failures(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    logs = await ctx.requests()
    auth = str(attribute(hyp, "auth") or "")
    failures = _auth_failures(logs, auth)
    if auth == "sso" and not failures:
        events = await ctx.events()
        failures = [
            e for e in events if str(e.get("type")).startswith(("login", "sso")) and _outcome(e) == "failed"
        ]
    if failures:
        codes = Counter(code_of(f) or "login failed" for f in failures)
        code = _top(codes)
        return Finding(
            "supports",
            f"{len(failures)} requests failed authentication ({code}) {_span(failures)}.",
            {
                "error_code": code,
                "count": str(len(failures)),
                "failures": str(len(failures)),
                "first_seen": when(failures[0].get("ts")),
            },
        )
    other = Counter(code_of(r) for r in logs if status_of(r) == 401)
    if other:
        return Finding("contradicts", f"401s in the window are of another kind: {', '.join(other)}.")
    if logs:
        return Finding("contradicts", f"No authentication failures among {len(logs)} requests in the window.")
    return Finding("neutral", "No requests logged for the account in the window.")


@check("logs.rate_limits")
async def rate_limits(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    logs = await ctx.requests()
    limited = [r for r in logs if status_of(r) == 429 or "RATE" in code_of(r) or "THROTTL" in code_of(r)]
    if limited:
        peak = peak_per_window([r["ts"] for r in limited], timedelta(minutes=1))
        return Finding(
            "supports",
            f"{len(limited)} requests were answered 429 {_top(Counter(code_of(r) for r in limited))} "
            f"{_span(limited)} (peak {peak} per minute).",
            {
                "status": "429",
                "error_code": _top(Counter(code_of(r) for r in limited)) or "RATE_LIMITED",
                "count": str(len(limited)),
                "rate_limited_requests": str(len(limited)),
                "peak_per_minute": str(peak),
                "first_seen": when(limited[0].get("ts")),
            },
        )
    if logs:
        return Finding("contradicts", f"None of {len(logs)} requests in the window was rate limited.")
    return Finding("neutral", "No requests logged for the account in the window.")


def _blob_of(row: dict[str, Any]) -> str:
    return f"{_component_of(row)} {row.get('route') or ''} {row.get('message') or ''}".lower()


def _is_upstream(row: dict[str, Any]) -> bool:
    """A failure of a third party (`integration:<name>`, UPSTREAM_* codes). Our own
    `integrations` service failing with a 500 is our bug, not the third party's."""
    return code_of(row).startswith("UPSTREAM") or _component_of(row).startswith("integration:")


def _server_errors(logs: list[dict[str, Any]], include_upstream: bool) -> list[dict[str, Any]]:
    return [
        r for r in logs if (status_of(r) or 0) in SERVER_ERROR and (include_upstream or not _is_upstream(r))
    ]


def affected_components(ctx: CaseContext, errors: list[dict[str, Any]]) -> list[str]:
    named = [c for c in ctx.signals.components if not c.startswith("integration:")]
    seen = Counter(_component_of(r) for r in errors)
    # most errors first, ties by name: the same case reads the same in every process
    if named:
        return sorted(named, key=lambda c: (-seen.get(c, 0), c))
    return sorted(seen, key=lambda c: (-seen[c], c))


def _is_bug(row: dict[str, Any]) -> bool:
    """A 500-class failure of our own code (not availability 502/503/504, not upstream)."""
    status = status_of(row) or 0
    if _is_upstream(row):
        return False
    return status == 500 or (status in SERVER_ERROR and "INTERNAL" in code_of(row))


@check("logs.error_spike")
async def error_spike(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    """Server errors of the account on the affected component in the window: a rise when at
    least `spike_min_errors` requests failed and they are not a trickle in heavy traffic."""
    # Customers approximate when a failure began: look a little before the stated window.
    logs = await ctx.requests(ctx.window_start - ctx.hours("error_lookback_hours", 6))
    errors = _server_errors(logs, include_upstream=attribute(hyp, "errors") == "availability")
    components = affected_components(ctx, errors)
    if not logs:
        return Finding("neutral", "No requests logged for the account in the window.")
    least = int(ctx.settings.get("spike_min_errors", 2))
    for component in components:
        hits = [r for r in errors if _serves(ctx, r, component)]
        total = sum(1 for r in logs if _serves(ctx, r, component))
        if len(hits) >= least and (len(hits) >= 10 or len(hits) / max(total, 1) >= 0.05):
            code = _top(Counter(code_of(r) for r in hits))
            status = _top(Counter(str(status_of(r)) for r in hits))
            peak = peak_per_window([r["ts"] for r in hits], HOUR)
            ctx.notes["spike_component"] = component
            ctx.notes["spike_start"] = hits[0]["ts"]
            return Finding(
                "supports",
                f"{len(hits)} of {total} requests to {component} failed with {status} {code} "
                f"{_span(hits)} (peak {peak} in one hour).",
                {
                    "component": component,
                    "status": status,
                    "error_code": code,
                    "count": str(len(hits)),
                    "failed_requests": str(len(hits)),
                    "errors_since": when(hits[0]["ts"]),
                },
            )
    where = ", ".join(components) or "any component"
    return Finding(
        "contradicts",
        f"No rise of server errors on {where}: {len(errors)} 5xx among {len(logs)} requests in the window.",
    )


@check("logs.integration_errors")
async def integration_errors(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    logs = await ctx.requests()
    names = ctx.signals.integrations

    def about(row: dict[str, Any]) -> str:
        blob = f"{_component_of(row)} {row.get('route') or ''} {row.get('message') or ''}".lower()
        for name in names or ("salesforce", "slack", "snowflake", "hubspot", "bigquery"):
            if name in blob:
                return name
        # A failure of an unnamed integration says nothing about the one the ticket names.
        return "integration" if not names and "integration" in blob else ""

    traffic = [r for r in logs if about(r)]
    upstream = [
        r for r in traffic if (status_of(r) in UPSTREAM_STATUSES) or code_of(r).startswith("UPSTREAM")
    ]
    if upstream:
        name = _top(Counter(about(r) for r in upstream))
        code = _top(Counter(code_of(r) for r in upstream))
        return Finding(
            "supports",
            f"{len(upstream)} calls to {name} failed with {status_of(upstream[-1])} {code} "
            f"{_span(upstream)}.",
            {
                "integration": name,
                "error_code": code,
                "count": str(len(upstream)),
                "failed_calls": str(len(upstream)),
                "first_seen": when(upstream[0].get("ts")),
            },
        )
    if traffic:
        other = Counter(f"{status_of(r)} {code_of(r)}".strip() for r in traffic if (status_of(r) or 0) >= 400)
        kind = f"; errors seen: {', '.join(other)}" if other else ""
        return Finding(
            "contradicts", f"{len(traffic)} integration calls in the window, none failed upstream{kind}."
        )
    return Finding("neutral", "No integration traffic logged for the account in the window.")


# --- documented behaviour and events ------------------------------------------------------

_DELAY_WORDS = frozenset(
    stem(w)
    for w in (
        "delay",
        "hourly",
        "hour",
        "minute",
        "schedule",
        "queue",
        "fresh",
        "freshness",
        "batch",
        "interval",
        "latency",
    )
)
_GENERIC = frozenset(
    stem(w)
    for w in (
        "the",
        "and",
        "for",
        "are",
        "our",
        "not",
        "data",
        "with",
        "your",
        "that",
        "this",
        "from",
        "have",
        "will",
        "can",
        "after",
    )
)


def _bound_seconds(text: str) -> int | None:
    bounds = []
    for amount, unit in DURATION.findall(text.lower()):
        seconds = int(amount) * (60 if unit.startswith("m") else 3600)
        bounds.append(seconds)
    if not bounds and "hourly" in text.lower():
        bounds.append(3600)
    return max(bounds) if bounds else None


def _linked_behaviours(events: list[dict[str, Any]]) -> Counter[str]:
    """Behaviours the account's own queued or delayed runs cite (`details.behaviour_id`)."""
    return Counter(
        str(details_of(e).get("behaviour_id"))
        for e in events
        if _outcome(e) in DELAYED and details_of(e).get("behaviour_id")
    )


@check("behaviours.documented_behaviour")
async def documented_behaviour(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    """The documented behaviour that explains a delay: the one the account's own delayed runs
    on the ticket's object cite, else the delay behaviour sharing most words with the ticket."""
    behaviours = await ctx.behaviours()
    events = await ctx.events(ctx.window_start - ctx.hours("lookback_hours", 24) / 3)
    on_object = [e for e in events if ctx.signals.object_matches(str(e.get("type") or ""))]
    linked = _linked_behaviours(on_object) or _linked_behaviours(events)
    best: tuple[int, dict[str, Any]] | None = None
    for behaviour in behaviours:
        if linked and str(behaviour.get("behaviour_id")) in linked:
            count = linked[str(behaviour.get("behaviour_id"))]
            if best is None or 1000 + count > best[0]:
                best = (1000 + count, behaviour)
            continue
        text = f"{behaviour.get('title') or ''} {behaviour.get('text') or ''}"
        words = stems_of(text) - _GENERIC
        if not words & _DELAY_WORDS:
            continue
        overlap = len({w for w in words & ctx.signals.stems if len(w) >= 4} - _DELAY_WORDS)
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, behaviour)
    if best is None:
        return Finding(
            "contradicts", "No documented behaviour describes a delay for what the ticket is about."
        )
    behaviour = best[1]
    bound = _bound_seconds(f"{behaviour.get('title') or ''} {behaviour.get('text') or ''}")
    facts = {
        "behaviour_id": str(behaviour.get("behaviour_id")),
        "documented": str(behaviour.get("title")),
        "text": str(behaviour.get("text") or behaviour.get("title") or ""),
    }
    if bound:
        ctx.notes["delay_bound_s"] = bound
        facts["documented_bound_minutes"] = str(bound // 60)
    return Finding(
        "supports",
        f"Documented behaviour {behaviour.get('behaviour_id')}: {behaviour.get('title')}. "
        f"{behaviour.get('text') or ''}".strip(),
        facts,
    )


# Ids in a run's details that name what governs or surrounds the run, not the run's object.
_CONTEXT_IDS = frozenset({"behaviour_id", "account_id", "workspace_id", "user_id", "request_id"})


def _object_key(event: dict[str, Any]) -> str:
    details = details_of(event)
    for key, value in sorted(details.items()):
        if key.endswith("_id") and key not in _CONTEXT_IDS and value:
            return f"{key}={value}"
    return str(event.get("type") or "").split(".")[0]


@check("events.processing_delays")
async def processing_delays(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    events = ctx.relevant(await ctx.events(ctx.window_start - ctx.hours("lookback_hours", 24) / 3))
    bound = int(ctx.notes.get("delay_bound_s") or 2 * 3600)
    waiting: dict[str, datetime] = {}
    bounds: dict[str, int] = {}
    delays: list[float] = []
    late: list[str] = []
    broken: set[int] = set()
    for event in events:
        key, outcome = _object_key(event), _outcome(event)
        if outcome in DELAYED:
            waiting.setdefault(key, event["ts"])
            # A run states the documented bound it is held to when the product records it.
            stated = _number(details_of(event).get("documented_bound_minutes"))
            bounds[key] = stated * 60 if stated else bound
        elif key in waiting and (outcome in SUCCEEDED or outcome in REJECTED):
            started = waiting.pop(key)
            delay = (event["ts"] - started).total_seconds()
            if outcome in REJECTED or delay > bounds.get(key, bound):
                late.append(f"{key} {outcome} after {int(delay // 60)} min")
                broken.add(bounds.get(key, bound))
            else:
                delays.append(delay)
    for key, started in waiting.items():
        if (ctx.window_end - started).total_seconds() > bounds.get(key, bound):
            late.append(
                f"{key} still waiting after {int((ctx.window_end - started).total_seconds() // 60)} min"
            )
            broken.add(bounds.get(key, bound))
    if late:
        # The bound the late runs were held to (their own when stated), not the generic one.
        held = min(broken, default=bound)
        return Finding(
            "contradicts",
            f"Beyond the documented {held // 60} min: " + "; ".join(late[:5]) + ".",
            {"documented_bound_minutes": str(held // 60)},
        )
    if delays or waiting:
        longest = int(max(delays, default=0) // 60)
        held = max(bounds.values(), default=bound) // 60
        return Finding(
            "supports",
            f"{len(delays)} delayed runs completed within {longest} min (documented bound {held} min)"
            + (f"; {len(waiting)} still queued within the bound" if waiting else "")
            + ".",
            {
                "completed_runs": str(len(delays)),
                "longest_delay_minutes": str(longest),
                "documented_bound_minutes": str(held),
            },
        )
    return Finding("neutral", "No queued or delayed runs in the window.")


@check("events.workspace_activity")
async def workspace_activity(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    workspaces = {str(w.get("workspace_id")): str(w.get("name") or "") for w in await ctx.scopes()}
    named = ctx.scope_id
    if named is None:
        for ws_id, name in workspaces.items():
            if name and re.search(rf"\b{re.escape(name.lower())}\b", ctx.signals.text):
                named = ws_id
                break
    if named is None:
        return Finding("neutral", "The ticket names no workspace to compare with.")
    events = await ctx.events(ctx.window_start - ctx.hours("triage_lookback_hours", 24))
    objects = [v for k, v in ctx.signals.identifiers.items() if k in ("dashboard_id", "export_id")]
    # Objects the account failed to find in the named workspace are the ones the ticket is about.
    for event in events:
        if event.get("workspace_id") == named and _reason(event) == "not_found":
            objects += [str(v) for k, v in details_of(event).items() if k.endswith("_id") and v]
    objects = list(dict.fromkeys(objects))
    ticket_ws = f"{workspaces.get(named, named)} ({named})"
    for obj in objects:
        homes = [
            e
            for e in events
            if obj in _blob(e) and _outcome(e) in SUCCEEDED and e.get("workspace_id") not in (None,)
        ]
        if not homes:
            continue
        if any(e.get("workspace_id") == named for e in homes):
            return Finding(
                "contradicts", f"{obj} was created or used in {ticket_ws} itself.", {"object": obj}
            )
        other = str(homes[0].get("workspace_id"))
        actual = f"{workspaces.get(other, other)} ({other})"
        # the name the customer knows it by, where the product recorded one
        known_as = [str(d.get("name") or d.get("title") or "") for d in map(details_of, homes)]
        shown = next((f"{name} ({obj})" for name in known_as if name), obj)
        return Finding(
            "supports",
            f"{obj} lives in workspace {actual} ({homes[0].get('type')} on {when(homes[0].get('ts'))}), "
            f"not in {ticket_ws}.",
            {"object": shown, "actual_workspace": actual, "ticket_workspace": ticket_ws},
        )
    subject_id = ctx.subject.get("user_id")
    mine = ctx.relevant([e for e in events if e.get("user_id") == subject_id])
    here = [e for e in mine if e.get("workspace_id") == named]
    elsewhere = Counter(
        str(e.get("workspace_id")) for e in mine if e.get("workspace_id") not in (None, named)
    )
    user = str(ctx.subject.get("email") or subject_id)
    if elsewhere and not here:
        other = _top(elsewhere)
        return Finding(
            "supports",
            f"{user}'s {sum(elsewhere.values())} recent actions happened in workspace "
            f"{workspaces.get(other, other)} ({other}), none in {workspaces.get(named, named)} ({named}).",
            {
                "actual_workspace": f"{workspaces.get(other, other)} ({other})",
                "ticket_workspace": ticket_ws,
            },
        )
    if here:
        return Finding(
            "contradicts", f"{user} acted {len(here)} times in {workspaces.get(named, named)} ({named})."
        )
    return Finding("neutral", f"No activity of {user} in the window.")


def _blob(event: dict[str, Any]) -> str:
    return " ".join(str(v) for v in details_of(event).values())


@check("events.deletions")
async def deletions(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    since = ctx.window_start - ctx.hours("deletion_lookback_hours", 720)
    events = await ctx.events(since)
    deleted = [e for e in events if "delete" in str(e.get("type") or "").lower() and _outcome(e) in SUCCEEDED]
    objects = [
        v
        for k, v in ctx.signals.identifiers.items()
        if k.endswith("_id") and k not in ("account_id", "user_id", "request_id", "workspace_id")
    ]
    if objects:
        hits = [
            e for e in deleted if any(obj in " ".join(map(str, details_of(e).values())) for obj in objects)
        ]
    else:
        hits = [e for e in deleted if ctx.signals.object_matches(str(e.get("type") or ""))]
    if hits:
        event = hits[-1]
        who = await ctx.member_label(event.get("user_id"))
        details = details_of(event)
        label = next(
            (str(v) for k, v in sorted(details.items()) if k.endswith("_id")), str(event.get("type"))
        )
        name = details.get("name") or details.get("title")
        what = f"{label} ({name})" if name else label
        return Finding(
            "supports",
            f"{what} was deleted by {who} on {when(event.get('ts'))} ({event.get('type')}).",
            {"object": what, "deleted_by": who, "deleted_at": when(event.get("ts"))},
        )
    what = ", ".join(objects) or "the objects the ticket is about"
    return Finding("contradicts", f"No deletion of {what} on {ctx.tenant_id} since {when(since)}.")


# --- platform: deploys and incidents ------------------------------------------------------


def _hhmm(moment: object) -> str:
    return moment.strftime("%H:%M UTC") if isinstance(moment, datetime) else "unknown time"


@check("changes.recent_deploys")
async def recent_deploys(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    """A platform deploy to the component the account's failures are on, followed closely by
    500-class errors of the account on it that were absent before the deploy (time proximity,
    same component). Availability errors (502/503/504) point at incidents, not deploys."""
    lookback = ctx.hours("deploy_lookback_hours", 24)
    proximity = ctx.hours("deploy_proximity_hours", 14)
    since = ctx.window_start - lookback
    logs = await ctx.requests(since)
    bugs = [r for r in logs if _is_bug(r)]
    began = ctx.window_start - ctx.hours("error_lookback_hours", 6)
    in_window = [r for r in bugs if r["ts"] >= began]
    components = affected_components(ctx, in_window)
    seen = {_component_of(r) for r in in_window}
    components = [c for c in components if c in seen] or sorted(seen)
    if not components:
        return Finding(
            "contradicts",
            f"No 500-class errors of {ctx.tenant_id} in the window to tie to a deploy.",
            customer_safe=False,
        )
    deploys = await ctx.deploys(since - lookback)
    for component in components:
        hits = [r for r in bugs if _component_of(r) == component]
        first = next(r["ts"] for r in hits if r["ts"] >= began)
        routes = " ".join({str(r.get("route") or "") for r in hits})
        onto = [
            d
            for d in deploys
            if _deploy_hits(ctx, d, component, routes) and d["ts"] <= first and first - d["ts"] <= lookback
        ]
        if not onto:
            continue
        deploy = onto[-1]
        after = [r for r in hits if r["ts"] >= deploy["ts"]]
        before = [r for r in hits if deploy["ts"] - timedelta(hours=12) <= r["ts"] < deploy["ts"]]
        onset = after[0]["ts"]
        if len(after) >= 2 and len(after) >= 3 * len(before) and onset - deploy["ts"] <= proximity:
            minutes = int((onset - deploy["ts"]).total_seconds() // 60)
            ctx.notes["deploy_component"] = component
            # customer-safe: what changed and when; the release note stays internal
            return Finding(
                "supports",
                f"A release of {deploy.get('target')} at {when(deploy['ts'])} (version "
                f"{deploy.get('after') or 'unknown'}); {len(after)} server errors of the account on "
                f"{component} followed, the first {minutes} min later; {len(before)} in the 12 h before.",
                {
                    "component": str(deploy.get("target") or component),
                    "deployed_at": _hhmm(deploy["ts"]),
                    "version": str(deploy.get("after") or ""),
                    "errors_since": when(onset),
                    "count": str(len(after)),
                },
            )
    others = ", ".join(sorted({str(d.get("target")) for d in deploys})) or "none"
    return Finding(
        "contradicts",
        f"No deploy to {', '.join(components)} shortly before its errors began (deploys to: {others}).",
        customer_safe=False,
    )


def _serves(ctx: CaseContext, row: dict[str, Any], component: str) -> bool:
    """Whether a logged request was served by a component: logged by it, or logged by the
    gateway on a route of its resources (the ingest API's calls are logged by api-gateway)."""
    routes = str(row.get("route") or "")
    return _component_of(row) == component or component in ctx.signals.lexicon.route_components(routes)


def _deploy_hits(ctx: CaseContext, deploy: dict[str, Any], component: str, routes: str) -> bool:
    """Whether a deploy's target is the failing component, or the component behind the routes
    that failed (API calls fail on the gateway while the deploy is to the service behind)."""
    target = str(deploy.get("target") or "")
    return bool(target) and (target == component or target in ctx.signals.lexicon.route_components(routes))


@check("incidents.open_incidents")
async def open_incidents(ctx: CaseContext, hyp: HypothesisLike | None) -> Finding:
    incidents = await ctx.incidents()
    if attribute(hyp, "scope") == "third_party":
        names = set(ctx.signals.integrations)
        if not names:
            # The ticket names no integration: only those the account's calls failed on count.
            names = {
                n
                for r in await ctx.requests()
                if _is_upstream(r)
                for n in ctx.signals.lexicon.integrations
                if n in _blob_of(r)
            }
        wanted = {f"integration:{n}" for n in names}
        matching = [i for i in incidents if any(str(c) in wanted for c in i.get("components") or ())]
        scope = ", ".join(sorted(wanted)) or "third-party integrations"
    else:
        components = set(ctx.signals.components) - {
            c for c in ctx.signals.components if c.startswith("integration:")
        }
        if not components:
            errors = _server_errors(await ctx.requests(), include_upstream=True)
            components = set(affected_components(ctx, errors)[:2])
        matching = [i for i in incidents if components & {str(c) for c in i.get("components") or ()}]
        scope = ", ".join(sorted(components)) or "the affected component"
    if matching:
        incident = matching[-1]
        state = (
            "open" if incident.get("resolved_at") is None else f"resolved {when(incident.get('resolved_at'))}"
        )
        ctx.notes["incident_id"] = incident.get("incident_id")
        facts = {
            "incident_id": str(incident.get("incident_id")),
            "title": str(incident.get("title") or ""),
            "status": str(incident.get("status") or state),
            "started_at": when(incident.get("started_at")),
            "components": ", ".join(map(str, incident.get("components") or ())),
        }
        if incident.get("public_message"):
            facts["public_message"] = str(incident["public_message"])
        return Finding(
            "supports",
            f"Incident {incident.get('incident_id')} '{incident.get('title')}' on "
            f"{facts['components']} since {facts['started_at']} ({state}) overlaps the window.",
            facts,
        )
    return Finding(
        "contradicts", f"No incident on {scope} overlaps {when(ctx.window_start)} – {when(ctx.window_end)}."
    )
