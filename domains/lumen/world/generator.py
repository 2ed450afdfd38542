"""The demo world generator: a coherent Lumen Analytics world and tickets whose proof it holds.

`generate_pack(seed, tickets, out)` writes a scenario pack (DESIGN.md §4, docs/WORLD.md).
Everything derives from `random.Random(seed)` and a base "now" computed from the seed, so the
same seed gives a byte-identical pack and other seeds give other worlds, other wording and
other timings — the pipeline is evaluated on packs it has never seen.

Order matters for coherence: accounts and people first; then the cross-account episodes
(deploy regressions, incidents, integration outages) so that single-account tickets can keep
clear of them; then each ticket plants its proof and its distractors; background traffic
comes last and stays quiet wherever a ticket's story needs silence.

World and tickets have separate seeds. The world (accounts, traffic, changes, incidents and the
planted proof) comes from `seed` alone: it plants the proof for a *pool* of situations, about
`POOL_FACTOR` times the ticket count with the pack's family mix. `ticket_seed` (default `seed`)
chooses which situations customers write in about and how they word it. Packs that differ only
in `ticket_seed` share byte-identical `world/` files, every ticket's proof is in that world,
and situations nobody wrote about remain as unreported problems — more realistic noise.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from domains.lumen.world.catalogue import (
    ACTIONS,
    BEHAVIOURS,
    DELAY_BEHAVIOURS,
    ERRORS,
    FEATURES,
    INTEGRATION_LABELS,
    INTEGRATIONS,
    LIMIT_UNITS,
    PLAN_FEATURES,
    PLAN_LIMITS,
    PLANS,
    ROLE_RANK,
    ROLES,
    Action,
    Behaviour,
)
from domains.lumen.world.conventions import (
    CAUSE_CLASSES,
    CAUSES,
    CONFIRMING_CHECKS,
    IDENTITY_CHECK,
    route_queue_for,
)
from domains.lumen.world.phrasing import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    UNCLEAR_TOPICS,
    OtherTenant,
    Person,
    ShownError,
    Story,
    ascii_slug,
    iso_seconds,
    render,
)

ALNUM = string.ascii_lowercase + string.digits
BASE_NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
WORLD_DAYS = 21
TICKET_DAYS = 14
# What an investigation of a ticket looks at in its account: the customer's window, or the
# 72 h before the ticket when it gives none; plus a margin for lookbacks before and after.
FALLBACK_WINDOW = 72 * 3600 * 1000
CLAIM_MARGIN = 12 * 3600 * 1000

_FIRST = {
    "en": [
        "Emma",
        "Liam",
        "Olivia",
        "Noah",
        "Ava",
        "Ethan",
        "Sophia",
        "Mason",
        "Priya",
        "Arjun",
        "Wei",
        "Fatima",
        "Omar",
        "Grace",
        "Daniel",
        "Hannah",
        "Lucas",
        "Chloe",
        "Marcus",
        "Aisha",
        "Ryan",
        "Megan",
        "Tom",
        "Sarah",
        "Kenji",
        "Nadia",
        "Ben",
        "Zoe",
        "Sam",
        "Leah",
    ],
    "de": [
        "Lukas",
        "Anna",
        "Jonas",
        "Lea",
        "Felix",
        "Marie",
        "Paul",
        "Sophie",
        "Maximilian",
        "Katharina",
        "Jan",
        "Julia",
        "Tobias",
        "Miriam",
    ],
    "fr": [
        "Camille",
        "Louis",
        "Chloé",
        "Hugo",
        "Léa",
        "Julien",
        "Manon",
        "Antoine",
        "Inès",
        "Thomas",
        "Margaux",
        "Théo",
    ],
    "es": [
        "Lucía",
        "Mateo",
        "Sofía",
        "Javier",
        "Carmen",
        "Diego",
        "Elena",
        "Pablo",
        "Marta",
        "Alejandro",
        "Nuria",
        "Andrés",
    ],
}
_LAST = {
    "en": [
        "Smith",
        "Johnson",
        "Patel",
        "Nguyen",
        "Garcia",
        "Brown",
        "Okafor",
        "Kim",
        "Walker",
        "Murphy",
        "Chen",
        "Singh",
        "Clarke",
        "Reyes",
        "Cohen",
        "Foster",
        "Hughes",
        "Park",
        "Turner",
        "Bailey",
    ],
    "de": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Becker",
        "Hoffmann",
        "Keller",
        "Wagner",
        "Zimmermann",
        "Krüger",
        "Vogel",
    ],
    "fr": [
        "Martin",
        "Bernard",
        "Dubois",
        "Moreau",
        "Laurent",
        "Lefèvre",
        "Girard",
        "Fontaine",
        "Rousseau",
        "Mercier",
    ],
    "es": [
        "García",
        "Martínez",
        "López",
        "Sánchez",
        "Romero",
        "Navarro",
        "Torres",
        "Ruiz",
        "Molina",
        "Ortega",
    ],
}
_BRAND_HEADS = [
    "North",
    "Bright",
    "Quill",
    "Fern",
    "Cobalt",
    "Harbor",
    "Juniper",
    "Maple",
    "Orbit",
    "Pine",
    "Quartz",
    "River",
    "Sable",
    "Tidal",
    "Umber",
    "Vanta",
    "Willow",
    "Zephyr",
    "Amber",
    "Basalt",
    "Cedar",
    "Ember",
    "Falcon",
    "Granite",
    "Helix",
    "Indigo",
    "Kestrel",
    "Lattice",
    "Meridian",
    "Nimbus",
    "Onyx",
    "Prism",
    "Summit",
    "Topaz",
    "Vertex",
    "Aster",
    "Brook",
    "Copper",
    "Drift",
]
_BRAND_TAILS = [
    "field",
    "stone",
    "wave",
    "works",
    "labs",
    "path",
    "forge",
    "bay",
    "line",
    "point",
    "scale",
    "grid",
    "nest",
    "loop",
    "mark",
    "hive",
]
_LEGAL = {
    "en": ["Inc.", "Ltd", "", "LLC"],
    "de": ["GmbH", "AG"],
    "fr": ["SAS", "SARL"],
    "es": ["S.L.", "S.A."],
}
_TLD = {"en": [".com", ".io", ".co"], "de": [".de", ".com"], "fr": [".fr", ".com"], "es": [".es", ".com"]}
_REGION = {
    "en": ["us-east", "us-west", "eu-west", "ap-southeast"],
    "de": ["eu-central"],
    "fr": ["eu-west"],
    "es": ["eu-west"],
}
_TIMEZONE = {
    "en": ["America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Singapore"],
    "de": ["Europe/Berlin", "Europe/Vienna"],
    "fr": ["Europe/Paris"],
    "es": ["Europe/Madrid"],
}
_WORKSPACE_NAMES = [
    "Marketing",
    "Finance",
    "Product",
    "Sales Ops",
    "Growth",
    "Data Team",
    "Exec Reporting",
    "Customer Success",
    "Operations",
    "Sandbox",
    "EMEA",
    "Revenue",
    "Support Analytics",
    "Supply Chain",
]
_DASHBOARD_NAMES = [
    "Q3 Pipeline",
    "Weekly KPIs",
    "Churn Overview",
    "Board Pack",
    "Campaign ROI",
    "Funnel Health",
    "Revenue by Region",
    "Support Volume",
    "Inventory Turns",
    "NPS Tracker",
    "Cohort Retention",
    "Ad Spend",
    "Ops Daily",
    "Cash Flow",
]
_IDPS = [("okta", "Okta"), ("azure_ad", "Azure AD"), ("google", "Google Workspace"), ("onelogin", "OneLogin")]

_INCIDENT_TITLES = {
    "dashboards": ["Dashboards failing to load for some customers", "Elevated error rates on dashboards"],
    "exports": ["Exports failing or delayed", "Elevated export failures"],
    "ingest": ["Event ingestion errors", "Ingest API returning errors"],
    "api-gateway": ["Elevated API error rates", "API requests failing intermittently"],
    "scheduler": ["Scheduled jobs not running", "Scheduler degraded"],
    "billing": ["Billing pages unavailable", "Usage and billing pages failing"],
    "auth": ["Sign-in errors for some users", "Login page failing intermittently"],
}
_REGRESSION_BUGS = {
    "dashboards": "TypeError: Cannot read properties of undefined (reading 'granularity') at QueryPlanner.compile",
    "exports": "KeyError: 'column_format' in export_writer.serialize_row",
    "ingest": "NullPointerException at BatchDecoder.decodeTimestamp(BatchDecoder.java:212)",
    "scheduler": "ValueError: invalid cron spec after tz normalisation in schedule_next_run",
    "integrations": "AttributeError: 'NoneType' object has no attribute 'cursor' in SyncRunner.page",
    "api-gateway": "panic: runtime error: invalid memory address in middleware.Paginate",
}
_REGRESSION_ACTIONS = {
    "dashboards": ["view_dashboard", "run_query", "edit_dashboard"],
    "exports": ["export_csv", "download_export"],
    "ingest": ["ingest_events"],
    "scheduler": ["schedule_export", "create_alert"],
    "integrations": ["sync_integration"],
    "api-gateway": ["api_call"],
}
_INCIDENT_ACTIONS = {
    "dashboards": ["view_dashboard", "run_query"],
    "exports": ["export_csv", "download_export"],
    "ingest": ["ingest_events"],
    "api-gateway": ["api_call"],
    "scheduler": ["schedule_export", "create_alert"],
    "billing": ["view_usage"],
    "auth": ["login_password", "login_sso"],
}
_BACKGROUND_ROUTES: list[tuple[str, str, str]] = [
    ("dashboards", "GET", "/v2/dashboards/{id}"),
    ("dashboards", "GET", "/v2/dashboards/{id}"),
    ("dashboards", "GET", "/v2/dashboards"),
    ("dashboards", "POST", "/v2/queries"),
    ("dashboards", "PATCH", "/v2/dashboards/{id}"),
    ("exports", "POST", "/v2/exports"),
    ("exports", "GET", "/v2/exports/{id}"),
    ("exports", "GET", "/v2/exports/{id}/download"),
    ("ingest", "POST", "/v2/events/batch"),
    ("auth", "POST", "/auth/login"),
    ("auth", "GET", "/auth/session"),
    ("api-gateway", "GET", "/v2/dashboards"),
    ("api-gateway", "GET", "/v2/exports/{id}"),
    ("scheduler", "GET", "/v2/exports/schedules"),
    ("billing", "GET", "/v2/billing/usage"),
    ("integrations", "GET", "/v2/integrations"),
]
_NOISE_ERRORS = [
    ("NOT_FOUND", 404),
    ("NOT_FOUND", 404),
    ("VALIDATION_ERROR", 400),
    ("SESSION_EXPIRED", 401),
    ("CONFLICT", 409),
    ("VALIDATION_ERROR", 400),
]


# --------------------------------------------------------------------------------------
# The world's entities


@dataclass
class ApiKey:
    prefix: str
    secret: str
    created_ms: int
    ended_ms: int | None = None  # revoked or expired from then on


@dataclass
class Workspace:
    workspace_id: str
    account_id: str
    name: str
    settings: dict[str, Any]


@dataclass
class User:
    user_id: str
    email: str
    name: str
    account_id: str
    workspace_ids: list[str]
    role: str
    status: str
    sso: bool
    created_ms: int

    def person(self) -> Person:
        return Person(self.name, self.email, self.user_id)


@dataclass
class Account:
    account_id: str
    brand: str
    name: str
    domain: str
    locale: str
    plan: str
    status: str
    region: str
    created_ms: int
    limits: dict[str, int]
    flags: dict[str, bool]
    workspaces: list[Workspace] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    api_keys: list[ApiKey] = field(default_factory=list)
    dashboards: list[tuple[str, str]] = field(default_factory=list)  # (id, name) in background use
    exports: list[str] = field(default_factory=list)
    idp: str = "Okta"
    sso_story: tuple[int, str, int, int] | None = None  # changed_at, setting, onset, received
    tickets: int = 0

    def active_users(self) -> list[User]:
        return [u for u in self.users if u.status == "active"]

    def integrations(self) -> list[str]:
        names: list[str] = []
        for ws in self.workspaces:
            for name in ws.settings.get("integrations", []):
                if name not in names:
                    names.append(name)
        return names

    def key_at(self, ts: int) -> ApiKey | None:
        for key in self.api_keys:
            if key.created_ms <= ts and (key.ended_ms is None or ts < key.ended_ms):
                return key
        return None


@dataclass
class Episode:
    """A cross-account story: a deploy regression, an incident or a third-party outage."""

    family: str
    component: str
    start_ms: int
    end_ms: int  # when errors stop (or now)
    title: str = ""
    incident_id: str | None = None
    integration: str | None = None
    deploy_hhmm: str = ""
    accounts_used: list[str] = field(default_factory=list)
    answer_points: list[str] = field(default_factory=list)
    story_id: str = ""


@dataclass(frozen=True)
class PackSummary:
    """What `generate_pack` wrote."""

    out: Path
    seed: int
    tickets: int
    families: dict[str, int]
    languages: dict[str, int]
    rows: dict[str, int]
    bytes: int


class _World:
    def __init__(self, seed: int, rng: random.Random) -> None:
        self.rng = rng
        self.seed = seed
        # A seed-dependent "now" keeps weekdays and dates from being memorisable.
        self.now = int(BASE_NOW.timestamp() * 1000) + (seed * 7919 % 61) * DAY_MS
        self.start = self.now - WORLD_DAYS * DAY_MS
        self.ids: set[str] = set()
        self.accounts: list[Account] = []
        self.events: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.incidents: list[dict[str, Any]] = []
        # component -> windows where a cross-account story runs; single-account tickets avoid them
        self.busy: dict[str, list[tuple[int, int]]] = {}
        # component -> windows of placed tickets; distractor incidents avoid them
        self.ticket_windows: dict[str, list[tuple[int, int]]] = {}
        # (account_id, component) -> windows where background traffic must stay silent
        self.quiet: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.version: dict[str, int] = {}
        # account_id -> (start, end, story) spans where one story's proof and investigation
        # window live; two stories never share an account over overlapping spans, so no
        # ticket's window in its account holds another story's confirming signal.
        self.claims: dict[str, list[tuple[int, int, str]]] = {}
        self.stories = 0
        self.brands: list[str] = []
        self.current_story = ""

    # ---- identifiers
    def new_id(self, prefix: str, length: int = 6, alphabet: str = ALNUM) -> str:
        while True:
            value = prefix + "".join(self.rng.choice(alphabet) for _ in range(length))
            if value not in self.ids:
                self.ids.add(value)
                return value

    def request_id(self) -> str:
        # one getrandbits call instead of twelve choices: a million-line world stays fast
        while True:
            value = f"req_{self.rng.getrandbits(48):012x}"
            if value not in self.ids:
                self.ids.add(value)
                return value

    # ---- rows
    def event(
        self,
        ts: int,
        account: Account,
        workspace_id: str | None,
        user_id: str | None,
        kind: str,
        outcome: str,
        details: dict[str, Any],
    ) -> None:
        self.events.append(
            {
                "ts": ts,
                "account_id": account.account_id,
                "workspace_id": workspace_id,
                "user_id": user_id,
                "type": kind,
                "outcome": outcome,
                "details": details,
            }
        )

    def log(
        self,
        ts: int,
        service: str,
        account_id: str | None,
        user_id: str | None,
        request_id: str,
        method: str,
        route: str,
        status: int,
        error_code: str | None,
        message: str,
    ) -> None:
        level = "info" if status < 400 else ("warn" if status < 500 else "error")
        self.logs.append(
            {
                "ts": ts,
                "level": level,
                "service": service,
                "account_id": account_id,
                "user_id": user_id,
                "request_id": request_id,
                "method": method,
                "route": route,
                "status": status,
                "error_code": error_code,
                "message": message,
            }
        )

    def change(
        self,
        ts: int,
        account_id: str | None,
        actor: str,
        kind: str,
        target: str,
        before: Any,
        after: Any,
        note: str,
    ) -> None:
        self.changes.append(
            {
                "ts": ts,
                "account_id": account_id,
                "actor": actor,
                "kind": kind,
                "target": target,
                "before": before,
                "after": after,
                "note": note,
            }
        )

    def deploy(self, ts: int, component: str, note: str) -> str:
        n = self.version.get(component, self.rng.randrange(1, 6))
        self.version[component] = n + 1
        day = datetime.fromtimestamp(ts / 1000, UTC)
        week = day.isocalendar().week
        before, after = f"2026.{week}.{n}", f"2026.{week}.{n + 1}"
        self.change(ts, None, "deploy-bot", "deploy", component, before, after, f"Release {after}: {note}")
        return after

    def new_story(self) -> str:
        self.stories += 1
        return f"s{self.stories}"

    def is_free(self, account_id: str, start: int, end: int, story: str = "") -> bool:
        return all(
            e <= start or end <= s or (story and owner == story)
            for s, e, owner in self.claims.get(account_id, [])
        )

    def claim(self, account_id: str, start: int, end: int, story: str) -> None:
        self.claims.setdefault(account_id, []).append((start, end, story))

    def is_claimed(self, account_id: str, ts: int) -> bool:
        return any(s <= ts < e for s, e, _ in self.claims.get(account_id, []))

    def is_busy(self, component: str, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.busy.get(component, []))

    def is_quiet(self, account_id: str, component: str, ts: int) -> bool:
        windows = self.quiet.get((account_id, component), [])
        return any(s <= ts < e for s, e in windows)

    def silence(self, account_id: str, component: str, start: int, end: int) -> None:
        self.quiet.setdefault((account_id, component), []).append((start, end))


def _weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    total = sum(w for _, w in options)
    pick = rng.random() * total
    for value, weight in options:
        pick -= weight
        if pick <= 0:
            return value
    return options[-1][0]


def _hhmm(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M")


def _iso_ms(ms: int) -> str:
    d = datetime.fromtimestamp(ms / 1000, UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# --------------------------------------------------------------------------------------
# Accounts, workspaces, users


def _build_accounts(world: _World, count: int, first_batch: bool = True) -> None:
    rng = world.rng
    if not world.brands:
        world.brands = [h + t for h in _BRAND_HEADS for t in _BRAND_TAILS]
        rng.shuffle(world.brands)
    plans = ["free"] * 8 + ["team"] * 14 + ["business"] * 11 + ["enterprise"] * 7
    while len(plans) < count:
        plans.append(rng.choice(PLANS))
    rng.shuffle(plans)
    for i in range(count):
        locale = _weighted(rng, [("en", 0.72), ("de", 0.12), ("fr", 0.08), ("es", 0.08)])
        brand = world.brands[len(world.accounts) % len(world.brands)]
        legal = rng.choice(_LEGAL[locale])
        plan = plans[i]
        limits = dict(PLAN_LIMITS[plan])
        if plan == "enterprise" and rng.random() < 0.4:
            limits["api_calls_per_hour"] = rng.choice([30000, 50000])
            limits["exports_per_day"] = rng.choice([750, 1000])
        flags = {f: f in PLAN_FEATURES[plan] for f in FEATURES}
        if plan in ("business", "enterprise") and rng.random() < 0.15:
            flags["sso"] = False  # not every entitled customer has set SSO up
        if plan == "business" and rng.random() < 0.2:
            flags["embedded_dashboards"] = True  # add-on
        account = Account(
            account_id=world.new_id("acc_"),
            brand=brand,
            name=f"{brand} {legal}".strip(),
            domain=ascii_slug(brand) + rng.choice(_TLD[locale]),
            locale=locale,
            plan=plan,
            status="active" if rng.random() < 0.95 or i < count - 3 or not first_batch else "suspended",
            region=rng.choice(_REGION[locale]),
            created_ms=world.start - rng.randrange(30, 900) * DAY_MS,
            limits=limits,
            flags=flags,
        )
        idp_key, account.idp = rng.choice(_IDPS)
        _build_workspaces(world, account, idp_key)
        _build_users(world, account)
        _build_objects(world, account)
        if flags["api_access"]:
            for _ in range(rng.randrange(1, 4)):
                created = world.now - rng.randrange(20, 300) * DAY_MS
                key = ApiKey(world.new_id("lk_live_", 4), "", created)
                key.secret = key.prefix + "".join(rng.choice(ALNUM) for _ in range(28))
                account.api_keys.append(key)
                admin = _users_with_role(account, "admin")[0]
                world.change(
                    created,
                    account.account_id,
                    admin.email,
                    "config",
                    f"api_key:{key.prefix}",
                    None,
                    "active",
                    "API key created",
                )
        world.accounts.append(account)


def _build_workspaces(world: _World, account: Account, idp_key: str) -> None:
    rng = world.rng
    count = min(account.limits["workspaces"], rng.choice([1, 2, 2, 3, 3, 4]))
    names = rng.sample(_WORKSPACE_NAMES, count)
    sso: dict[str, Any] | None = None
    if account.flags["sso"]:
        sso = {
            "enabled": True,
            "enforced": rng.random() < 0.6,
            "provider": idp_key,
            "idp_entity_id": f"https://idp.{account.domain}/{world.new_id('saml', 8)}",
            "certificate_fingerprint": _fingerprint(rng),
        }
    for name in names:
        settings: dict[str, Any] = {
            "timezone": rng.choice(_TIMEZONE[account.locale]),
            "default_role": rng.choice(["viewer", "analyst"]),
            "data_retention_days": rng.choice([90, 180, 365, 730]),
            "integrations": sorted(rng.sample(INTEGRATIONS, rng.choice([0, 1, 1, 2, 3]))),
        }
        if sso is not None:
            settings["sso"] = dict(sso)
        account.workspaces.append(Workspace(world.new_id("ws_"), account.account_id, name, settings))


def _fingerprint(rng: random.Random) -> str:
    return "SHA256:" + ":".join(f"{rng.randrange(256):02X}" for _ in range(8))


def _build_users(world: _World, account: Account) -> None:
    rng = world.rng
    if account.plan == "free":
        size = account.limits["seats"]  # free accounts sit at their seat limit
    else:
        size = rng.randrange(4, min(12, account.limits["seats"]))
    roles = ["owner", "admin"] + [
        _weighted(rng, [("viewer", 3), ("analyst", 3), ("editor", 3), ("admin", 1)]) for _ in range(size - 2)
    ]
    seen: set[str] = set()
    ws_ids = [ws.workspace_id for ws in account.workspaces]
    for role in roles:
        lang = account.locale if rng.random() < 0.8 else "en"
        first, last = rng.choice(_FIRST[lang]), rng.choice(_LAST[lang])
        local = _weighted(rng, [(f"{first}.{last}", 5), (f"{first[0]}{last}", 2), (first, 1)])
        email = f"{ascii_slug(local)}@{account.domain}"
        if email in seen:
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randrange(2, 99)}@{account.domain}"
        seen.add(email)
        if role in ("owner", "admin"):
            spaces = list(ws_ids)
        else:
            spaces = sorted(rng.sample(ws_ids, rng.randrange(1, len(ws_ids) + 1)))
        status = (
            "active"
            if role in ("owner", "admin") or rng.random() < 0.9
            else rng.choice(["invited", "deactivated"])
        )
        account.users.append(
            User(
                world.new_id("usr_"),
                email,
                f"{first} {last}",
                account.account_id,
                spaces,
                role,
                status,
                account.flags["sso"],
                account.created_ms + rng.randrange(0, 200) * DAY_MS,
            )
        )


def _build_objects(world: _World, account: Account) -> None:
    rng = world.rng
    cap = 2 if account.plan == "free" else 12
    for _ in range(rng.randrange(2, cap + 1)):
        account.dashboards.append((world.new_id("dsh_"), rng.choice(_DASHBOARD_NAMES)))
    account.exports = [world.new_id("exp_") for _ in range(rng.randrange(2, 8))]


def _users_with_role(account: Account, min_role: str) -> list[User]:
    return [u for u in account.active_users() if ROLE_RANK[u.role] >= ROLE_RANK[min_role]]


def _can_do(account: Account, action: Action) -> bool:
    if account.status != "active":
        return False
    if action.feature and not account.flags[action.feature]:
        return False
    if action.via_api_key and not account.api_keys:
        return False
    if action.object_kind == "integration" and not account.integrations():
        return False
    return bool(_users_with_role(account, action.min_role))


# --------------------------------------------------------------------------------------
# Tickets: the shared parts


@dataclass
class _Plan:
    """One ticket under construction: the story to render and the truth beyond the text."""

    story: Story
    family: str
    answer_points: list[str] = field(default_factory=list)
    required_evidence: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)


def _received(world: _World) -> int:
    rng = world.rng
    day = rng.randrange(0, TICKET_DAYS)
    hour = _weighted(rng, [(str(h), 3 if 8 <= h <= 17 else 1) for h in range(6, 22)])
    midnight = (world.now // DAY_MS - day) * DAY_MS
    ts = midnight + int(hour) * HOUR_MS + rng.randrange(0, 60) * MINUTE_MS + rng.randrange(0, 60) * 1000
    return min(ts, world.now - rng.randrange(10, 90) * MINUTE_MS)


def _onset_delta(rng: random.Random) -> int:
    kind = _weighted(rng, [("minutes", 0.1), ("hours", 0.42), ("day", 0.3), ("days", 0.18)])
    if kind == "minutes":
        return rng.randrange(15, 56) * MINUTE_MS
    if kind == "hours":
        return rng.randrange(60, 8 * 60) * MINUTE_MS
    if kind == "day":
        return rng.randrange(12 * 60, 36 * 60) * MINUTE_MS
    return rng.randrange(2 * 24 * 60, 4 * 24 * 60) * MINUTE_MS


def _span(received: int, onset: int, lead: int = 0) -> tuple[int, int]:
    """The stretch of an account one story owns: its planted proof (from `lead` before the onset)
    and every window an investigation of its ticket may read."""
    return min(onset - lead, received - FALLBACK_WINDOW) - CLAIM_MARGIN, received + CLAIM_MARGIN


def _situate(
    world: _World, lang: str, ok: Any, component: str, lead: int = 0, pad: int = 2 * HOUR_MS
) -> tuple[Account, int, int]:
    """An account satisfying `ok` and a (received, onset) pair whose span is free in that account
    (no other story's proof or window there) and, when possible, clear of cross-account stories
    on `component`. A crowded world gets a few more accounts rather than overlapping stories."""
    rng = world.rng
    story = world.new_story()
    for attempt in range(2000):
        received = _received(world)
        onset = received - _onset_delta(rng)
        if onset - lead < world.start + DAY_MS:
            continue
        start, end = _span(received, onset, lead)
        if attempt < 300 and world.is_busy(component, start + CLAIM_MARGIN, end - CLAIM_MARGIN + pad):
            continue
        account = _pick_account(
            world,
            lang,
            lambda a, start=start, end=end: ok(a) and world.is_free(a.account_id, start, end),
            required=False,
        )
        if account is not None:
            world.claim(account.account_id, start, end, story)
            world.ticket_windows.setdefault(component, []).append((start, end))
            world.current_story = story
            return account, received, onset
        if attempt % 40 == 39:
            _build_accounts(world, 3, first_batch=False)
    raise RuntimeError("no account has room for this scenario")


def _place(world: _World, component: str, pad: int = 2 * HOUR_MS) -> tuple[int, int]:
    """A (received, onset) pair clear of cross-account stories on `component`."""
    received, onset = 0, 0
    for _ in range(60):
        received = _received(world)
        onset = received - _onset_delta(world.rng)
        if onset > world.start + DAY_MS and not world.is_busy(component, onset - pad, received + pad):
            break
    world.ticket_windows.setdefault(component, []).append((onset - pad, received + pad))
    return received, onset


def _language(world: _World) -> str:
    return _weighted(world.rng, [("en", 0.9), ("de", 0.04), ("fr", 0.03), ("es", 0.03)])


def _pick_account(world: _World, lang: str, ok: Any, required: bool = True) -> Account | None:
    """An account satisfying `ok`, preferring its locale matching the ticket's language."""
    rng = world.rng
    candidates = [a for a in world.accounts if a.status == "active" and ok(a)]
    if not candidates:
        if required:
            raise RuntimeError("no account fits this scenario")
        return None
    local = [a for a in candidates if a.locale == lang]
    pool = local if lang != "en" and local else candidates
    # spread tickets across accounts, as a real queue would be
    pool = sorted(pool, key=lambda a: a.tickets)[: max(6, len(pool) // 2)]
    account = rng.choice(pool)
    account.tickets += 1
    return account


def _channel(rng: random.Random, surface: str) -> str:
    if surface == "api":
        return _weighted(rng, [("email", 0.7), ("web", 0.25), ("chat", 0.05)])
    return _weighted(rng, [("email", 0.58), ("web", 0.2), ("chat", 0.14), ("api", 0.08)])


def _story(
    world: _World,
    family: str,
    lang: str,
    account: Account,
    requester: User,
    received: int,
    onset: int | None,
    action: str | None,
    surface: str = "ui",
) -> Story:
    rng = world.rng
    email = requester.email
    if rng.random() < 0.03:
        # some helpdesks keep the sender's capitalisation; membership must not depend on it
        local, _, domain = email.partition("@")
        email = local.title() + "@" + domain
    higher = [p for p in PLANS if PLANS.index(p) > PLANS.index(account.plan)] or ["enterprise"]
    return Story(
        family=family,
        language=lang,
        channel=_channel(rng, surface),
        surface=surface,
        received_ms=received,
        requester=Person(requester.name, email, requester.user_id),
        company=account.name,
        website=f"www.{account.domain}",
        account_id=account.account_id,
        plan=account.plan,
        action=action,
        onset_ms=onset,
        idp=account.idp,
        wrong_plan=rng.choice(higher),
    )


def _workspace_for(rng: random.Random, user: User, account: Account) -> Workspace:
    ids = user.workspace_ids or [account.workspaces[0].workspace_id]
    wanted = rng.choice(ids)
    return next(ws for ws in account.workspaces if ws.workspace_id == wanted)


def _attempts(
    world: _World,
    account: Account,
    user: User,
    ws: Workspace,
    action: Action,
    start: int,
    end: int,
    outcome: str,
    details: dict[str, Any],
    code: str,
    status: int,
    count: int,
    message: str | None = None,
) -> list[str]:
    """Failed attempts at `action`: an event and a log line each, sharing a request id."""
    rng = world.rng
    request_ids: list[str] = []
    times = sorted(start + int((end - start) * rng.random()) for _ in range(count - 1))
    for ts in [start, *times]:
        rid = world.request_id()
        request_ids.append(rid)
        service = "api-gateway" if action.via_api_key else action.component
        path = action.route.replace("{id}", account.dashboards[0][0]).replace(
            "{name}", (account.integrations() or ["salesforce"])[0]
        )
        if action.event_type:
            world.event(ts, account, ws.workspace_id, user.user_id, action.event_type, outcome, dict(details))
        world.log(
            ts + rng.randrange(5, 900),
            service,
            account.account_id,
            user.user_id,
            rid,
            action.method,
            action.route,
            status,
            code,
            message or f"{action.method} {path} {status} {code}",
        )
    return request_ids


def _shown(code: str, action: Action, request_id: str | None, message: str | None = None) -> ShownError:
    status, default = ERRORS[code]
    return ShownError(
        code=code,
        status=status,
        message=message or default,
        request_id=request_id,
        path=action.route,
        method=action.method,
    )


def _maybe_colleague(
    world: _World, account: Account, requester: User, min_role: str, p: float
) -> User | None:
    others = [u for u in _users_with_role(account, min_role) if u.user_id != requester.user_id]
    if others and world.rng.random() < p:
        return world.rng.choice(others)
    return None


def _checks(family: str) -> list[str]:
    return [IDENTITY_CHECK, *CONFIRMING_CHECKS[family]]


# --------------------------------------------------------------------------------------
# Distractors: look similar, prove nothing


def _distract(
    world: _World, plan: _Plan, account: Account, component: str, onset: int, received: int
) -> None:
    rng = world.rng
    for kind in rng.sample(
        ["deploy", "old_incident", "other_account", "noise", "near_limit"], rng.randrange(1, 3)
    ):
        if kind == "deploy" and plan.family not in ("deploy_regression", "open_incident"):
            ts = onset - rng.randrange(40, 300) * MINUTE_MS
            if (
                not world.is_busy(component, ts - 6 * HOUR_MS, ts + 6 * HOUR_MS)
                and component != "integrations"
            ):
                world.deploy(
                    ts,
                    component,
                    rng.choice(["copy changes", "dependency bumps", "UI polish", "logging improvements"]),
                )
        elif kind == "old_incident" and component in _INCIDENT_TITLES and rng.random() < 0.35:
            # resolved well before anything an investigation of this ticket reads
            start = _span(received, onset, 48 * HOUR_MS)[0] - rng.randrange(6, 48) * HOUR_MS
            end = start + rng.randrange(30, 120) * MINUTE_MS
            placed = world.ticket_windows.get(component, [])
            clear = not any(s < end and start < e for s, e in placed)
            if start > world.start and clear and not world.is_busy(component, start, end):
                _incident(world, component, start, end, rng.choice(_INCIDENT_TITLES[component]))
        elif kind == "other_account":
            ts = onset + rng.randrange(-60, 60) * MINUTE_MS
            # another tenant's settings change, in a stretch of that tenant no story owns
            quiet = (ts - FALLBACK_WINDOW - CLAIM_MARGIN, ts + FALLBACK_WINDOW + CLAIM_MARGIN)
            others = [
                a
                for a in world.accounts
                if a is not account and a.flags["sso"] and world.is_free(a.account_id, *quiet)
            ]
            if others:
                other = rng.choice(others)
                world.claim(other.account_id, ts - HOUR_MS, ts + HOUR_MS, world.new_story())
                admin = _users_with_role(other, "admin")[0]
                world.change(
                    ts,
                    other.account_id,
                    admin.email,
                    "config",
                    rng.choice(["sso", "workspace:timezone", "data_retention"]),
                    {"session_hours": 8},
                    {"session_hours": 12},
                    "Settings updated",
                )
                plan.forbidden.append(other.account_id)
        elif kind == "noise":
            user = rng.choice(account.active_users())
            for _ in range(rng.randrange(2, 5)):
                code, status = rng.choice(_NOISE_ERRORS)
                ts = onset + int((received - onset) * rng.random())
                world.log(
                    ts,
                    "dashboards",
                    account.account_id,
                    user.user_id,
                    world.request_id(),
                    "GET",
                    "/v2/dashboards/{id}",
                    status,
                    code,
                    f"GET /v2/dashboards/dsh_000000 {status} {code}",
                )
        elif kind == "near_limit" and plan.family != "plan_limit":
            limit = account.limits["exports_per_day"]
            if limit <= 100:
                day_start = (onset // DAY_MS) * DAY_MS
                if not world.is_quiet(account.account_id, "exports", day_start + HOUR_MS):
                    world.silence(account.account_id, "exports", day_start, day_start + DAY_MS)
                    user = rng.choice(_users_with_role(account, "analyst") or account.active_users())
                    ws = _workspace_for(rng, user, account)
                    for i in range(limit - 1):
                        ts = day_start + 7 * HOUR_MS + i * (10 * HOUR_MS // limit)
                        world.event(
                            ts,
                            account,
                            ws.workspace_id,
                            user.user_id,
                            "export.created",
                            "succeeded",
                            {"export_id": world.new_id("exp_"), "format": "csv"},
                        )


def _incident(world: _World, component: str, start: int, end: int | None, title: str) -> str:
    incident_id = world.new_id("inc_")
    status = (
        "resolved" if end is not None else world.rng.choice(["investigating", "identified", "monitoring"])
    )
    message = (
        f"We are investigating reports of {title.lower()}. Next update within 30 minutes."
        if end is None
        else f"Between {_hhmm(start)} and {_hhmm(end)} UTC some customers saw {title.lower()}. The issue is resolved."
    )
    world.incidents.append(
        {
            "incident_id": incident_id,
            "started_at": start,
            "resolved_at": end,
            "components": [component],
            "status": status,
            "title": title,
            "public_message": message,
        }
    )
    world.busy.setdefault(component, []).append((start - 8 * HOUR_MS, (end or world.now) + HOUR_MS))
    return incident_id


# --------------------------------------------------------------------------------------
# One function per family: plant the proof, build the story.


def _plan_limit(world: _World, lang: str) -> _Plan:
    rng = world.rng
    kind = _weighted(rng, [("exports_per_day", 5), ("dashboards", 2), ("seats", 1.5), ("workspaces", 1)])
    action = ACTIONS[
        {
            "exports_per_day": "export_csv",
            "dashboards": "create_dashboard",
            "seats": "invite_user",
            "workspaces": "create_workspace",
        }[kind]
    ]
    free_only = kind in ("seats", "workspaces")
    account, received, onset = _situate(
        world,
        lang,
        lambda a: (
            _can_do(a, action)
            and (a.plan == "free" or not free_only)
            and a.limits[kind] <= 200
            and not (kind == "workspaces" and len(a.workspaces) > 1)
        ),
        action.component,
    )
    user = rng.choice(_users_with_role(account, action.min_role))
    ws = _workspace_for(rng, user, account)
    limit = account.limits[kind]
    if kind == "exports_per_day":
        # the day's quota is really used up: `limit` successful exports, then rejections
        day_start = (onset // DAY_MS) * DAY_MS
        onset = max(onset, day_start + 4 * HOUR_MS)
        world.silence(account.account_id, "exports", day_start, day_start + DAY_MS)
        first = day_start + 2 * HOUR_MS
        for i in range(limit):
            ts = first + i * (onset - first - MINUTE_MS) // limit
            doer = rng.choice(_users_with_role(account, "analyst"))
            world.event(
                ts,
                account,
                _workspace_for(rng, doer, account).workspace_id,
                doer.user_id,
                "export.created",
                "succeeded",
                {"export_id": world.new_id("exp_"), "format": "csv"},
            )
        end = min(received, day_start + DAY_MS - MINUTE_MS)
    else:
        end = received
    details = {"reason": "plan_limit", "limit_name": kind, "limit": limit, "used": limit}
    rids = _attempts(
        world,
        account,
        user,
        ws,
        action,
        onset,
        end,
        "rejected",
        details,
        "PLAN_LIMIT_REACHED",
        rng.choice([403, 403, 402]),
        rng.randrange(2, 6),
    )
    unit = LIMIT_UNITS[kind]
    message = rng.choice(
        [
            f"You have reached your plan's limit of {limit} {unit}",
            "You have reached the limit of your plan",
            f"Plan limit reached ({limit} {unit})",
        ]
    )
    story = _story(world, "plan_limit", lang, account, user, received, onset, action.key)
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    story.error = _shown("PLAN_LIMIT_REACHED", action, rng.choice(rids), message)
    plan = _Plan(story, "plan_limit", [f"{limit} {unit}", account.plan], _checks("plan_limit"))
    _distract(world, plan, account, action.component, onset, received)
    return plan


def _missing_permission(world: _World, lang: str) -> _Plan:
    rng = world.rng
    keys = [
        "create_dashboard",
        "edit_dashboard",
        "share_dashboard",
        "export_csv",
        "schedule_export",
        "invite_user",
        "connect_integration",
        "create_alert",
        "run_query",
    ]
    action = ACTIONS[rng.choice(keys)]

    def fits(a: Account) -> bool:
        low = [u for u in a.active_users() if ROLE_RANK[u.role] < ROLE_RANK[action.min_role]]
        return _can_do(a, action) and bool(low) and len(a.active_users()) > 2

    account, received, onset = _situate(world, lang, fits, action.component, lead=36 * HOUR_MS)
    affected = rng.choice(
        [u for u in account.active_users() if ROLE_RANK[u.role] < ROLE_RANK[action.min_role]]
    )
    ws = _workspace_for(rng, affected, account)
    admins = _users_with_role(account, "admin")
    requester = affected if rng.random() < 0.6 else rng.choice(admins)
    if rng.random() < 0.75:
        # the user used to have the rights: an admin downgraded them
        before = ROLES[min(ROLE_RANK[action.min_role] + rng.randrange(0, 2), ROLE_RANK["admin"])]
        changer = rng.choice(admins)
        ts = onset - rng.randrange(20, 36 * 60) * MINUTE_MS
        world.change(
            max(ts, world.start),
            account.account_id,
            changer.email,
            "role",
            f"user:{affected.user_id}",
            before,
            affected.role,
            rng.choice(["Role updated", "Access review", "Least-privilege cleanup"]),
        )
    details = {"reason": "permission", "role": affected.role, "required_role": action.min_role}
    rids = _attempts(
        world,
        account,
        affected,
        ws,
        action,
        onset,
        received,
        "denied",
        details,
        "PERMISSION_DENIED",
        403,
        rng.randrange(1, 5),
    )
    story = _story(world, "missing_permission", lang, account, requester, received, onset, action.key)
    story.affected = affected.person() if requester is not affected else None
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    connected = account.integrations()
    story.integration = connected[0] if connected and action.object_kind == "integration" else None
    story.error = _shown("PERMISSION_DENIED", action, rng.choice(rids))
    plan = _Plan(story, "missing_permission", [affected.role, action.min_role], _checks("missing_permission"))
    if rng.random() < 0.4:
        other = [u for u in account.active_users() if u is not affected and u.role in ("editor", "analyst")]
        if other:
            lucky = rng.choice(other)
            world.change(
                onset - rng.randrange(30, 600) * MINUTE_MS,
                account.account_id,
                admins[0].email,
                "role",
                f"user:{lucky.user_id}",
                "viewer",
                lucky.role,
                "Role updated",
            )
    _distract(world, plan, account, action.component, onset, received)
    return plan


def _feature_flag_off(world: _World, lang: str) -> _Plan:
    rng = world.rng
    keys = ["schedule_export", "create_alert", "embed_dashboard", "funnel_chart", "view_audit_log"]
    rng.shuffle(keys)

    def fits(key: str) -> Any:
        action = ACTIONS[key]
        assert action.feature
        return lambda a: (
            a.status == "active"
            and not a.flags[action.feature]
            and bool(_users_with_role(a, action.min_role))
        )

    key = next(k for k in keys if any(fits(k)(a) for a in world.accounts))
    action = ACTIONS[key]
    assert action.feature
    account, received, onset = _situate(world, lang, fits(key), action.component, lead=48 * HOUR_MS)
    user = rng.choice(_users_with_role(account, action.min_role))
    ws = _workspace_for(rng, user, account)
    if rng.random() < 0.3:
        when = onset - rng.randrange(1, 48) * HOUR_MS
        world.change(
            max(when, world.start),
            account.account_id,
            "billing-system",
            "flag",
            f"flag:{action.feature}",
            True,
            False,
            "Trial of add-on ended",
        )
    details = {"reason": "feature_disabled", "feature": action.feature}
    rids = _attempts(
        world,
        account,
        user,
        ws,
        action,
        onset,
        received,
        "rejected",
        details,
        "FEATURE_DISABLED",
        403,
        rng.randrange(1, 4),
    )
    story = _story(world, "feature_flag_off", lang, account, user, received, onset, action.key)
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    story.error = _shown("FEATURE_DISABLED", action, rng.choice(rids))
    plan = _Plan(story, "feature_flag_off", [action.feature], _checks("feature_flag_off"))
    on_flags = [f for f, on in account.flags.items() if on]
    if on_flags and rng.random() < 0.5:
        world.change(
            onset - rng.randrange(2, 48) * HOUR_MS,
            account.account_id,
            "billing-system",
            "flag",
            f"flag:{rng.choice(on_flags)}",
            False,
            True,
            "Add-on enabled",
        )
    _distract(world, plan, account, action.component, onset, received)
    return plan


def _sso_config_change(world: _World, lang: str) -> _Plan:
    rng = world.rng
    action = ACTIONS["login_sso"]
    fresh = [
        a
        for a in world.accounts
        if a.status == "active" and a.flags["sso"] and a.sso_story is None and len(a.active_users()) > 2
    ]
    if fresh:
        account, received, onset = _situate(world, lang, lambda a: a in fresh, "auth", lead=2 * HOUR_MS)
        changed_at = onset - rng.randrange(5, 90) * MINUTE_MS
        changer = rng.choice(_users_with_role(account, "admin"))
        what = rng.choice(["certificate_fingerprint", "idp_entity_id"])
        old = account.workspaces[0].settings["sso"][what]
        new = (
            _fingerprint(rng)
            if what == "certificate_fingerprint"
            else old.rsplit("/", 1)[0] + "/" + world.new_id("saml", 8)
        )
        for ws in account.workspaces:
            ws.settings["sso"][what] = new
        world.change(
            changed_at,
            account.account_id,
            changer.email,
            "config",
            "sso",
            {what: old},
            {what: new},
            rng.choice(
                ["Rotated IdP signing certificate", "Updated SAML settings", "SSO configuration updated"]
            ),
        )
        world.silence(account.account_id, "auth", changed_at, world.now)
        account.sso_story = (changed_at, what, onset, received)
        victims = rng.sample(account.active_users(), min(len(account.active_users()), rng.randrange(2, 5)))
    else:
        # a second colleague of an already locked-out account writes in, a little later
        colleague = _pick_account(world, lang, lambda a: a.sso_story is not None)
        assert colleague is not None and colleague.sso_story is not None
        changed_at, what, first_onset, first_received = colleague.sso_story
        account = colleague
        onset = first_onset + rng.randrange(0, 20) * MINUTE_MS
        received = min(first_received + rng.randrange(5, 120) * MINUTE_MS, world.now - 5 * MINUTE_MS)
        received = max(received, onset + 10 * MINUTE_MS)
        victims = [rng.choice(account.active_users())]
    reason = {
        "certificate_fingerprint": "signature validation failed: certificate does not match",
        "idp_entity_id": "issuer does not match the configured IdP entity id",
    }[what]
    rids: list[str] = []
    for user in victims:
        ws = _workspace_for(rng, user, account)
        rids += _attempts(
            world,
            account,
            user,
            ws,
            action,
            onset + rng.randrange(0, 10) * MINUTE_MS,
            received,
            "failed",
            {"reason": "sso_assertion_invalid", "method": "sso"},
            "SSO_ASSERTION_INVALID",
            401,
            rng.randrange(1, 4),
            f"SAML assertion rejected: {reason}",
        )
    requester = victims[0]
    story = _story(world, "sso_config_change", lang, account, requester, received, onset, action.key)
    story.error = _shown("SSO_ASSERTION_INVALID", action, rng.choice(rids))
    story.show_workspace = 0.15
    ws = _workspace_for(rng, requester, account)
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    plan = _Plan(story, "sso_config_change", [what, _hhmm(changed_at)], _checks("sso_config_change"))
    _distract(world, plan, account, "auth", onset, received)
    return plan


def _api_key_expired(world: _World, lang: str) -> _Plan:
    rng = world.rng
    action = ACTIONS[rng.choice(["api_call", "api_call", "ingest_events"])]
    account, received, onset = _situate(
        world,
        lang,
        lambda a: _can_do(a, action) and any(k.ended_ms is None for k in a.api_keys),
        action.component,
        lead=36 * HOUR_MS,
    )
    key = rng.choice([k for k in account.api_keys if k.ended_ms is None])
    ended = onset - rng.randrange(2, 36 * 60) * MINUTE_MS
    expired = rng.random() < 0.4
    admin = rng.choice(_users_with_role(account, "admin"))
    if expired:
        key.created_ms = ended - 365 * DAY_MS
        for row in world.changes:
            if row["target"] == f"api_key:{key.prefix}":
                row["ts"] = key.created_ms
        world.change(
            ended,
            account.account_id,
            "system",
            "config",
            f"api_key:{key.prefix}",
            "active",
            "expired",
            "API key reached its 365-day expiry",
        )
    else:
        world.change(
            ended,
            account.account_id,
            admin.email,
            "config",
            f"api_key:{key.prefix}",
            "active",
            "revoked",
            rng.choice(["Key revoked", "Revoked during security review", "Rotating credentials"]),
        )
    key.ended_ms = ended
    code = "API_KEY_EXPIRED" if expired else "API_KEY_REVOKED"
    user = rng.choice(account.active_users())
    ws = _workspace_for(rng, user, account)
    rids = _attempts(
        world,
        account,
        user,
        ws,
        action,
        onset,
        received,
        "rejected",
        {"reason": code.lower(), "api_key_prefix": key.prefix},
        code,
        401,
        rng.randrange(3, 9),
        f"{action.method} {action.route} 401 {code} key={key.prefix}",
    )
    requester = rng.choice(_users_with_role(account, "analyst") or account.active_users())
    story = _story(world, "api_key_expired", lang, account, requester, received, onset, action.key, "api")
    shown = _shown(code, action, rng.choice(rids))
    story.error = ShownError(
        shown.code,
        shown.status,
        shown.message,
        shown.request_id,
        shown.path,
        shown.method,
        key.prefix,
        key.secret,
    )
    story.show_error = 0.8
    plan = _Plan(
        story,
        "api_key_expired",
        [key.prefix, "expired" if expired else "revoked"],
        _checks("api_key_expired"),
    )
    _distract(world, plan, account, action.component, onset, received)
    return plan


def _rate_limited(world: _World, lang: str) -> _Plan:
    rng = world.rng
    action = ACTIONS[rng.choice(["api_call", "api_call", "ingest_events"])]
    account, received, onset = _situate(
        world, lang, lambda a: _can_do(a, action) and a.key_at(world.now) is not None, action.component
    )
    limit = account.limits["api_calls_per_hour"]
    user = rng.choice(account.active_users())
    ws = _workspace_for(rng, user, account)
    key = account.key_at(onset) or account.api_keys[0]
    rids: list[str] = []
    bursts = sorted(
        [onset] + [onset + int((received - onset) * rng.random()) for _ in range(rng.randrange(0, 3))]
    )
    for start in bursts:
        for i in range(rng.randrange(8, 20)):
            world.log(
                start - (20 - i) * 3000,
                "api-gateway",
                account.account_id,
                user.user_id,
                world.request_id(),
                action.method,
                action.route,
                200,
                None,
                f"{action.method} {action.route} 200 key={key.prefix}",
            )
        retry = rng.randrange(10, 60)
        rids += _attempts(
            world,
            account,
            user,
            ws,
            action,
            start,
            start + 4 * MINUTE_MS,
            "rejected",
            {"reason": "rate_limited", "limit": limit},
            "RATE_LIMITED",
            429,
            rng.randrange(15, 45),
            f"rate limit exceeded: {limit} calls/hour for account, retry after {retry}s key={key.prefix}",
        )
    requester = rng.choice(_users_with_role(account, "analyst") or account.active_users())
    story = _story(world, "rate_limited", lang, account, requester, received, onset, action.key, "api")
    story.error = _shown("RATE_LIMITED", action, rng.choice(rids))
    plan = _Plan(story, "rate_limited", [str(limit), "429"], _checks("rate_limited"))
    _distract(world, plan, account, action.component, onset, received)
    return plan


def _documented_delay(world: _World, lang: str) -> _Plan:
    rng = world.rng
    behaviour: Behaviour = rng.choice(DELAY_BEHAVIOURS)
    assert behaviour.action and behaviour.event_type and behaviour.component
    action = ACTIONS[behaviour.action]
    crm = behaviour.behaviour_id == "beh_crm_sync_interval"

    def fits(a: Account) -> bool:
        if crm and not any(i in ("salesforce", "hubspot") for i in a.integrations()):
            return False
        return _can_do(a, action)

    account, received, onset = _situate(world, lang, fits, behaviour.component)
    component = behaviour.component
    integration = (
        next((i for i in account.integrations() if i in ("salesforce", "hubspot")), None) if crm else None
    )
    if crm:
        world.ticket_windows.setdefault("integrations", []).append((onset, received))
    user = rng.choice(_users_with_role(account, action.min_role))
    ws = _workspace_for(rng, user, account)
    world.silence(account.account_id, component, onset - HOUR_MS, received + HOUR_MS)
    bound = behaviour.bound_minutes
    t = onset
    for _ in range(rng.randrange(1, 4)):
        delay = rng.randrange(max(2, bound * 35 // 100), max(3, bound * 95 // 100)) * MINUTE_MS
        details: dict[str, Any] = {
            "delay_minutes": delay // MINUTE_MS,
            "documented_bound_minutes": bound,
            "behaviour_id": behaviour.behaviour_id,
        }
        if action.object_kind == "export":
            details["export_id"] = world.new_id("exp_")
        if behaviour.behaviour_id == "beh_large_exports":
            details["rows"] = rng.randrange(1_200_000, 6_000_000)
        if integration:
            details["integration"] = integration
        first = rng.choice(["queued", "delayed"])
        world.event(t, account, ws.workspace_id, user.user_id, behaviour.event_type, first, dict(details))
        world.event(
            t + delay,
            account,
            ws.workspace_id,
            user.user_id,
            behaviour.event_type,
            "succeeded",
            dict(details),
        )
        t += delay + rng.randrange(20, 240) * MINUTE_MS
        if t >= received:
            break
    story = _story(world, "documented_delay", lang, account, user, received, onset, action.key)
    story.detail = behaviour.behaviour_id
    story.integration = integration
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    if account.dashboards:
        story.object_kind = "dashboard"
        story.object_id, story.object_name = account.dashboards[0]
    plan = _Plan(story, "documented_delay", [behaviour.answer_point or ""], _checks("documented_delay"))
    _distract(world, plan, account, component, onset, received)
    return plan


def _wrong_workspace(world: _World, lang: str) -> _Plan:
    rng = world.rng
    action = ACTIONS[rng.choice(["create_dashboard", "export_csv"])]
    account, received, onset = _situate(
        world, lang, lambda a: len(a.workspaces) >= 2 and _can_do(a, action), action.component
    )
    user = rng.choice(_users_with_role(account, action.min_role))
    if len(user.workspace_ids) < 2:
        user.workspace_ids = sorted({*user.workspace_ids, *(w.workspace_id for w in account.workspaces[:2])})
    real_id, named_id = rng.sample(user.workspace_ids, 2)
    real = next(w for w in account.workspaces if w.workspace_id == real_id)
    named = next(w for w in account.workspaces if w.workspace_id == named_id)
    kind = "dashboard" if action.key == "create_dashboard" else "export"
    object_id = world.new_id("dsh_" if kind == "dashboard" else "exp_")
    name = rng.choice(_DASHBOARD_NAMES)
    created = onset
    world.event(
        created,
        account,
        real.workspace_id,
        user.user_id,
        action.event_type,
        "succeeded",
        {f"{kind}_id": object_id, "name": name},
    )
    looked = created + rng.randrange(30, max(31, (received - created) // MINUTE_MS)) * MINUTE_MS
    looked = min(looked, received - MINUTE_MS)
    for i in range(rng.randrange(1, 3)):
        rid = world.request_id()
        ts = looked + i * rng.randrange(1, 20) * MINUTE_MS
        world.event(
            ts,
            account,
            named.workspace_id,
            user.user_id,
            f"{kind}.viewed",
            "failed",
            {f"{kind}_id": object_id, "reason": "not_found"},
        )
        world.log(
            ts,
            action.component,
            account.account_id,
            user.user_id,
            rid,
            "GET",
            f"/w/{{workspace}}/{kind}s/{{id}}",
            404,
            "NOT_FOUND",
            f"GET /w/{named.workspace_id}/{kind}s/{object_id} 404 NOT_FOUND",
        )
    story = _story(world, "wrong_workspace", lang, account, user, received, onset, action.key)
    story.workspace_id, story.workspace_name = named.workspace_id, named.name
    story.must_name_workspace = True
    story.object_kind, story.object_id, story.object_name = kind, object_id, name
    if rng.random() < 0.5:
        story.error = ShownError(
            "NOT_FOUND", 404, f"{kind.capitalize()} not found", None, f"/v2/{kind}s/{{id}}"
        )
    plan = _Plan(story, "wrong_workspace", [real.workspace_id], _checks("wrong_workspace"))
    _distract(world, plan, account, action.component, onset, received)
    return plan


def _user_deleted_data(world: _World, lang: str) -> _Plan:
    rng = world.rng
    kind = rng.choice(["dashboard", "dashboard", "export"])
    component = "dashboards" if kind == "dashboard" else "exports"
    account, received, onset = _situate(
        world, lang, lambda a: len(_users_with_role(a, "editor")) >= 1 and len(a.users) > 2, component
    )
    deleted_at = onset
    object_id = world.new_id("dsh_" if kind == "dashboard" else "exp_")
    name = rng.choice(_DASHBOARD_NAMES)
    deleter = rng.choice(_users_with_role(account, "editor"))
    ws = _workspace_for(rng, deleter, account)
    creator = rng.choice(
        [u for u in account.active_users() if ws.workspace_id in u.workspace_ids] or [deleter]
    )
    created = deleted_at - rng.randrange(3, 60) * DAY_MS
    world.event(
        max(created, world.start - 60 * DAY_MS),
        account,
        ws.workspace_id,
        creator.user_id,
        f"{kind}.created",
        "succeeded",
        {f"{kind}_id": object_id, "name": name},
    )
    for _ in range(rng.randrange(2, 6)):
        ts = deleted_at - rng.randrange(60, 9 * 24 * 60) * MINUTE_MS
        if ts > world.start:
            viewer = rng.choice(account.active_users())
            world.event(
                ts,
                account,
                ws.workspace_id,
                viewer.user_id,
                f"{kind}.viewed",
                "succeeded",
                {f"{kind}_id": object_id},
            )
    world.event(
        deleted_at,
        account,
        ws.workspace_id,
        deleter.user_id,
        f"{kind}.deleted",
        "succeeded",
        {f"{kind}_id": object_id, "name": name},
    )
    requester = rng.choice(
        [u for u in account.active_users() if ws.workspace_id in u.workspace_ids] or [deleter]
    )
    rid = world.request_id()
    world.log(
        received - rng.randrange(2, 40) * MINUTE_MS,
        component,
        account.account_id,
        requester.user_id,
        rid,
        "GET",
        f"/v2/{kind}s/{{id}}",
        404,
        "NOT_FOUND",
        f"GET /v2/{kind}s/{object_id} 404 NOT_FOUND",
    )
    story = _story(
        world,
        "user_deleted_data",
        lang,
        account,
        requester,
        received,
        onset,
        "view_dashboard" if kind == "dashboard" else "download_export",
    )
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    story.object_kind, story.object_id, story.object_name = kind, object_id, name
    if rng.random() < 0.4:
        story.error = ShownError(
            "NOT_FOUND", 404, f"{kind.capitalize()} not found", rid, f"/v2/{kind}s/{{id}}"
        )
    plan = _Plan(story, "user_deleted_data", [deleter.email], _checks("user_deleted_data"))
    _distract(world, plan, account, component, onset, received)
    return plan


# ---- cross-account episodes


def _episode_times(
    world: _World, component: str, min_len: int, max_len: int, open_ok: bool
) -> tuple[int, int]:
    rng = world.rng
    for _ in range(80):
        start = world.now - rng.randrange(6 * 60, (TICKET_DAYS - 1) * 24 * 60) * MINUTE_MS
        start = (start // HOUR_MS) * HOUR_MS + rng.randrange(0, 60) * MINUTE_MS
        end = start + rng.randrange(min_len, max_len) * MINUTE_MS
        if open_ok and end > world.now:
            end = world.now
        if end > world.now - 30 * MINUTE_MS and not open_ok:
            continue
        if not world.is_busy(component, start - 8 * HOUR_MS, end + 2 * HOUR_MS):
            return start, end
    return start, end


def _error_lines(
    world: _World,
    episode: Episode,
    service: str,
    codes: list[str],
    message: str,
    route: tuple[str, str],
    exclude: Iterable[str] = (),
) -> None:
    """5xx lines across many accounts: what makes an episode cross-account rather than one customer's."""
    rng = world.rng
    if not episode.story_id:
        episode.story_id = world.new_story()
    skip = set(exclude)
    start, end = episode.start_ms - CLAIM_MARGIN, episode.end_ms + CLAIM_MARGIN
    bystanders = [
        a
        for a in world.accounts
        if a.status == "active" and a.account_id not in skip and world.is_free(a.account_id, start, end)
    ]
    hours = max(1.0, (episode.end_ms - episode.start_ms) / HOUR_MS)
    count = min(160, int(hours * rng.randrange(10, 22)))
    chosen = rng.sample(bystanders, min(len(bystanders), rng.randrange(5, 10)))
    for account in chosen:
        # the affected accounts that did not write in: their stretch belongs to this episode
        world.claim(account.account_id, start, end, episode.story_id)
    for _ in range(count):
        account = rng.choice(chosen)
        user = rng.choice(account.active_users())
        code = rng.choice(codes)
        status = ERRORS[code][0]
        ts = episode.start_ms + rng.randrange(
            2 * MINUTE_MS, max(3 * MINUTE_MS, episode.end_ms - episode.start_ms)
        )
        world.log(
            ts,
            service,
            account.account_id,
            user.user_id,
            world.request_id(),
            route[0],
            route[1],
            status,
            code,
            f"{route[0]} {route[1]} {status} {code}: {message}",
        )


def _build_episodes(world: _World, family: str, tickets: int) -> list[Episode]:
    rng = world.rng
    episodes: list[Episode] = []
    remaining = tickets
    while remaining > 0:
        size = min(remaining, rng.randrange(2, 6))
        remaining -= size
        if family == "deploy_regression":
            component = rng.choice(list(_REGRESSION_ACTIONS))
            start, end = _episode_times(world, component, 4 * 60, 26 * 60, open_ok=True)
            version = world.deploy(
                start,
                component,
                rng.choice(
                    ["query engine refactor", "new serializer", "pagination rewrite", "timezone handling"]
                ),
            )
            if end < world.now:
                world.deploy(end, component, f"rollback of {version}")
            episode = Episode(family, component, start, end, deploy_hhmm=_hhmm(start))
            episode.answer_points = [component, _hhmm(start)]
            world.busy.setdefault(component, []).append((start - 8 * HOUR_MS, end + 2 * HOUR_MS))
            first_action = ACTIONS[_REGRESSION_ACTIONS[component][0]]
            _error_lines(
                world,
                episode,
                "api-gateway" if first_action.via_api_key else component,
                ["INTERNAL_ERROR"],
                _REGRESSION_BUGS[component],
                (first_action.method, first_action.route),
            )
        elif family == "open_incident":
            component = rng.choice(list(_INCIDENT_ACTIONS))
            is_open = rng.random() < 0.5
            if is_open:
                start = world.now - rng.randrange(90, 30 * 60) * MINUTE_MS
                end = world.now
                if world.is_busy(component, start - 8 * HOUR_MS, end):
                    start, end = _episode_times(world, component, 3 * 60, 12 * 60, open_ok=False)
                    is_open = False
            else:
                start, end = _episode_times(world, component, 3 * 60, 12 * 60, open_ok=False)
            title = rng.choice(_INCIDENT_TITLES[component])
            incident_id = _incident(world, component, start, None if is_open else end, title)
            episode = Episode(family, component, start, end, title=title, incident_id=incident_id)
            episode.answer_points = [title]
            action = ACTIONS[_INCIDENT_ACTIONS[component][0]]
            _error_lines(
                world,
                episode,
                "api-gateway" if action.via_api_key else component,
                ["SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT", "INTERNAL_ERROR"],
                "upstream request failed",
                (action.method, action.route),
            )
        else:
            integration = rng.choice(INTEGRATIONS)
            component = f"integration:{integration}"
            start, end = _episode_times(world, component, 2 * 60, 10 * 60, open_ok=rng.random() < 0.4)
            label = INTEGRATION_LABELS[integration]
            title = rng.choice(
                [
                    f"{label} API outage (third party)",
                    f"{label} sync failing due to upstream outage",
                    f"Degraded {label} integration",
                ]
            )
            incident_id = None
            if rng.random() < 0.7:
                incident_id = _incident(world, component, start, None if end >= world.now else end, title)
            else:
                world.busy.setdefault(component, []).append((start - 2 * HOUR_MS, end + 2 * HOUR_MS))
            episode = Episode(
                family,
                component,
                start,
                end,
                title=title if incident_id else "",
                incident_id=incident_id,
                integration=integration,
            )
            episode.answer_points = [integration] + ([title] if incident_id else [])
            _error_lines(
                world,
                episode,
                "integrations",
                ["UPSTREAM_UNAVAILABLE"],
                f"{integration} upstream returned 503 Service Unavailable",
                ("POST", "/v2/integrations/{name}/sync"),
            )
        episodes.extend([episode] * size)
    return episodes


def _episode_ticket(world: _World, lang: str, episode: Episode) -> _Plan:
    rng = world.rng
    family = episode.family
    if family == "integration_outage":
        assert episode.integration
        integration = episode.integration
        action = ACTIONS[rng.choice(["sync_integration", "sync_integration", "connect_integration"])]

        def fits(a: Account) -> bool:
            return (
                integration in a.integrations()
                and _can_do(a, action)
                and a.account_id not in episode.accounts_used
            )

        if not any(fits(a) for a in world.accounts):
            # make the integration connected somewhere so the story holds
            host = rng.choice(
                [a for a in world.accounts if a.status == "active" and _users_with_role(a, "admin")]
            )
            host.workspaces[0].settings["integrations"] = sorted(
                {*host.workspaces[0].settings["integrations"], integration}
            )
    else:
        keys = list(
            (_REGRESSION_ACTIONS if family == "deploy_regression" else _INCIDENT_ACTIONS)[episode.component]
        )
        rng.shuffle(keys)

        def able(a: Account, candidate: Action) -> bool:
            ok = _can_do(a, candidate) and a.account_id not in episode.accounts_used
            return ok and (candidate.key != "login_sso" or a.sso_story is None)

        action = next(
            (ACTIONS[k] for k in keys if any(able(a, ACTIONS[k]) for a in world.accounts)), ACTIONS[keys[0]]
        )
        if not any(able(a, action) for a in world.accounts):
            episode.accounts_used.clear()  # a small world: let an account report twice

        def fits(a: Account) -> bool:
            return able(a, action)

    latest = min(episode.end_ms, world.now) - 5 * MINUTE_MS
    received = episode.start_ms + rng.randrange(
        20 * MINUTE_MS, max(21 * MINUTE_MS, latest - episode.start_ms)
    )
    onset = episode.start_ms + rng.randrange(
        2 * MINUTE_MS, max(3 * MINUTE_MS, (received - episode.start_ms) // 2)
    )
    start, end = _span(received, onset)
    picked = None
    for attempt in range(200):
        picked = _pick_account(
            world,
            lang,
            lambda a: fits(a) and world.is_free(a.account_id, start, end, episode.story_id),
            required=False,
        )
        if picked is not None:
            break
        _build_accounts(world, 3, first_batch=False)
        if family == "integration_outage" and attempt % 3 == 2:
            host = world.accounts[-1]
            host.workspaces[0].settings["integrations"] = sorted(
                {*host.workspaces[0].settings["integrations"], integration}
            )
    account = picked or _pick_account(world, lang, fits)
    assert account is not None
    world.claim(account.account_id, start, end, episode.story_id)
    episode.accounts_used.append(account.account_id)
    user = rng.choice(_users_with_role(account, action.min_role))
    ws = _workspace_for(rng, user, account)
    story_integration = episode.integration
    if family == "deploy_regression":
        code, outcome, reason = "INTERNAL_ERROR", "failed", "internal_error"
        message = _REGRESSION_BUGS[episode.component]
    elif family == "open_incident":
        code = rng.choice(["SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT"])
        outcome, reason, message = "failed", "service_unavailable", "upstream request failed"
    else:
        code, outcome, reason = "UPSTREAM_UNAVAILABLE", "failed", "upstream_unavailable"
        message = f"{episode.integration} upstream returned 503 Service Unavailable"
    details: dict[str, Any] = {"reason": reason}
    if story_integration:
        details["integration"] = story_integration
    status = ERRORS[code][0]
    if action.key == "login_sso":
        world.silence(account.account_id, "auth", episode.start_ms, episode.end_ms)
    rids = _attempts(
        world,
        account,
        user,
        ws,
        action,
        onset,
        received,
        outcome,
        details,
        code,
        status,
        rng.randrange(2, 6),
        f"{action.method} {action.route} {status} {code}: {message}",
    )
    surface = "api" if action.via_api_key else ("mobile" if rng.random() < 0.08 else "ui")
    story = _story(world, family, lang, account, user, received, onset, action.key, surface)
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    story.integration = story_integration
    shown_message = {
        "INTERNAL_ERROR": "Something went wrong. Please try again later",
        "UPSTREAM_UNAVAILABLE": f"{INTEGRATION_LABELS.get(story_integration or '', '')} is not "
        "responding. Sync failed",
    }.get(code)
    story.error = _shown(code, action, rng.choice(rids), shown_message)
    plan = _Plan(story, family, list(episode.answer_points), _checks(family))
    _distract(world, plan, account, episode.component, onset, received)
    return plan


# ---- the two families without a cause


def _needs_info(world: _World, lang: str) -> _Plan:
    rng = world.rng
    account, received, onset = _situate(world, lang, lambda a: True, "dashboards")
    user = rng.choice(account.active_users())
    story = _story(world, "needs_info", lang, account, user, received, onset, None)
    ws = _workspace_for(rng, user, account)
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    story.show_workspace = 0.2
    story.show_time = 0.5
    return _Plan(story, "needs_info")


def _unclear(world: _World, lang: str) -> _Plan:
    rng = world.rng
    topic = rng.choice(sorted(UNCLEAR_TOPICS))
    action = ACTIONS[UNCLEAR_TOPICS[topic][0]]
    account, received, onset = _situate(
        world, lang, lambda a: _can_do(a, action) and bool(a.dashboards), action.component, pad=8 * HOUR_MS
    )
    user = rng.choice(_users_with_role(account, action.min_role))
    ws = _workspace_for(rng, user, account)
    world.silence(account.account_id, action.component, onset - HOUR_MS, received + HOUR_MS)
    dash_id, dash_name = rng.choice(account.dashboards)
    # what the world shows is ordinary: the action succeeding, nothing rejected or changed
    for _ in range(rng.randrange(2, 5)):
        ts = onset + int((received - onset) * rng.random())
        world.event(
            ts,
            account,
            ws.workspace_id,
            user.user_id,
            action.event_type,
            "succeeded",
            {"dashboard_id": dash_id} if action.object_kind == "dashboard" else {},
        )
        world.log(
            ts,
            "api-gateway" if action.via_api_key else action.component,
            account.account_id,
            user.user_id,
            world.request_id(),
            action.method,
            action.route,
            200,
            None,
            f"{action.method} {action.route} 200 {rng.randrange(80, 9000)}ms",
        )
    surface = "mobile" if topic == "random_logout" else ("api" if action.via_api_key else "ui")
    story = _story(world, "unclear", lang, account, user, received, onset, action.key, surface)
    story.detail = topic
    story.workspace_id, story.workspace_name = ws.workspace_id, ws.name
    story.object_kind, story.object_id, story.object_name = "dashboard", dash_id, dash_name
    checks = {
        "chart_colors": ["changes.recent_config_changes", "changes.recent_deploys"],
        "pdf_fonts": ["changes.recent_deploys", "logs.error_spike"],
        "numbers_mismatch": ["behaviours.documented_behaviour", "events.processing_delays"],
        "slow_dashboard": ["incidents.open_incidents", "logs.error_spike"],
        "random_logout": ["logs.auth_failures", "changes.recent_config_changes"],
        "export_flaky": ["events.rejected_actions", "logs.error_spike"],
        "api_empty": ["logs.error_spike", "changes.recent_deploys"],
        "email_spam": ["changes.recent_config_changes"],
    }[topic]
    return _Plan(story, "unclear", [], [IDENTITY_CHECK, *checks])


# --------------------------------------------------------------------------------------
# Background traffic


def _background(world: _World, log_lines: int) -> None:
    rng = world.rng
    # deploys every day or two on each first-party component, clear of cross-account stories
    for component in (
        "dashboards",
        "exports",
        "ingest",
        "auth",
        "api-gateway",
        "scheduler",
        "billing",
        "integrations",
    ):
        ts = world.start + rng.randrange(2, 30) * HOUR_MS
        while ts < world.now:
            if not world.is_busy(component, ts - 2 * HOUR_MS, ts + 10 * HOUR_MS):
                world.deploy(
                    ts,
                    component,
                    rng.choice(
                        [
                            "bug fixes",
                            "performance improvements",
                            "copy changes",
                            "dependency bumps",
                            "feature flag cleanup",
                        ]
                    ),
                )
            ts += rng.randrange(18, 60) * HOUR_MS
    # old, resolved incidents before any ticket's window
    for _ in range(rng.randrange(3, 6)):
        component = rng.choice([*_INCIDENT_TITLES, *(f"integration:{i}" for i in INTEGRATIONS)])
        start = world.start + rng.randrange(2, 30) * HOUR_MS
        end = start + rng.randrange(25, 150) * MINUTE_MS
        if component.startswith("integration:"):
            label = INTEGRATION_LABELS[component.split(":", 1)[1]]
            title = f"{label} sync delays (third party)"
        else:
            title = rng.choice(_INCIDENT_TITLES[component])
        _incident(world, component, start, end, title)
    # account-level changes: promotions, add-ons, upgrades, settings
    for account in world.accounts:
        admins = _users_with_role(account, "admin")
        if not admins:
            continue
        for _ in range(rng.randrange(0, 4)):
            ts = world.start + rng.randrange(0, WORLD_DAYS * 24) * HOUR_MS
            kind = rng.choice(["role", "flag", "config", "config", "plan"])
            actor = rng.choice(admins).email
            if kind == "role":
                user = rng.choice(account.users)
                if ROLE_RANK[user.role] >= 1 and user.role != "owner":
                    world.change(
                        ts,
                        account.account_id,
                        actor,
                        "role",
                        f"user:{user.user_id}",
                        ROLES[ROLE_RANK[user.role] - 1],
                        user.role,
                        "Role updated",
                    )
            elif kind == "flag":
                on = [f for f, v in account.flags.items() if v]
                if on:
                    world.change(
                        ts,
                        account.account_id,
                        "billing-system",
                        "flag",
                        f"flag:{rng.choice(on)}",
                        False,
                        True,
                        "Add-on enabled",
                    )
            elif kind == "plan" and account.plan != "free":
                lower = PLANS[PLANS.index(account.plan) - 1]
                world.change(
                    ts,
                    account.account_id,
                    "billing-system",
                    "plan",
                    "plan",
                    lower,
                    account.plan,
                    "Plan upgraded",
                )
            else:
                ws = rng.choice(account.workspaces)
                setting = rng.choice(["timezone", "default_role", "data_retention_days"])
                world.change(
                    ts,
                    account.account_id,
                    actor,
                    "config",
                    f"workspace:{ws.workspace_id}:{setting}",
                    None,
                    ws.settings[setting],
                    "Workspace settings updated",
                )
    _background_events(world)
    _background_logs(world, log_lines)


_EVENT_MIX: list[tuple[str, float]] = [
    ("view_dashboard", 10),
    ("run_query", 4),
    ("export_csv", 2),
    ("edit_dashboard", 2),
    ("share_dashboard", 0.6),
    ("create_dashboard", 0.3),
    ("schedule_export", 0.4),
    ("create_alert", 0.3),
    ("sync_integration", 1.0),
    ("login", 3),
]


def _background_events(world: _World) -> None:
    rng = world.rng
    people = sum(len(a.active_users()) for a in world.accounts if a.status == "active")
    keep = min(1.0, 40 * 7 * 9 / max(1, people * WORLD_DAYS))
    for account in world.accounts:
        if account.status != "active":
            continue
        exports_today: Counter[int] = Counter()
        cap = max(1, min(account.limits["exports_per_day"] - 2, 12))
        for user in account.active_users():
            for day in range(WORLD_DAYS):
                for _ in range(rng.randrange(0, 4)):
                    if rng.random() > keep:
                        continue
                    ts = world.start + day * DAY_MS + rng.randrange(6 * 60, 20 * 60) * MINUTE_MS
                    key = _weighted(rng, _EVENT_MIX)
                    ws = _workspace_for(rng, user, account)
                    if key == "login":
                        if world.is_quiet(account.account_id, "auth", ts):
                            continue
                        method = "sso" if account.flags["sso"] else "password"
                        world.event(ts, account, None, user.user_id, "login", "succeeded", {"method": method})
                        continue
                    action = ACTIONS[key]
                    if not _can_do(account, action) or ROLE_RANK[user.role] < ROLE_RANK[action.min_role]:
                        continue
                    if world.is_quiet(account.account_id, action.component, ts):
                        continue
                    details: dict[str, Any] = {}
                    if action.object_kind == "dashboard" and account.dashboards:
                        details["dashboard_id"] = rng.choice(account.dashboards)[0]
                    elif action.key == "export_csv":
                        if exports_today[ts // DAY_MS] >= cap:
                            continue
                        exports_today[ts // DAY_MS] += 1
                        details = {
                            "export_id": rng.choice(account.exports),
                            "format": rng.choice(["csv", "xlsx"]),
                        }
                    elif action.object_kind == "integration":
                        details["integration"] = rng.choice(account.integrations())
                        if world.is_busy(f"integration:{details['integration']}", ts - HOUR_MS, ts + HOUR_MS):
                            continue
                    world.event(
                        ts, account, ws.workspace_id, user.user_id, action.event_type, "succeeded", details
                    )


def _background_logs(world: _World, count: int) -> None:
    rng = world.rng
    active = [a for a in world.accounts if a.status == "active"]
    weights = [{"free": 1, "team": 2, "business": 4, "enterprise": 6}[a.plan] for a in active]
    users = {a.account_id: a.active_users() for a in active}
    picks = rng.choices(active, weights=weights, k=count)
    span = world.now - world.start
    random_ = rng.random
    for account in picks:
        ts = world.start + int(span * random_())
        service, method, route = _BACKGROUND_ROUTES[int(random_() * len(_BACKGROUND_ROUTES))]
        key_text = ""
        if service in ("api-gateway", "ingest"):
            key = account.key_at(ts)
            if key is None:
                service, method, route = "dashboards", "GET", "/v2/dashboards"
            else:
                key_text = f" key={key.prefix}"
        if service == "integrations" or world.is_quiet(account.account_id, service, ts):
            service, method, route = "dashboards", "GET", "/v2/dashboards"
            if world.is_quiet(account.account_id, service, ts):
                continue
        user = users[account.account_id][int(random_() * len(users[account.account_id]))]
        roll = random_()
        if roll < 0.965:
            status, code = (201 if method == "POST" else 200), None
        elif roll < 0.995:
            code, status = _NOISE_ERRORS[int(random_() * len(_NOISE_ERRORS))]
        elif world.is_claimed(account.account_id, ts):
            # a stray 5xx inside a story's stretch could read as a rise: keep it to 4xx noise
            code, status = _NOISE_ERRORS[int(random_() * len(_NOISE_ERRORS))]
        else:
            code = "INTERNAL_ERROR" if random_() < 0.6 else "GATEWAY_TIMEOUT"
            status = ERRORS[code][0]
        path = route
        if "{id}" in route:
            path = route.replace("{id}", account.dashboards[0][0] if "dash" in route else account.exports[0])
        tail = f"{status} {int(random_() * 900) + 12}ms" if code is None else f"{status} {code}"
        world.log(
            ts,
            service,
            account.account_id,
            user.user_id,
            world.request_id(),
            method,
            route,
            status,
            code,
            f"{method} {path} {tail}{key_text}",
        )


# --------------------------------------------------------------------------------------
# Writing the pack


def _family_plan(rng: random.Random, tickets: int) -> list[str]:
    needs = round(tickets * 0.08)
    unclear = round(tickets * 0.06)
    rest = tickets - needs - unclear
    per, extra = divmod(rest, len(CAUSES))
    families = ["needs_info"] * needs + ["unclear"] * unclear
    bonus = set(rng.sample(range(len(CAUSES)), extra))
    for i, cause in enumerate(CAUSES):
        families += [cause] * (per + (1 if i in bonus else 0))
    rng.shuffle(families)
    return families


_BUILDERS = {
    "plan_limit": _plan_limit,
    "missing_permission": _missing_permission,
    "feature_flag_off": _feature_flag_off,
    "sso_config_change": _sso_config_change,
    "api_key_expired": _api_key_expired,
    "rate_limited": _rate_limited,
    "documented_delay": _documented_delay,
    "wrong_workspace": _wrong_workspace,
    "user_deleted_data": _user_deleted_data,
    "needs_info": _needs_info,
    "unclear": _unclear,
}
_EPISODIC = ("deploy_regression", "open_incident", "integration_outage")


def _other_tenant(world: _World, account_id: str, rng: random.Random) -> OtherTenant:
    other = rng.choice([a for a in world.accounts if a.account_id != account_id])
    user = rng.choice(other.users)
    return OtherTenant(other.brand, other.account_id, other.workspaces[0].workspace_id, user.email)


def _truth(
    plan: _Plan, rendered_ids: dict[str, str], missing: list[str], forbidden: list[str]
) -> dict[str, Any]:
    family = plan.family
    cause = family if family in CAUSE_CLASSES else None
    decision = CAUSE_CLASSES[cause] if cause else family
    return {
        "decision": decision,
        "cause": cause,
        "route_queue": route_queue_for(decision, cause),
        "identifiers": rendered_ids,
        "missing": missing,
        "required_evidence": plan.required_evidence,
        "answer_points": [p for p in plan.answer_points if p],
        "forbidden": list(dict.fromkeys([*plan.forbidden, *forbidden])),
        "family": family,
        "language": plan.story.language,
    }


def _dump(rows: Iterable[dict[str, Any]], path: Path, times: tuple[str, ...]) -> int:
    lines: list[bytes] = []
    for row in rows:
        out = dict(row)
        for key in times:
            if isinstance(out.get(key), int):
                out[key] = _iso_ms(out[key])
        lines.append(orjson.dumps(out))
    data = b"\n".join(lines) + (b"\n" if lines else b"")
    path.write_bytes(data)
    return len(lines)


POOL_FACTOR = 1.5


def generate_pack(
    seed: int,
    tickets: int,
    out: Path,
    *,
    log_lines: int | None = None,
    ticket_seed: int | None = None,
) -> PackSummary:
    """Write a scenario pack for `seed` with `tickets` tickets to `out` (created or overwritten).

    The world (everything under `world/`) derives from `seed` and `tickets` only. It holds the
    planted proof for a pool of about `POOL_FACTOR * tickets` situations, with the family mix
    of the pack — and `ticket_seed` (default: `seed`) picks which situations become tickets, with
    the same family counts, and writes their wording. Two packs with the same `seed` and
    `tickets` but different `ticket_seed`s therefore share byte-identical world files while
    their tickets differ (about two thirds of the situations are shared, at random). Situations no
    ticket was written about stay in the world, like problems customers never reported.

    `log_lines` is the number of background request-log lines (planted lines come on top);
    by default it scales with the ticket count. Deterministic: no wall clock, no global random.
    """
    rng = random.Random(seed)
    world = _World(seed, rng)
    families = _family_plan(rng, tickets)
    pool_families = list(families)
    for family in sorted(set(families)):
        extra = -(-families.count(family) * int(POOL_FACTOR * 2 - 2) // 2)
        pool_families += [family] * extra
    # about two stories per account fit in the world's span; more accounts are added on demand
    _build_accounts(world, max(40, len(pool_families) * 2 // 5))
    rng.shuffle(pool_families)
    episodes = {f: _build_episodes(world, f, pool_families.count(f)) for f in _EPISODIC}
    pool: list[_Plan] = []
    for family in pool_families:
        lang = _language(world)
        if family in _EPISODIC:
            pool.append(_episode_ticket(world, lang, episodes[family].pop()))
        else:
            pool.append(_BUILDERS[family](world, lang))
    _background(world, log_lines if log_lines is not None else max(4000, tickets * 24))

    # Tickets: a stream of their own, so the world above never depends on `ticket_seed`.
    chosen = seed if ticket_seed is None else ticket_seed
    trng = random.Random(f"supportflow-tickets:{chosen}")
    plans: list[_Plan] = []
    for family in sorted(set(families)):
        candidates = [p for p in pool if p.family == family]
        plans += trng.sample(candidates, families.count(family))
    for plan in plans:
        roll = trng.random()
        if roll < 0.07:
            plan.story.other_tenant = _other_tenant(world, plan.story.account_id, trng)
        elif roll < 0.13:
            plan.story.injection = True
            if trng.random() < 0.7:
                plan.story.other_tenant = _other_tenant(world, plan.story.account_id, trng)
    rng = trng
    prefix = f"T-{seed}" if ticket_seed is None or ticket_seed == seed else f"T-{seed}.{ticket_seed}"

    out.mkdir(parents=True, exist_ok=True)
    (out / "world").mkdir(exist_ok=True)
    plans.sort(key=lambda p: p.story.received_ms)
    ticket_lines: list[bytes] = []
    language_counts: Counter[str] = Counter()
    for n, plan in enumerate(plans, start=1):
        story = plan.story
        rendered = render(story, rng)
        ticket = {
            "ticket_id": f"{prefix}-{n:04d}",
            "message_id": f"<{rng.getrandbits(64):016x}.{n}@mail.{ascii_slug(story.company.split()[0])}.example>",
            "received_at": iso_seconds(story.received_ms),
            "channel": story.channel,
            "subject": rendered.subject,
            "body": rendered.body,
            "requester": {"email": story.requester.email, "name": story.requester.name},
            "metadata": rendered.metadata,
            "thread": rendered.thread,
        }
        truth = _truth(plan, rendered.identifiers, rendered.missing, rendered.forbidden)
        ticket_lines.append(orjson.dumps({"ticket": ticket, "truth": truth}))
        language_counts[story.language] += 1
    (out / "tickets.jsonl").write_bytes(b"\n".join(ticket_lines) + b"\n")

    rows = _write_world(world, out / "world")
    size = sum(p.stat().st_size for p in out.rglob("*.jsonl"))
    return PackSummary(
        out=out,
        seed=seed,
        tickets=len(plans),
        families=dict(sorted(Counter(p.family for p in plans).items())),
        languages=dict(sorted(language_counts.items())),
        rows=rows,
        bytes=size,
    )


def _write_world(world: _World, folder: Path) -> dict[str, int]:
    accounts = [
        {
            "account_id": a.account_id,
            "name": a.name,
            "plan": a.plan,
            "status": a.status,
            "region": a.region,
            "created_at": a.created_ms,
            "limits": a.limits,
            "flags": a.flags,
        }
        for a in world.accounts
    ]
    users = [
        {
            "user_id": u.user_id,
            "email": u.email,
            "account_id": u.account_id,
            "workspace_ids": u.workspace_ids,
            "role": u.role,
            "status": u.status,
            "sso": u.sso,
            "created_at": u.created_ms,
        }
        for a in world.accounts
        for u in a.users
    ]
    workspaces = [
        {"workspace_id": w.workspace_id, "account_id": w.account_id, "name": w.name, "settings": w.settings}
        for a in world.accounts
        for w in a.workspaces
    ]
    behaviours = [{"behaviour_id": b.behaviour_id, "title": b.title, "text": b.text} for b in BEHAVIOURS]
    by_ts = lambda row: row["ts"]  # noqa: E731
    incidents = sorted(world.incidents, key=lambda r: r["started_at"])
    return {
        "accounts": _dump(accounts, folder / "accounts.jsonl", ("created_at",)),
        "users": _dump(users, folder / "users.jsonl", ("created_at",)),
        "workspaces": _dump(workspaces, folder / "workspaces.jsonl", ()),
        "events": _dump(sorted(world.events, key=by_ts), folder / "events.jsonl", ("ts",)),
        "logs": _dump(sorted(world.logs, key=by_ts), folder / "logs.jsonl", ("ts",)),
        "changes": _dump(sorted(world.changes, key=by_ts), folder / "changes.jsonl", ("ts",)),
        "incidents": _dump(incidents, folder / "incidents.jsonl", ("started_at", "resolved_at")),
        "behaviours": _dump(behaviours, folder / "behaviours.jsonl", ()),
    }
