"""The generic check kinds over a small adopter-shaped world.

Each test writes the rows it needs into an SQLite file in the adopter's own shape (their table
and column names, epoch-second times, JSON error bodies stored as text) and, for incidents, a
statuspage-shaped JSON answer on a real local HTTP server; a `DataModel` maps it onto logical
entities, and the kind runs on a hand-made `CaseContext` through the real connectors.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from services.investigator.checks import Finding as FindingFromChecks
from services.investigator.context import CaseContext, incident_as_of
from services.investigator.finding import Finding
from services.investigator.kinds import (
    References,
    best_behaviour,
    bound_of,
    changes_before,
    fill,
    overlapping,
    render,
    row_facts,
    run_kind,
    select,
    value_matches,
)
from services.investigator.signals import TicketSignals, stems_of
from services.investigator.sources import Sources, SourceUnavailable, build_sources
from supportflow.domain.loader import load_domain
from supportflow.domain.models import CheckSpec, CheckText, DataModel
from supportflow.domain.yamlfile import DomainError
from supportflow.events import IntakeSection

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW_END = T0 + timedelta(hours=4)

SCHEMA = """
CREATE TABLE orgs (org_ref TEXT PRIMARY KEY, display_name TEXT, plan TEXT);
CREATE TABLE people (uid TEXT, org_ref TEXT, mail TEXT, access TEXT);
CREATE TABLE api_log (
    id INTEGER PRIMARY KEY, org_ref TEXT, ts INTEGER, path TEXT, http_status INTEGER,
    key_prefix TEXT, svc TEXT, actor_mail TEXT, response_body TEXT
);
CREATE TABLE credentials (prefix TEXT, org_ref TEXT, state TEXT, changed INTEGER, expires INTEGER);
CREATE TABLE releases (ts INTEGER, service TEXT, version TEXT, notes TEXT);
CREATE TABLE audit (org_ref TEXT, ts INTEGER, actor TEXT, action TEXT, target TEXT);
CREATE TABLE articles (slug TEXT, heading TEXT, body TEXT);
"""

DATA = {
    "sources": {"db": {"kind": "sql", "url": "${KINDS_TEST_DB}"}, "status": {"kind": "http", "url": "x"}},
    "entities": {
        "tenants": {"source": "db", "table": "orgs", "tenant_field": "org_ref"},
        "members": {
            "source": "db",
            "table": "people",
            "tenant_field": "org_ref",
            "fields": {"member_id": "uid", "email": "mail", "role": "access"},
        },
        "requests": {
            "source": "db",
            "table": "api_log",
            "tenant_field": "org_ref",
            "time_field": "ts",
            "time_format": "epoch_s",
            "fields": {
                "status": "http_status",
                "component": "svc",
                "email": "actor_mail",
                "error_code": "response_body$.error.code",
            },
        },
        "keys": {
            "source": "db",
            "table": "credentials",
            "tenant_field": "org_ref",
            "time_field": "changed",
            "time_format": "epoch_s",
            "times": ["expires"],
            "fields": {"key_prefix": "prefix", "expires_at": "expires"},
        },
        "deploys": {
            "source": "db",
            "table": "releases",
            "time_field": "ts",
            "time_format": "epoch_s",
            "fields": {"component": "service"},
        },
        "changes": {
            "source": "db",
            "table": "audit",
            "tenant_field": "org_ref",
            "time_field": "ts",
            "time_format": "epoch_s",
        },
        "behaviours": {"source": "db", "table": "articles", "fields": {"title": "heading", "text": "body"}},
        "incidents": {
            "source": "status",
            "table": "api/v2/incidents.json",
            "items": "$.incidents",
            "time_field": "created_at",
            "fields": {
                "incident_id": "id",
                "title": "name",
                "started_at": "created_at",
                "resolved_at": "resolved_at",
                "components": "$.components[*].name",
                "public_message": "$.incident_updates[0].body",
                "updates": "$.incident_updates[*]",
            },
        },
    },
}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def error_body(code: str) -> str:
    return json.dumps({"error": {"code": code, "message": f"{code} happened"}})


@dataclass
class World:
    """The adopter's tables as rows; `sources()` writes them and connects the data model."""

    folder: Path
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    status_url: str = "http://127.0.0.1:9/"

    def add(self, table: str, **row: Any) -> None:
        self.tables.setdefault(table, []).append(row)

    def request(
        self, org: str, moment: datetime, status: int, *, code: str | None = None, **more: Any
    ) -> None:
        body = error_body(code) if code else json.dumps({"ok": True})
        self.add("api_log", org_ref=org, ts=epoch(moment), http_status=status, response_body=body, **more)

    def sources(self) -> Sources:
        path = self.folder / "adopter.db"
        path.unlink(missing_ok=True)
        with sqlite3.connect(path) as db:
            db.executescript(SCHEMA)
            for table, rows in self.tables.items():
                for row in rows:
                    columns = ", ".join(row)
                    marks = ", ".join("?" for _ in row)
                    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
        db.close()
        data = DataModel.model_validate(DATA)
        return build_sources(data, locations={"db": f"sqlite:///{path}", "status": self.status_url})


@dataclass(frozen=True)
class Hypothesis:
    cause: str = "some_cause"
    attributes: Mapping[str, Any] = field(default_factory=dict)


DANA = {"member_id": "u_1", "email": "dana@acme.test", "role": "admin"}


def case(
    sources: Sources,
    *,
    tenant: str = "org_1",
    text: str = "",
    identifiers: dict[str, str] | None = None,
    components: tuple[str, ...] = (),
    codes: tuple[str, ...] = (),
    integrations: tuple[str, ...] = (),
    subject: dict[str, Any] | None = None,
    language: str = "en",
    as_of: datetime | None = None,
) -> CaseContext:
    ids = identifiers or {}
    intake = IntakeSection(
        requester_email="dana@acme.test",
        problem_statement=text or "a problem",
        identifiers=ids,
        language=language,
    )
    signals = TicketSignals(
        error_codes=frozenset(codes),
        components=frozenset(components),
        integrations=frozenset(integrations),
        stems=stems_of(text),
        text=text.lower(),
        identifiers=ids,
    )
    member = DANA if subject is None else subject
    return CaseContext(
        intake=intake,
        sources=sources.for_case(),
        tenant_id=tenant,
        requester=member,
        subject=member,
        scope_id=None,
        window_start=T0,
        window_end=WINDOW_END,
        signals=signals,
        as_of=as_of,
    )


def check(kind: str, entity: str | None = None, **params: Any) -> CheckSpec:
    text = params.pop("text", None)
    internal = params.pop("internal", None)
    return CheckSpec(
        kind=kind,
        entity=entity,
        params=params,
        text=CheckText(**(text or {})),
        internal=CheckText(**(internal or {})),
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    built = World(tmp_path)
    yield built


async def run(world: World, spec: CheckSpec, **ctx_args: Any) -> tuple[Finding, CaseContext]:
    sources = world.sources()
    try:
        hypothesis = ctx_args.pop("hypothesis", Hypothesis())
        ctx = case(sources, **ctx_args)
        return await run_kind("test.check", spec, ctx, hypothesis), ctx
    finally:
        await sources.aclose()


# --- filters and templates (pure) ------------------------------------------------------------


def test_finding_is_still_importable_from_checks() -> None:
    assert FindingFromChecks is Finding


@pytest.mark.parametrize(
    ("value", "condition", "expected"),
    [
        (429, 429, True),
        ("429", 429, True),
        (429, [500, 429], True),
        (404, [500, 429], False),
        ("Revoked", "revoked", True),
        (None, None, True),
        (None, "x", False),
        (503, {"gte": 500}, True),
        (499, {"gte": 500}, False),
        (500, {"gt": 500}, False),
        (200, {"lt": 300, "gte": 200}, True),
        (300, {"lte": 299}, False),
        ("b", {"in": ["A", "B"]}, True),
        ("c", {"not_in": ["a", "b"]}, True),
        (None, {"not_in": ["a"]}, True),
        ("Rate limit exceeded", {"contains": "LIMIT"}, True),
        ({"reason": "quota"}, {"contains": "quota"}, True),
        ("km_live_abc123", {"matches": r"^km_live_[a-z0-9]+$"}, True),
        ("wh_1", {"matches": r"^km_"}, False),
        (["Email API", "SMTP"], "smtp", True),
        (["Email API"], {"contains": "email"}, True),
        ("x", {"ne": "y"}, True),
        (None, {"exists": True}, False),
        ("", {"exists": False}, True),
        (T0, {"lt": "2026-11-21T00:00:00Z"}, True),
        (T0, {"gte": WINDOW_END}, False),
        (True, "true", True),
        (None, {"gte": 1}, False),
        ("abc", {"gte": 5}, False),
    ],
)
def test_value_matches(value: Any, condition: Any, expected: bool) -> None:
    assert value_matches(value, condition) is expected


def test_select_reads_inside_json_columns_and_logical_fields() -> None:
    rows = [
        {"status": 429, "body": error_body("rate_limited")},
        {"status": 500, "body": error_body("internal")},
        {"status": 200, "body": json.dumps({"ok": True})},
    ]
    assert select(rows, {"body$.error.code": "RATE_LIMITED"}) == rows[:1]
    assert select(rows, {"status": {"gte": 400}, "body$.error.code": {"ne": "internal"}}) == rows[:1]
    assert select(rows, {}) == rows
    either = {"any_of": [{"status": 500}, {"body$.error.code": "rate_limited"}]}
    assert select(rows, either) == rows[:2]
    assert select(rows, {**either, "status": {"lt": 500}}) == rows[:1]


async def test_references_resolve_ticket_member_hypothesis_and_window(tmp_path: Path) -> None:
    sources = World(tmp_path).sources()
    await sources.aclose()
    ctx = case(sources, identifiers={"api_key_prefix": "km_live_abc"}, codes=("RATE_LIMITED",))
    refs = References.of(ctx, Hypothesis("rate_limited", {"codes": ["a", "b"]}))
    assert refs.resolve("{ticket.api_key_prefix}") == "km_live_abc"
    assert refs.resolve("key {ticket.api_key_prefix}!") == "key km_live_abc!"
    assert refs.resolve("{ticket.error_codes}") == ["RATE_LIMITED"]
    assert refs.resolve(["x", "{hypothesis.codes}"]) == ["x", "a", "b"]
    assert refs.resolve({"lt": "{window.end}"}) == {"lt": WINDOW_END}
    assert refs.resolve("{member.email}") == "dana@acme.test"
    assert refs.resolve(r"\d{3}") == r"\d{3}"  # not a reference: left as written
    assert refs.conditions({"a": "{ticket.webhook_id}", "b": 1}, soft=True) == {"b": 1}
    with pytest.raises(Exception, match=r"ticket\.webhook_id"):
        refs.conditions({"a": "{ticket.webhook_id}"})


def test_row_facts_count_times_and_reported_fields() -> None:
    rows = [
        {"at": T0 + timedelta(minutes=5), "code": "a"},
        {"at": T0 + timedelta(hours=2), "code": "b"},
        {"at": T0 + timedelta(hours=1), "code": "a"},
    ]
    facts = row_facts(rows, ["code"])
    assert facts == {
        "count": "3",
        "first_at": "2026-11-20 12:05 UTC",
        "last_at": "2026-11-20 14:00 UTC",
        "code": "b",
        "code_values": "a, b",
    }
    assert row_facts(rows, {"latest_code": "code"})["latest_code"] == "b"
    assert row_facts([], ["code"]) == {"count": "0"}


def test_templates_skip_unknown_facts_and_fall_back() -> None:
    texts = CheckText(
        supports={
            "en": ["{count} hits, last {missing_fact}.", "{count} hits {{literally}}."],
            "de": ["{count} Treffer."],
        }
    )
    assert fill("{a} and {b}", {"a": "1"}) is None
    assert render(texts, "supports", {"count": "3"}) == "3 hits {literally}."
    assert render(texts, "supports", {"count": "3"}, language="de") == "3 Treffer."
    assert render(texts, "supports", {"count": "3"}, language="fr") == "3 hits {literally}."
    assert render(texts, "contradicts", {"count": "3"}) is None


# --- rows_in_window --------------------------------------------------------------------------


def rate_limited_world(world: World) -> None:
    for minutes in (60, 65, 70):
        world.request(
            "org_1", T0 + timedelta(minutes=minutes), 429, code="rate_limited", key_prefix="km_live_abc"
        )
    world.request("org_1", T0 - timedelta(hours=3), 429, code="rate_limited", key_prefix="km_live_abc")
    world.request("org_1", T0 + timedelta(minutes=80), 200, key_prefix="km_live_ok")
    world.request("org_1", T0 + timedelta(minutes=90), 500, code="internal", key_prefix="km_live_ok")
    for minutes in range(10):  # another tenant's rows never count
        world.request(
            "org_2", T0 + timedelta(minutes=minutes), 429, code="rate_limited", key_prefix="km_live_abc"
        )


RATE_LIMITS: dict[str, Any] = {
    "match": {"status": 429, "key_prefix": "{ticket.api_key_prefix}"},
    "report": ["error_code"],
    "min_count": 2,
    "text": {
        "supports": {"en": ["{count} requests with key {key} were throttled ({first_at} – {last_at})."]},
        "contradicts": {"en": ["None of the key's requests were throttled."]},
    },
    "internal": {
        "supports": {"en": ["{count}× {error_code} between {first_at} and {last_at} (no {nothing})."]},
    },
}


async def test_rows_in_window_supports_with_facts_scoped_to_the_tenant(world: World) -> None:
    rate_limited_world(world)
    spec = check("rows_in_window", "requests", **RATE_LIMITS)
    finding, ctx = await run(world, spec, identifiers={"api_key_prefix": "KM_LIVE_ABC"})
    assert finding.verdict == "supports"
    assert finding.facts["count"] == "3"
    assert finding.facts["first_at"] == "2026-11-20 13:00 UTC"
    assert finding.facts["last_at"] == "2026-11-20 13:10 UTC"
    assert finding.facts["error_code"] == "rate_limited"
    # the internal template names an unknown fact and the customer one an unknown {key}: generic text
    assert finding.observed.startswith("3 matching rows of requests between 2026-11-20 12:00 UTC")
    assert all(query.tenant == "org_1" for query in ctx.reads)


async def test_rows_in_window_renders_the_first_template_whose_facts_are_known(world: World) -> None:
    rate_limited_world(world)
    params = json.loads(json.dumps(RATE_LIMITS))
    params["internal"]["supports"]["en"].append("{count}× {error_code}, last at {last_at}.")
    finding, _ = await run(
        world, check("rows_in_window", "requests", **params), identifiers={"api_key_prefix": "km_live_abc"}
    )
    assert finding.observed == "3× rate_limited, last at 2026-11-20 13:10 UTC."
    params["internal"] = {}
    params["text"]["supports"]["en"].append("{count} throttled requests.")
    finding, _ = await run(
        world, check("rows_in_window", "requests", **params), identifiers={"api_key_prefix": "km_live_abc"}
    )
    assert finding.observed == "3 throttled requests."


async def test_rows_in_window_lookback_and_min_count(world: World) -> None:
    rate_limited_world(world)
    spec = check("rows_in_window", "requests", match={"status": 429}, min_count=4)
    finding, _ = await run(world, spec)
    assert finding.verdict == "contradicts"
    assert finding.facts["count"] == "3"
    spec = check("rows_in_window", "requests", match={"status": 429}, min_count=4, lookback_hours=6)
    finding, _ = await run(world, spec)
    assert finding.verdict == "supports"
    assert finding.facts["first_at"] == "2026-11-20 09:00 UTC"


async def test_rows_in_window_is_neutral_when_the_ticket_lacks_a_referenced_value(world: World) -> None:
    rate_limited_world(world)
    finding, _ = await run(world, check("rows_in_window", "requests", **RATE_LIMITS))
    assert finding.verdict == "neutral"
    assert finding.observed == "The ticket names no api key prefix to look for."
    assert finding.facts == {"missing": "ticket.api_key_prefix"}


async def test_rows_in_window_other_match_decides_between_contradicts_and_neutral(world: World) -> None:
    rate_limited_world(world)
    params = {**RATE_LIMITS, "other_match": {"status": {"lt": 300}, "key_prefix": "{ticket.api_key_prefix}"}}
    spec = check("rows_in_window", "requests", **params)
    worked, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_ok"})
    assert worked.verdict == "contradicts"
    assert worked.facts["other_count"] == "1"
    assert worked.observed == "None of the key's requests were throttled."
    silent, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_none"})
    assert silent.verdict == "neutral"


async def test_rows_in_window_absent_verdict_is_configurable(world: World) -> None:
    rate_limited_world(world)
    spec = check("rows_in_window", "requests", match={"status": 418}, absent="neutral")
    finding, _ = await run(world, spec)
    assert finding.verdict == "neutral"


async def test_rows_in_window_member_only_and_about_ticket(world: World) -> None:
    world.request("org_1", T0 + timedelta(minutes=1), 403, code="forbidden", actor_mail="DANA@acme.test")
    world.request("org_1", T0 + timedelta(minutes=2), 403, code="forbidden", actor_mail="lee@acme.test")
    world.request("org_1", T0 + timedelta(minutes=3), 403, code="key_revoked", actor_mail="dana@acme.test")
    mine = check("rows_in_window", "requests", match={"status": 403}, member_only=True)
    finding, _ = await run(world, mine)
    assert finding.facts["count"] == "2"
    assert finding.facts["member"] == "dana@acme.test"
    nobody, _ = await run(world, mine, subject={})
    assert nobody.verdict == "neutral"
    about = check(
        "rows_in_window",
        "requests",
        match={"status": 403},
        about_ticket={"error_code": "{ticket.error_codes}"},
    )
    narrowed, _ = await run(world, about, codes=("KEY_REVOKED",))
    assert narrowed.facts["count"] == "1"
    everything, _ = await run(world, about)  # the ticket quotes no code: the condition is dropped
    assert everything.facts["count"] == "3"


# --- latest_state ----------------------------------------------------------------------------


def keys_world(world: World) -> None:
    world.add(
        "credentials",
        prefix="km_live_old",
        org_ref="org_1",
        state="active",
        changed=epoch(T0 - timedelta(days=30)),
    )
    world.add(
        "credentials",
        prefix="km_live_old",
        org_ref="org_1",
        state="revoked",
        changed=epoch(T0 - timedelta(days=2)),
    )
    world.add(
        "credentials",
        prefix="km_live_abc",
        org_ref="org_1",
        state="active",
        changed=epoch(T0 - timedelta(days=9)),
    )
    # revoked only after the ticket's window: the state the customer saw was active
    world.add(
        "credentials",
        prefix="km_live_abc",
        org_ref="org_1",
        state="revoked",
        changed=epoch(T0 + timedelta(days=2)),
    )
    world.add(
        "credentials",
        prefix="km_live_exp",
        org_ref="org_1",
        state="active",
        changed=epoch(T0 - timedelta(days=40)),
        expires=epoch(T0 - timedelta(days=1)),
    )
    world.add("credentials", prefix="km_live_old", org_ref="org_2", state="active", changed=epoch(T0))


KEY_STATE: dict[str, Any] = {
    "match": {"key_prefix": "{ticket.api_key_prefix}"},
    "field": "state",
    "bad": ["revoked", "expired"],
    "good": "active",
    "text": {"supports": {"en": ["Key {key_prefix} is {value} since {latest_at}."]}},
    "report": ["key_prefix"],
}


async def test_latest_state_supports_contradicts_and_absent(world: World) -> None:
    keys_world(world)
    spec = check("latest_state", "keys", **KEY_STATE)
    revoked, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_old"})
    assert revoked.verdict == "supports"
    assert revoked.observed == "Key km_live_old is revoked since 2026-11-18 12:00 UTC."
    assert revoked.facts["count"] == "2"
    active, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_abc"})
    assert active.verdict == "contradicts"
    assert active.facts["value"] == "active"
    unknown, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_zzz"})
    assert unknown.verdict == "neutral"
    absent = check("latest_state", "keys", **{**KEY_STATE, "absent": "supports"})
    missing, _ = await run(world, absent, identifiers={"api_key_prefix": "km_live_zzz"})
    assert missing.verdict == "supports"


async def test_latest_state_conditions_may_compare_times_with_the_window(world: World) -> None:
    keys_world(world)
    spec = check(
        "latest_state",
        "keys",
        match={"key_prefix": "{ticket.api_key_prefix}"},
        field="expires_at",
        bad={"lt": "{window.start}"},
        good={"gte": "{window.end}"},
    )
    expired, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_exp"})
    assert expired.verdict == "supports"
    assert expired.facts["value"] == "2026-11-19 12:00 UTC"
    never, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_abc"})
    assert never.verdict == "neutral"  # no expiry at all: neither bad nor good


async def test_latest_state_about_ticket_narrows_only_when_the_ticket_names_a_value(world: World) -> None:
    keys_world(world)
    spec = check(
        "latest_state",
        "keys",
        about_ticket={"key_prefix": "{ticket.api_key_prefix}"},
        field="state",
        bad="revoked",
    )
    named, _ = await run(world, spec, identifiers={"api_key_prefix": "km_live_abc"})
    assert (named.verdict, named.facts["value"]) == ("neutral", "active")
    anyone, _ = await run(world, spec)  # the latest key change of the tenant: km_live_old revoked
    assert anyone.verdict == "supports"


# --- change_before_errors --------------------------------------------------------------------

DEPLOY_REGRESSION: dict[str, Any] = {
    "errors": "requests",
    "error_match": {"status": {"gte": 500}},
    "component_field": "component",
    "error_component_field": "component",
    "within_hours": 6,
    "report": ["version"],
    "text": {
        "supports": {
            "en": ["{component} {version} shipped at {change_at}; errors began {minutes_after} min later."]
        }
    },
}


async def test_change_before_errors_supports_the_deploy_on_the_failing_component(world: World) -> None:
    world.add("releases", ts=epoch(T0 + timedelta(minutes=30)), service="exports", version="4.2.0")
    world.add("releases", ts=epoch(T0 + timedelta(minutes=40)), service="billing", version="9.9.9")
    for minutes in (45, 50, 70, 90, 120):
        world.request("org_1", T0 + timedelta(minutes=minutes), 500, code="internal", svc="exports")
    world.request("org_1", T0 + timedelta(minutes=20), 200, svc="exports")
    finding, _ = await run(world, check("change_before_errors", "deploys", **DEPLOY_REGRESSION))
    assert finding.verdict == "supports"
    assert finding.observed == "exports 4.2.0 shipped at 2026-11-20 12:30 UTC; errors began 15 min later."
    assert finding.facts["errors_after"] == "5"
    assert finding.facts["errors_before"] == "0"
    assert finding.facts["count"] == "5"
    assert finding.facts["first_at"] == "2026-11-20 12:45 UTC"
    assert finding.facts["last_at"] == "2026-11-20 14:00 UTC"


async def test_change_before_errors_contradicts_when_errors_were_there_before(world: World) -> None:
    world.add("releases", ts=epoch(T0 + timedelta(minutes=30)), service="exports", version="4.2.0")
    for hour in range(-20, 4):  # one error an hour for a day: chronic, not a regression
        world.request("org_1", T0 + timedelta(hours=hour, minutes=40), 502, code="bad_gateway", svc="exports")
    finding, _ = await run(world, check("change_before_errors", "deploys", **DEPLOY_REGRESSION))
    assert finding.verdict == "contradicts"
    assert "did not rise" in finding.observed
    assert int(finding.facts["errors_before"]) >= 3


async def test_change_before_errors_needs_the_same_component(world: World) -> None:
    world.add("releases", ts=epoch(T0 + timedelta(minutes=30)), service="billing", version="9.9.9")
    for minutes in (45, 50, 70):
        world.request("org_1", T0 + timedelta(minutes=minutes), 500, code="internal", svc="dashboards")
    finding, _ = await run(world, check("change_before_errors", "deploys", **DEPLOY_REGRESSION))
    assert finding.verdict == "contradicts"
    assert "on dashboards" in finding.observed
    anywhere = {k: v for k, v in DEPLOY_REGRESSION.items() if not k.endswith("component_field")}
    loose, _ = await run(world, check("change_before_errors", "deploys", **anywhere))
    assert loose.verdict == "supports"
    assert loose.facts["component_note"] == "a change anywhere counts"
    assert loose.observed.startswith(
        "a deploys row changed at 2026-11-20 12:30 UTC; 3 matching requests followed"
    )
    assert loose.observed.endswith("(no component field is mapped: a change anywhere counts).")


async def test_change_before_errors_is_neutral_without_errors_and_reads_the_tenants_changes(
    world: World,
) -> None:
    world.request("org_1", T0 + timedelta(minutes=5), 200)
    finding, _ = await run(world, check("change_before_errors", "deploys", **DEPLOY_REGRESSION))
    assert finding.verdict == "neutral"
    # the tenant's own change (an SSO setting) before its login failures; another tenant's does not count
    world.add(
        "audit", org_ref="org_2", ts=epoch(T0 + timedelta(minutes=5)), action="sso.update", target="sso"
    )
    world.add(
        "audit", org_ref="org_1", ts=epoch(T0 + timedelta(minutes=10)), action="sso.update", target="sso"
    )
    for minutes in (20, 25, 40):
        world.request("org_1", T0 + timedelta(minutes=minutes), 401, code="sso_assertion_invalid")
    spec = check(
        "change_before_errors",
        "changes",
        errors="requests",
        error_match={"error_code": {"matches": "^sso_"}},
        match={"action": {"contains": "sso"}},
        report=["actor", "action"],
    )
    own, _ = await run(world, spec)
    assert own.verdict == "supports"
    assert own.facts["change_at"] == "2026-11-20 12:10 UTC"
    assert own.facts["minutes_after"] == "10"


def test_changes_before_orders_latest_first_and_respects_within() -> None:
    errors = [{"at": T0 + timedelta(hours=5), "c": "x"}]
    changes = [
        {"at": T0, "c": "x"},
        {"at": T0 + timedelta(hours=4), "c": "x"},
        {"at": T0 + timedelta(hours=4), "c": "y"},
    ]
    runs = changes_before(
        errors, changes, within=timedelta(hours=2), change_component="c", error_component="c"
    )
    assert [run.at for run in runs] == [T0 + timedelta(hours=4)]


# --- error_rate_rise -------------------------------------------------------------------------

TIMEOUTS: dict[str, Any] = {"match": {"error_code": "timeout"}, "min_count": 3, "ratio": 3}


async def test_error_rate_rise_supports_a_rise_over_the_baseline(world: World) -> None:
    world.request("org_1", T0 - timedelta(hours=2), 504, code="timeout")
    for minutes in range(0, 240, 30):
        world.request("org_1", T0 + timedelta(minutes=minutes), 504, code="timeout")
    finding, _ = await run(world, check("error_rate_rise", "requests", **TIMEOUTS))
    assert finding.verdict == "supports"
    assert finding.facts["count"] == "8"
    assert finding.facts["baseline_count"] == "1"
    assert finding.facts["ratio"] == "8.0"
    assert finding.facts["baseline_hours"] == "4"


async def test_error_rate_rise_contradicts_a_steady_rate_and_is_neutral_without_rows(world: World) -> None:
    for minutes in range(-240, 240, 30):
        world.request("org_1", T0 + timedelta(minutes=minutes), 504, code="timeout")
    steady, _ = await run(world, check("error_rate_rise", "requests", **TIMEOUTS))
    assert steady.verdict == "contradicts"
    assert steady.facts["ratio"] == "1.0"
    longer, _ = await run(world, check("error_rate_rise", "requests", **TIMEOUTS, baseline_hours=1))
    assert longer.facts["baseline_count"] == "2"
    nothing, _ = await run(world, check("error_rate_rise", "requests", **TIMEOUTS), tenant="org_9")
    assert nothing.verdict == "neutral"


# --- incident_overlap ------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


STATUSPAGE = {
    "page": {"id": "kestrel", "name": "Status"},
    "incidents": [
        {
            "id": "inc_old",
            "name": "Delayed sending",
            "status": "resolved",
            "created_at": iso(T0 - timedelta(hours=10)),
            "resolved_at": iso(T0 - timedelta(hours=5)),
            "components": [{"name": "Email API"}],
            "incident_updates": [{"body": "Resolved."}],
        },
        {
            "id": "inc_api",
            "name": "Elevated Email API errors",
            "status": "investigating",
            "created_at": iso(T0 - timedelta(hours=1)),
            "resolved_at": None,
            "components": [{"name": "Email API"}, {"name": "SMTP Relay"}],
            "incident_updates": [{"body": "We are investigating elevated error rates."}, {"body": "older"}],
        },
        {
            "id": "inc_gmail",
            "name": "Delivery delays to Gmail",
            "status": "resolved",
            "created_at": iso(T0 + timedelta(hours=1)),
            "resolved_at": iso(T0 + timedelta(hours=2)),
            "components": [{"name": "Gmail delivery"}],
            "incident_updates": [{"body": "Gmail accepts our mail again."}],
        },
        # resolved during the window, its updates timed: what a case sees depends on when it came
        dict(
            id="inc_dash",
            name="Slow dashboards",
            status="resolved",
            components=[{"name": "Dashboards"}],
            created_at=iso(T0 + timedelta(minutes=30)),
            resolved_at=iso(T0 + timedelta(hours=3)),
            incident_updates=[
                {"status": "resolved", "body": "Fixed at 14:50.", "created_at": iso(T0 + timedelta(hours=3))},
                {
                    "status": "identified",
                    "body": "A slow database node.",
                    "created_at": iso(T0 + timedelta(hours=1)),
                },
                {
                    "status": "investigating",
                    "body": "Looking into it.",
                    "created_at": iso(T0 + timedelta(minutes=30)),
                },
            ],
        ),
        {
            "id": "inc_later",
            "name": "Webhooks delayed",
            "status": "investigating",
            "created_at": iso(WINDOW_END + timedelta(hours=1)),
            "resolved_at": None,
            "components": [{"name": "Webhooks"}],
            "incident_updates": [],
        },
    ],
}


@pytest.fixture
def status_page() -> Iterator[str]:
    class StatusPage(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if not self.path.startswith("/api/v2/incidents.json"):
                self.send_error(404)
                return
            body = json.dumps(STATUSPAGE).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), StatusPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


INCIDENTS: dict[str, Any] = {
    "component_names": {"sending": ["Email API", "SMTP relay"], "webhooks": ["Webhooks"]},
    "text": {
        "supports": {"en": ["{title} ({status}) since {started_at}: {public_message}"]},
        "contradicts": {"en": ["No incident on {scope}."]},
    },
}


async def test_incident_overlap_on_the_tickets_component(world: World, status_page: str) -> None:
    world.status_url = status_page
    finding, _ = await run(world, check("incident_overlap", **INCIDENTS), components=("sending",))
    assert finding.verdict == "supports"
    assert finding.facts["incident_id"] == "inc_api"
    assert finding.facts["resolved"] == "no"
    assert finding.facts["components"] == "Email API, SMTP Relay"
    assert finding.observed == (
        "Elevated Email API errors (investigating) since 2026-11-20 11:00 UTC: We are investigating elevated error rates."
    )
    other, _ = await run(world, check("incident_overlap", **INCIDENTS), components=("webhooks",))
    assert other.verdict == "contradicts"  # the webhooks incident began after the window
    assert other.observed == "No incident on webhooks, Webhooks."


async def test_incident_overlap_for_third_parties(world: World, status_page: str) -> None:
    world.status_url = status_page
    spec = check("incident_overlap", third_party=["gmail", "outlook"])
    gmail, _ = await run(world, spec, text="Mails to gmail recipients bounce")
    assert gmail.verdict == "supports"
    assert gmail.facts["provider"] == "gmail"
    assert gmail.facts["resolved"] == "yes"
    assert gmail.facts["resolved_at"] == "2026-11-20 14:00 UTC"
    outlook, _ = await run(world, spec, text="Mails to outlook recipients bounce")
    assert outlook.verdict == "contradicts"
    by_components_only = check("incident_overlap", third_party=["gmail"], match_title=False)
    untitled, _ = await run(world, by_components_only, text="gmail")
    assert untitled.verdict == "supports"  # its component is "Gmail delivery"
    titled = check("incident_overlap", component_names=["Microsoft"], match_title=True)
    assert (await run(world, titled))[0].verdict == "contradicts"
    titled = check("incident_overlap", component_names=["Email API errors"], match_title=True)
    assert (await run(world, titled))[0].facts["incident_id"] == "inc_api"
    named = check("incident_overlap", third_party=True)
    nothing, _ = await run(world, named)
    assert nothing.verdict == "neutral"
    assert nothing.facts == {"missing": "ticket.integrations"}


async def test_incident_overlap_tells_the_incident_as_it_stood_when_the_ticket_arrived(
    world: World, status_page: str
) -> None:
    # a replay, or a case investigated again later, must not tell of an update posted after the
    # customer wrote: at 13:30 the incident was "identified", not yet resolved
    world.status_url = status_page
    spec = check("incident_overlap", component_names=["Dashboards"])
    then, _ = await run(world, spec, as_of=T0 + timedelta(minutes=90))
    assert then.facts["incident_id"] == "inc_dash"
    assert (then.facts["status"], then.facts["resolved"]) == ("identified", "no")
    assert then.facts["public_message"] == "A slow database node."
    assert "resolved_at" not in then.facts
    after, _ = await run(world, spec, as_of=T0 + timedelta(hours=4))
    assert (after.facts["status"], after.facts["resolved"]) == ("resolved", "yes")
    assert after.facts["public_message"] == "Fixed at 14:50."
    assert after.facts["resolved_at"] == "2026-11-20 15:00 UTC"
    # resolved after the ticket arrived, with no times on its updates: open, and no message
    gmail = check("incident_overlap", third_party=["gmail"])
    then, _ = await run(world, gmail, text="gmail", as_of=T0 + timedelta(minutes=90))
    assert (then.facts["resolved"], then.facts["status"]) == ("no", "open")
    assert "public_message" not in then.facts  # its one message may be the resolution
    # an incident posted after the ticket arrived was not yet known to it
    before, _ = await run(world, gmail, text="gmail", as_of=T0 + timedelta(minutes=30))
    assert before.verdict == "contradicts"


def test_an_incident_as_it_stood_reads_the_updates_posted_by_then() -> None:
    at = T0 + timedelta(minutes=90)
    updates = [
        {"status": "investigating", "body": "Looking into it.", "created_at": iso(T0)},
        {"status": "identified", "body": "A slow node.", "created_at": iso(T0 + timedelta(hours=1))},
        {"status": "monitoring", "body": "Fix deployed.", "created_at": iso(T0 + timedelta(hours=2))},
    ]
    still_open = {
        "status": "monitoring",
        "resolved_at": None,
        "public_message": "Fix deployed.",
        "updates": updates,
    }
    shown = incident_as_of(still_open, at)
    assert (shown["status"], shown["public_message"], shown["resolved_at"]) == (
        "identified",
        "A slow node.",
        None,
    )
    resolved = {**still_open, "status": "resolved", "resolved_at": T0 + timedelta(hours=3)}
    assert (incident_as_of(resolved, at)["status"], incident_as_of(resolved, at)["resolved_at"]) == (
        "identified",
        None,
    )
    assert incident_as_of(resolved, None)["public_message"] == "Fix deployed."  # no cut: the latest
    untimed = {"status": "resolved", "resolved_at": T0 + timedelta(hours=3), "public_message": "All fixed."}
    assert incident_as_of(untimed, at) == {"status": "open", "resolved_at": None, "public_message": None}
    over = {**untimed, "resolved_at": T0 + timedelta(hours=1)}
    assert incident_as_of(over, at) is over  # resolved before the ticket came, as the page shows it


async def test_incident_overlap_is_unavailable_when_the_status_page_is_down(world: World) -> None:
    world.status_url = "http://127.0.0.1:9/"  # nothing listens on the discard port
    with pytest.raises(SourceUnavailable):
        await run(world, check("incident_overlap", **INCIDENTS), components=("sending",))


async def test_incident_overlap_over_an_ndjson_incident_file(tmp_path: Path) -> None:
    """The same kind over incidents kept as NDJSON (ISO times, a components list)."""
    folder = tmp_path / "files"
    folder.mkdir()
    rows = [
        {
            "incident_id": "INC-1",
            "title": "Exports failing",
            "status": "investigating",
            "components": ["exports"],
            "started_at": iso(T0 + timedelta(hours=1)),
            "resolved_at": None,
            "public_message": "We are on it.",
        },
        {
            "incident_id": "INC-0",
            "title": "Old",
            "status": "resolved",
            "components": ["exports"],
            "started_at": iso(T0 - timedelta(days=2)),
            "resolved_at": iso(T0 - timedelta(days=1)),
        },
    ]
    (folder / "incidents.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    data = DataModel.model_validate(
        {
            "sources": {"files": {"kind": "files", "path": str(folder)}},
            "entities": {
                "incidents": {"source": "files", "time_field": "started_at", "times": ["resolved_at"]}
            },
        }
    )
    sources = build_sources(data)
    try:
        ctx = case(sources, components=("exports",))
        finding = await run_kind("incidents.open", check("incident_overlap"), ctx, Hypothesis())
        assert (finding.verdict, finding.facts["incident_id"], finding.facts["resolved"]) == (
            "supports",
            "INC-1",
            "no",
        )
        ctx = case(sources, components=("billing",))
        finding = await run_kind("incidents.open", check("incident_overlap"), ctx, Hypothesis())
        assert finding.verdict == "contradicts"
    finally:
        await sources.aclose()


def test_overlapping_uses_start_and_resolution() -> None:
    rows: list[dict[str, Any]] = [
        {"started_at": T0 - timedelta(hours=2), "resolved_at": T0 - timedelta(minutes=1)},
        {"started_at": T0 - timedelta(hours=2), "resolved_at": T0 + timedelta(minutes=1)},
        {"at": WINDOW_END, "resolved_at": None},
        {"at": WINDOW_END + timedelta(seconds=1), "resolved_at": None},
    ]
    assert overlapping(rows, T0, WINDOW_END) == rows[1:3]


# --- documented_behaviour --------------------------------------------------------------------

ARTICLES = [
    {
        "slug": "suppression",
        "heading": "Why bounced addresses stop receiving mail",
        "body": "After a hard bounce the address is put on the suppression list for 14 days. "
        "Messages sent to a suppressed address are dropped without an attempt.",
    },
    {
        "slug": "rate-limits",
        "heading": "API rate limits",
        "body": "Each API key may send 600 requests per minute; above that the API answers 429.",
    },
]


async def test_documented_behaviour_supports_the_best_match_with_its_bound(world: World) -> None:
    for article in ARTICLES:
        world.add("articles", **article)
    spec = check(
        "documented_behaviour",
        text={"supports": {"en": ["{title}: suppressed for {bound}."]}},
    )
    finding, _ = await run(
        world, spec, text="Why are mails to a bounced address dropped? It says suppressed."
    )
    assert finding.verdict == "supports"
    assert finding.facts["title"] == "Why bounced addresses stop receiving mail"
    assert finding.facts["bound"] == "14 days"
    assert finding.observed == "Why bounced addresses stop receiving mail: suppressed for 14 days."
    unrelated, _ = await run(world, spec, text="The invoice PDF shows the wrong VAT number")
    assert unrelated.verdict == "neutral"
    own = check("documented_behaviour", match={"slug": "{hypothesis.documented}"}, min_overlap=1)
    text = "bounced address suppressed, and the API answers 429"
    limits, _ = await run(
        world, own, text=text, hypothesis=Hypothesis("rate_limited", {"documented": "rate-limits"})
    )
    assert limits.facts["title"] == "API rate limits"
    undocumented, _ = await run(world, own, text=text, hypothesis=Hypothesis("other"))
    assert undocumented.verdict == "neutral"
    assert undocumented.facts == {"missing": "hypothesis.documented"}


def test_best_behaviour_needs_the_minimum_overlap_and_ignores_stopwords() -> None:
    rows = [{"title": "API rate limits", "text": "429 above 600 requests per minute"}]
    assert (
        best_behaviour(
            rows,
            stems_of("the api is not working"),
            fields=["title", "text"],
            title_field="title",
            min_overlap=2,
        )
        is None
    )
    found = best_behaviour(
        rows, stems_of("api requests get 429"), fields=["title", "text"], title_field="title", min_overlap=2
    )
    assert found is not None
    assert bound_of("Exports run every 15 minutes, kept 30 days") == "15 minutes"
    assert bound_of("no numbers here") is None


# --- dispatch and domain validation ----------------------------------------------------------


async def test_an_entity_without_a_source_is_unavailable(world: World) -> None:
    finding, _ = await run(world, check("rows_in_window", "webhooks", match={"x": 1}))
    assert finding.verdict == "unavailable"
    assert finding.customer_safe is False


async def test_customer_safe_comes_from_the_spec(world: World) -> None:
    world.request("org_1", T0 + timedelta(minutes=1), 500, code="internal")
    spec = CheckSpec(
        kind="rows_in_window", entity="requests", params={"match": {"status": 500}}, customer_safe=False
    )
    finding, _ = await run(world, spec)
    assert finding.verdict == "supports"
    assert finding.customer_safe is False


DOMAIN = """
product:
  name: Test Mail
  tenant: {entity: tenants, identifier: org_id}
vocabulary:
  identifiers:
    org_id: {pattern: "org_[0-9]{8}", role: tenant}
data:
  sources: {db: {kind: sql, url: "sqlite:///x.db"}}
  entities:
    tenants: {source: db, table: orgs, tenant_field: org_ref}
    requests: {source: db, table: api_log, tenant_field: org_ref, time_field: ts, time_format: epoch_s}
checks:
  CHECK
playbooks:
  hypotheses:
    h: {title: H, class: unclear, checks: [requests.one]}
routing:
  classes:
    expected_behavior: {queue: a, team: t}
    configuration_issue: {queue: a, team: t}
    product_defect: {queue: a, team: t}
    incident: {queue: a, team: t}
    needs_info: {queue: a, team: t}
    unclear: {queue: a, team: t}
"""


@pytest.mark.parametrize(
    ("check_yaml", "error"),
    [
        ("requests.one: {kind: rows_in_window, params: {match: {status: 500}}}", "needs an entity"),
        (
            "requests.one: {kind: change_before_errors, entity: requests, params: {errors: logs, error_match: {}}}",
            "unknown entity 'logs'",
        ),
        (
            "requests.one: {kind: rows_in_window, entity: requests, params: {match: {}, min_cout: 2}}",
            "no param",
        ),
    ],
)
def test_the_loader_rejects_checks_the_kinds_cannot_run(tmp_path: Path, check_yaml: str, error: str) -> None:
    (tmp_path / "domain.yaml").write_text(DOMAIN.replace("CHECK", check_yaml))
    with pytest.raises(DomainError, match=error):
        load_domain(tmp_path)


def test_the_loader_accepts_the_kinds_defaults(tmp_path: Path) -> None:
    good = "requests.one: {kind: rows_in_window, entity: requests, params: {match: {status: 500}}}"
    (tmp_path / "domain.yaml").write_text(DOMAIN.replace("CHECK", good))
    assert load_domain(tmp_path).checks["requests.one"].kind == "rows_in_window"
