"""One contract suite for every connector — real SQLite, real NDJSON files, a real local HTTP
server — plus the guard: timeouts, outages, the circuit breaker, the per-case cache, the recorder."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from conftest_world import NOW, at, base_world, make_case
from demo_domain import demo, demo_playbooks, demo_sources

from services.investigator import build_sources, investigate
from services.investigator.sources import (
    CircuitBreaker,
    GuardedSource,
    HttpJsonSource,
    NdjsonSource,
    Query,
    QueryLog,
    Source,
    SourceUnavailable,
    SqlSource,
)
from services.investigator.sources.base import parse_time
from supportflow.domain.models import DataModel, HttpSourceSpec, SqlSourceSpec


@pytest.fixture
def world_paths(tmp_path: Path) -> tuple[Path, Path]:
    world = base_world()
    world.event(at(hours_ago=2), "acc_acme01", "export.create", "rejected", details={"reason": "plan_limit"})
    world.event(at(hours_ago=1), "acc_acme01", "export.create", "succeeded")
    world.event(at(hours_ago=1), "acc_glbx02", "export.create", "succeeded")
    world.change(at(hours_ago=3), None, "deploy", "exports", "v1", "v2")
    return world.write(tmp_path)


class WorldAPI(BaseHTTPRequestHandler):
    """A tiny JSON API over a world folder: GET /<table>?<filters>&since&until&time_column."""

    world: Path
    delay_s: float = 0.0

    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.delay_s:
            time.sleep(self.delay_s)
        path = self.world / f"{url.path.strip('/')}.jsonl"
        if not path.exists():
            self.send_error(404)
            return
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        column = params.pop("time_column", None)
        since, until = params.pop("since", None), params.pop("until", None)
        limit = int(params.pop("limit", "1000"))
        out = []
        for row in rows:
            if any(
                str(row.get(k)) != v and not (v == "null" and row.get(k) is None) for k, v in params.items()
            ):
                continue
            moment = parse_time(row.get(column)) if column else None
            if since and moment and moment < parse_time(since):  # type: ignore[operator]
                continue
            if until and moment and moment > parse_time(until):  # type: ignore[operator]
                continue
            out.append(row)
        body = json.dumps({"items": out[:limit]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is the point of the slow server


def serve(world: Path, delay_s: float = 0.0) -> Iterator[str]:
    handler = type("Handler", (WorldAPI,), {"world": world, "delay_s": delay_s})
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def http_url(world_paths: tuple[Path, Path]) -> Iterator[str]:
    yield from serve(world_paths[0])


@pytest.fixture
def slow_http_url(world_paths: tuple[Path, Path]) -> Iterator[str]:
    yield from serve(world_paths[0], delay_s=1.0)


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=["sql", "files", "http"])
async def source(request: pytest.FixtureRequest, world_paths: tuple[Path, Path]) -> AsyncIterator[Source]:
    world, db = world_paths
    made: Source
    if request.param == "sql":
        made = SqlSource(str(db))
    elif request.param == "files":
        made = NdjsonSource(world)
    else:
        made = HttpJsonSource(request.getfixturevalue("http_url"), name="http.world")
    yield made
    await made.aclose()


# --- the contract, once for every connector -------------------------------------------------

# The test world as its connectors store it: epoch milliseconds in SQL, ISO text in files/HTTP.
TIMES = frozenset({"ts", "created_at", "started_at", "resolved_at"})
JSONS = frozenset(
    {"limits", "flags", "settings", "details", "workspace_ids", "components", "before", "after"}
)


def q(source: Source, table: str, **fields: Any) -> Query:
    fmt = "epoch_ms" if isinstance(source, SqlSource) else "iso"
    return Query(
        table, tenant_field="account_id", time_format=fmt, time_fields=TIMES, json_fields=JSONS, **fields
    )


async def test_scoped_query_returns_only_that_account(source: Source) -> None:
    rows = await source.fetch(q(source, "events", tenant="acc_acme01"))
    assert len(rows) == 2
    assert {r["account_id"] for r in rows} == {"acc_acme01"}


async def test_time_range_and_order(source: Source) -> None:
    rows = await source.fetch(
        q(
            source,
            "events",
            tenant="acc_acme01",
            time_column="ts",
            since=parse_time(at(hours_ago=1.5)),
            until=NOW,
        )
    )
    assert [r["outcome"] for r in rows] == ["succeeded"]
    assert isinstance(rows[0]["ts"], datetime) and rows[0]["ts"].tzinfo is not None


async def test_json_columns_are_decoded(source: Source) -> None:
    (account,) = await source.fetch(q(source, "accounts", tenant="acc_acme01"))
    assert account["limits"]["exports_per_day"] == 20
    assert account["flags"]["embedded_dashboards"] is False
    (event,) = await source.fetch(
        q(source, "events", tenant="acc_acme01", where=(("outcome", "rejected"),), time_column="ts")
    )
    assert event["details"] == {"reason": "plan_limit"}


async def test_null_filter_reads_global_rows_only(source: Source) -> None:
    rows = await source.fetch(q(source, "changes", where=(("account_id", None), ("kind", "deploy"))))
    assert [r["target"] for r in rows] == ["exports"]


async def test_unknown_table_raises(source: Source) -> None:
    with pytest.raises(Exception):  # noqa: B017 - each connector raises its own kind; the guard maps them
        await source.fetch(q(source, "no_such_table"))


# --- the guard ---------------------------------------------------------------------------


async def test_timeout_becomes_unavailable_and_is_recorded(slow_http_url: str) -> None:
    log = QueryLog()
    guarded = GuardedSource(HttpJsonSource(slow_http_url, name="http.logs"), timeout_s=0.2, recorder=log)
    started = time.perf_counter()
    with pytest.raises(SourceUnavailable) as info:
        await guarded.fetch(Query("logs", tenant="acc_acme01"))
    assert time.perf_counter() - started < 0.9
    assert "0.2s" in info.value.reason
    assert log.records[-1].outcome == "timeout"
    await guarded.source.aclose()


async def test_outage_opens_the_circuit() -> None:
    log = QueryLog()
    breaker = CircuitBreaker(threshold=2, reset_s=60)
    guarded = GuardedSource(HttpJsonSource(dead_url(), name="http.incidents"), breaker=breaker, recorder=log)
    for _ in range(2):
        with pytest.raises(SourceUnavailable):
            await guarded.fetch(Query("incidents"))
    assert breaker.state == "open"
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await guarded.fetch(Query("incidents"))
    assert [r.outcome for r in log.records] == ["error", "error", "circuit_open"]
    await guarded.source.aclose()


async def test_breaker_half_opens_after_reset() -> None:
    breaker = CircuitBreaker(threshold=1, reset_s=0.05)
    breaker.failed()
    assert not breaker.allow()
    await asyncio.sleep(0.06)
    assert breaker.state == "half_open" and breaker.allow()
    breaker.succeeded()
    assert breaker.state == "closed"


async def test_per_case_cache_answers_repeated_queries(world_paths: tuple[Path, Path]) -> None:
    log = QueryLog()
    sources = demo_sources(str(world_paths[1]), recorder=log)
    case_view = sources.for_case()
    query = Query("tenants", tenant="acc_acme01")
    first = await case_view.fetch(query)
    second = await case_view.fetch(query)
    await sources.for_case().fetch(query)
    await sources.aclose()
    assert first is second
    assert [r.cached for r in log.records] == [False, True, False]


async def test_concurrency_is_bounded() -> None:
    running = 0
    peak = 0

    class Slow:
        name = "slow"

        async def fetch(self, query: Query) -> list[dict[str, Any]]:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1
            return []

        async def aclose(self) -> None:
            pass

    guarded = GuardedSource(Slow(), max_concurrency=3)
    await asyncio.gather(*(guarded.fetch(Query("logs", tenant=f"acc_{i}")) for i in range(12)))
    assert peak == 3


async def test_build_sources_maps_entities_to_sources(world_paths: tuple[Path, Path], http_url: str) -> None:
    world, db = world_paths
    data = DataModel.model_validate(
        {
            "sources": {
                "sql": {"kind": "sql", "url": str(db)},
                "files": {"kind": "files", "path": str(world)},
                "http": {"kind": "http", "url": http_url},
            },
            "entities": {
                "tenants": {"source": "sql", "table": "accounts", "tenant_field": "account_id"},
                "incidents": {"source": "files", "time_field": "started_at", "times": ["resolved_at"]},
                "requests": {
                    "source": "http",
                    "table": "logs",
                    "tenant_field": "account_id",
                    "time_field": "ts",
                    "fields": {"code": "error_code"},
                },
            },
        }
    )
    sources = build_sources(data)
    assert sources.route("tenants").source.name == "sql"
    assert sources.route("incidents").source.name == "files"
    assert sources.route("requests").source.name == "http"
    view = sources.for_case()
    rows = await view.fetch(Query("requests", tenant="acc_acme01", time_column="at", until=NOW))
    assert rows and all(r["tenant_id"] == "acc_acme01" and isinstance(r["at"], datetime) for r in rows)
    assert all(r["code"] == r["error_code"] for r in rows)
    with pytest.raises(KeyError, match="no entity"):
        sources.route("nothing")
    await sources.aclose()


async def test_sql_connector_is_read_only(world_paths: tuple[Path, Path]) -> None:
    import sqlalchemy as sa

    sql = SqlSource(str(world_paths[1]))
    with pytest.raises(sa.exc.OperationalError), sql.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM accounts"))
    await sql.aclose()


# --- a source down or slow: the case goes on ----------------------------------------------


async def test_case_continues_when_a_source_is_down(
    world_paths: tuple[Path, Path], slow_http_url: str
) -> None:
    _, db = world_paths
    data = demo().data
    entities = dict(data.entities)
    entities["incidents"] = entities["incidents"].model_copy(
        update={"source": "status", "time_format": "iso", "json_fields": []}
    )
    entities["requests"] = entities["requests"].model_copy(
        update={"source": "logsearch", "time_format": "iso"}
    )
    down = data.model_copy(
        update={
            "sources": {
                "sql": SqlSourceSpec(url=str(db)),
                "status": HttpSourceSpec(url=dead_url()),
                "logsearch": HttpSourceSpec(url=slow_http_url, timeout_s=0.2),
            },
            "entities": entities,
        }
    )
    sources = build_sources(down)
    case = make_case("Dashboards are not loading, error 503", problem_type="dashboard", statuses=(503,))
    section = await investigate(case, sources, demo_playbooks())
    await sources.aclose()
    unavailable = [e for e in section.evidence if e.verdict == "unavailable"]
    assert unavailable, [(e.check, e.verdict) for e in section.evidence]
    assert set(section.unavailable_sources) <= {"status", "logsearch"}
    assert section.unavailable_sources
    assert all(not e.customer_safe for e in unavailable)
    assert section.identity_status == "verified"
    assert not [h for h in section.hypotheses if h.verdict == "confirmed"]
