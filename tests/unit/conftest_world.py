"""Tiny hand-made worlds for investigator and router tests, in the WORLD.md layout.

`World` collects rows per table; `write(tmp)` writes `world/*.jsonl` and loads them into a
SQLite file exactly as docs/WORLD.md describes the loaded world (one table per file, JSON text
for nested values, epoch-millisecond time columns, the documented indexes). It is a minimal
stand-in for supportflow's pack loader, kept here so these tests do not depend on it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from supportflow.events import CaseFile, ErrorSignature, IntakeSection, Requester, TicketReceived

TABLES = ("accounts", "users", "workspaces", "events", "logs", "changes", "incidents", "behaviours")
TIME_COLUMNS = {"ts", "created_at", "started_at", "resolved_at"}
# DESIGN.md §4's columns, for a table the world leaves empty (a loaded pack always has them).
COLUMNS = {
    "accounts": ["account_id", "name", "plan", "status", "region", "created_at", "limits", "flags"],
    "users": ["user_id", "email", "account_id", "workspace_ids", "role", "status", "sso", "created_at"],
    "workspaces": ["workspace_id", "account_id", "name", "settings"],
    "events": ["ts", "account_id", "workspace_id", "user_id", "type", "outcome", "details"],
    "logs": [
        "ts",
        "level",
        "service",
        "account_id",
        "user_id",
        "request_id",
        "method",
        "route",
        "status",
        "error_code",
        "message",
    ],
    "changes": ["ts", "account_id", "actor", "kind", "target", "before", "after", "note"],
    "incidents": [
        "incident_id",
        "started_at",
        "resolved_at",
        "components",
        "status",
        "title",
        "public_message",
    ],
    "behaviours": ["behaviour_id", "title", "text"],
}
INDEXES = {
    "events": ["account_id, ts"],
    "logs": ["account_id, ts", "ts"],
    "changes": ["account_id, ts", "ts"],
    "users": ["email"],
}
NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


def at(hours_ago: float = 0.0, minutes_ago: float = 0.0) -> str:
    return (NOW - timedelta(hours=hours_ago, minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return int(moment.timestamp() * 1000)


def load_world(world_dir: Path, db_path: Path) -> None:
    """Load `world_dir/*.jsonl` into a SQLite file at `db_path` (WORLD.md's layout)."""
    conn = sqlite3.connect(db_path)
    try:
        for table in TABLES:
            path = world_dir / f"{table}.jsonl"
            rows = (
                [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
                if path.exists()
                else []
            )
            columns: list[str] = list(COLUMNS[table])
            for row in rows:
                columns += [key for key in row if key not in columns]
            typed = ", ".join(f'"{c}" INTEGER' if c in TIME_COLUMNS else f'"{c}"' for c in columns)
            conn.execute(f'CREATE TABLE "{table}" ({typed})')
            for row in rows:
                values = []
                for column in columns:
                    value = row.get(column)
                    if column in TIME_COLUMNS:
                        value = _ms(value)
                    elif isinstance(value, dict | list):
                        value = json.dumps(value)
                    values.append(value)
                marks = ", ".join("?" for _ in columns)
                conn.execute(f'INSERT INTO "{table}" VALUES ({marks})', values)
            for i, cols in enumerate(INDEXES.get(table, [])):
                if all(c.strip() in columns for c in cols.split(",")):
                    conn.execute(f'CREATE INDEX "{table}_{i}" ON "{table}" ({cols})')
        conn.execute("CREATE TABLE pack_meta (key, value)")
        conn.execute("INSERT INTO pack_meta VALUES ('path', ?)", (str(world_dir),))
        conn.commit()
    finally:
        conn.close()


@dataclass
class World:
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def add(self, table: str, **row: Any) -> World:
        self.tables[table].append(row)
        return self

    def account(self, account_id: str, **row: Any) -> World:
        defaults = {
            "name": account_id,
            "plan": "team",
            "status": "active",
            "region": "eu",
            "created_at": at(24 * 400),
            "limits": {},
            "flags": {},
        }
        return self.add("accounts", account_id=account_id, **{**defaults, **row})

    def user(self, user_id: str, email: str, account_id: str, **row: Any) -> World:
        defaults = {
            "workspace_ids": [],
            "role": "editor",
            "status": "active",
            "sso": False,
            "created_at": at(24 * 300),
        }
        return self.add("users", user_id=user_id, email=email, account_id=account_id, **{**defaults, **row})

    def workspace(self, workspace_id: str, account_id: str, name: str, **row: Any) -> World:
        return self.add(
            "workspaces",
            workspace_id=workspace_id,
            account_id=account_id,
            name=name,
            settings=row.get("settings", {}),
        )

    def event(self, ts: str, account_id: str, type: str, outcome: str, **row: Any) -> World:
        defaults = {"workspace_id": None, "user_id": None, "details": {}}
        return self.add(
            "events", ts=ts, account_id=account_id, type=type, outcome=outcome, **{**defaults, **row}
        )

    def log(
        self, ts: str, account_id: str, service: str, status: int, error_code: str | None = None, **row: Any
    ) -> World:
        defaults = {
            "level": "error" if status >= 400 else "info",
            "user_id": None,
            "request_id": "req_000000000000",
            "method": "GET",
            "route": f"/v2/{service}",
            "message": "",
        }
        return self.add(
            "logs",
            ts=ts,
            account_id=account_id,
            service=service,
            status=status,
            error_code=error_code,
            **{**defaults, **row},
        )

    def change(
        self, ts: str, account_id: str | None, kind: str, target: str, before: Any, after: Any, **row: Any
    ) -> World:
        defaults = {"actor": "admin@example.com", "note": ""}
        return self.add(
            "changes",
            ts=ts,
            account_id=account_id,
            kind=kind,
            target=target,
            before=before,
            after=after,
            **{**defaults, **row},
        )

    def incident(
        self,
        incident_id: str,
        started_at: str,
        components: list[str],
        resolved_at: str | None = None,
        **row: Any,
    ) -> World:
        defaults = {
            "status": "investigating" if resolved_at is None else "resolved",
            "title": incident_id,
            "public_message": "We are investigating elevated errors.",
        }
        return self.add(
            "incidents",
            incident_id=incident_id,
            started_at=started_at,
            resolved_at=resolved_at,
            components=components,
            **{**defaults, **row},
        )

    def behaviour(self, behaviour_id: str, title: str, text: str) -> World:
        return self.add("behaviours", behaviour_id=behaviour_id, title=title, text=text)

    def write(self, root: Path) -> tuple[Path, Path]:
        """Write world/*.jsonl under `root` and load them into root/world.db; returns both."""
        world = root / "world"
        world.mkdir(parents=True, exist_ok=True)
        for table, rows in self.tables.items():
            (world / f"{table}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        db = root / "world.db"
        load_world(world, db)
        return world, db


def base_world() -> World:
    """Two customers: Acme (acc_acme01, the requester's) and Globex (acc_glbx02, another tenant)."""
    world = World()
    world.account(
        "acc_acme01",
        name="Acme",
        plan="team",
        limits={"exports_per_day": 20, "seats": 10, "dashboards": 50, "api_calls_per_hour": 1000},
        flags={"scheduled_exports": True, "embedded_dashboards": False, "sql_editor": True},
    )
    world.account("acc_glbx02", name="Globex", plan="enterprise", limits={"exports_per_day": 500})
    world.user(
        "usr_ann001", "ann@acme.example", "acc_acme01", role="admin", workspace_ids=["ws_acme01", "ws_acme02"]
    )
    world.user("usr_bob002", "bob@acme.example", "acc_acme01", role="viewer", workspace_ids=["ws_acme01"])
    world.user("usr_gus003", "gus@globex.example", "acc_glbx02", role="owner", workspace_ids=["ws_glbx01"])
    world.workspace("ws_acme01", "acc_acme01", "Marketing")
    world.workspace("ws_acme02", "acc_acme01", "Sales")
    world.workspace("ws_glbx01", "acc_glbx02", "Globex HQ")
    # Background noise on the requester's account: ordinary traffic and a stray 5xx.
    for i in range(12):
        world.log(at(hours_ago=30 - 2 * i), "acc_acme01", "dashboards", 200, user_id="usr_ann001")
    world.log(at(hours_ago=20), "acc_acme01", "dashboards", 500, "INTERNAL_ERROR")
    world.behaviour(
        "bhv_sched",
        "Scheduled exports run hourly",
        "Scheduled exports are queued and delivered at the next hourly run, up to 60 minutes later.",
    )
    world.behaviour(
        "bhv_ingest", "Ingest freshness", "Ingested events appear in dashboards within up to 2 hours."
    )
    world.incident("INC-1", at(hours_ago=24 * 20), ["exports"], resolved_at=at(hours_ago=24 * 19))
    return world


def make_case(
    body: str,
    *,
    requester: str = "ann@acme.example",
    subject: str = "",
    problem_type: str | None = None,
    identifiers: dict[str, str] | None = None,
    codes: tuple[str, ...] = (),
    statuses: tuple[int, ...] = (),
    window_hours: float | None = 6.0,
    status: str = "ready",
    missing: tuple[str, ...] = (),
    ticket_id: str = "T-1",
    received_at: datetime = NOW,
) -> CaseFile:
    signatures = [ErrorSignature(kind="error_code", value=c) for c in codes]
    signatures += [ErrorSignature(kind="http_status", value=str(s)) for s in statuses]
    window_start = received_at - timedelta(hours=window_hours) if window_hours else None
    intake = IntakeSection(
        status=status,  # type: ignore[arg-type]
        requester_email=requester,
        identifiers=identifiers or {},
        action=body,
        window_start=window_start,
        window_end=received_at if window_start else None,
        error_signatures=signatures,
        problem_statement=body,
        problem_type=problem_type,
        missing=list(missing),
    )
    ticket = TicketReceived(
        ticket_id=ticket_id,
        message_id=f"{ticket_id}-m1",
        received_at=received_at,
        subject=subject or body[:60],
        body=body,
        requester=Requester(email=requester),
    )
    return CaseFile(ticket_id=ticket_id, ticket=ticket, intake=intake)
