"""World coherence: no ticket's account and window holds another cause's confirming signal.

Reads a pack's world files generically — by the signal families of docs/WORLD.md (error-code
families, event outcomes and reasons, change kinds), never by how the generator planted them —
so a hand-written pack can be checked the same way. A ticket's truth names one cause (or none,
for `unclear` and `needs_info`); any confirming signal of a *different* cause in the ticket's
account inside its investigation window is a conflict: the world would prove two stories at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

# Log error codes whose presence confirms a cause (one line is enough).
_CODE_CAUSE = {
    "PLAN_LIMIT_REACHED": "plan_limit",
    "PERMISSION_DENIED": "missing_permission",
    "FEATURE_DISABLED": "feature_flag_off",
    "SSO_ASSERTION_INVALID": "sso_config_change",
    "API_KEY_EXPIRED": "api_key_expired",
    "API_KEY_REVOKED": "api_key_expired",
    "RATE_LIMITED": "rate_limited",
    "UPSTREAM_UNAVAILABLE": "integration_outage",
}
# Server errors confirm only as a rise: at least this many on one service in the window.
SPIKE_MIN = 2
# A 5xx rise confirms a regression or an incident (which of the two is the rest of the evidence).
SERVER_ERRORS = "server_errors"
_SPIKE_CAUSES = ("deploy_regression", "open_incident")
# Event reasons / outcomes that confirm a cause.
_REASON_CAUSE = {
    "plan_limit": "plan_limit",
    "permission": "missing_permission",
    "feature_disabled": "feature_flag_off",
    "sso_assertion_invalid": "sso_config_change",
    "api_key_expired": "api_key_expired",
    "api_key_revoked": "api_key_expired",
    "rate_limited": "rate_limited",
    "upstream_unavailable": "integration_outage",
}
_RANK = {"viewer": 0, "analyst": 1, "editor": 2, "admin": 3, "owner": 4}


@dataclass(frozen=True)
class Conflict:
    ticket_id: str
    account_id: str
    truth_cause: str | None
    other_cause: str
    source: str
    ts: str
    detail: str


def _ms(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _by_account(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("account_id"):
            row["_ms"] = _ms(row["ts"])
            out.setdefault(str(row["account_id"]), []).append(row)
    return out


def _event_cause(row: dict[str, Any]) -> str | None:
    details = row.get("details") or {}
    outcome = str(row.get("outcome") or "")
    kind = str(row.get("type") or "")
    reason = str(details.get("reason") or "") if isinstance(details, dict) else ""
    if outcome in ("rejected", "denied", "failed") and reason in _REASON_CAUSE:
        return _REASON_CAUSE[reason]
    if outcome in ("queued", "delayed"):
        return "documented_delay"
    if kind.endswith(".deleted") and outcome == "succeeded":
        return "user_deleted_data"
    return None


def _change_cause(row: dict[str, Any]) -> str | None:
    kind, target = str(row.get("kind") or ""), str(row.get("target") or "").lower()
    before, after = row.get("before"), row.get("after")
    if kind == "config" and target.startswith("api_key") and str(after) in ("revoked", "expired"):
        return "api_key_expired"
    if kind == "config" and target.split(":", 1)[0] in ("sso", "saml", "idp"):
        return "sso_config_change"
    if kind == "role" and _RANK.get(str(after), 9) < _RANK.get(str(before), -1):
        return "missing_permission"
    if kind == "flag" and before is True and after is False:
        return "feature_flag_off"
    return None


def find_conflicts(
    pack: Path, windows: Mapping[str, tuple[int, int]], tickets: Iterable[tuple[str, str, str | None]]
) -> list[Conflict]:
    """Conflicts for `tickets` — (ticket_id, account_id, truth cause) — in their `windows`
    (ticket_id -> (start_ms, end_ms)). Tickets without an account or window are skipped."""
    world = pack / "world"
    events = _by_account(_rows(world / "events.jsonl"))
    logs = _by_account(_rows(world / "logs.jsonl"))
    changes = _by_account(_rows(world / "changes.jsonl"))
    conflicts: list[Conflict] = []
    for ticket_id, account_id, cause in tickets:
        if ticket_id not in windows:
            continue
        start, end = windows[ticket_id]

        def inside(row: dict[str, Any], start: int = start, end: int = end) -> bool:
            return start <= int(row["_ms"]) <= end

        found: list[tuple[str, str, dict[str, Any], str]] = []
        for row in filter(inside, events.get(account_id, [])):
            other = _event_cause(row)
            if other:
                found.append((other, "events", row, f"{row.get('type')} {row.get('outcome')}"))
        spikes: Counter[tuple[str, str]] = Counter()
        first: dict[tuple[str, str], dict[str, Any]] = {}
        for row in filter(inside, logs.get(account_id, [])):
            code = str(row.get("error_code") or "")
            if code in _CODE_CAUSE:
                found.append((_CODE_CAUSE[code], "logs", row, f"{row.get('status')} {code}"))
            if int(row.get("status") or 0) >= 500 and code not in _CODE_CAUSE:
                key = (SERVER_ERRORS, str(row.get("service")))
                spikes[key] += 1
                first.setdefault(key, row)
        for (spike, service), count in spikes.items():
            if count >= SPIKE_MIN:
                found.append((spike, "logs", first[(spike, service)], f"{count}x 5xx on {service}"))
        for row in filter(inside, changes.get(account_id, [])):
            other = _change_cause(row)
            if other:
                found.append((other, "changes", row, f"{row.get('kind')} {row.get('target')}"))
        for other, source, row, detail in found:
            if other != cause and not (other == SERVER_ERRORS and cause in _SPIKE_CAUSES):
                conflicts.append(
                    Conflict(ticket_id, account_id, cause, other, source, str(row.get("ts")), detail)
                )
    return conflicts
