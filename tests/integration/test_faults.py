"""Faults on the real broker: crashes, a broker restart, a lost replica, poison, failing sources,
lost local state. Each test prints its figures: sent / completed / lost / duplicates.

"duplicates" counts tickets that ended with more than one distinct drafted event id (a second,
different outcome for the same input): it must be 0. At-least-once may deliver the same event
id again after a crash; those raw redeliveries are reported apart and are harmless, because
every consumer skips an event id it already processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from demo_domain import demo, demo_copy

from supportflow import codec
from supportflow.admin import create_topics
from supportflow.broker import LocalBroker
from supportflow.demo import EXAMPLE_PACK
from supportflow.evaluation.runner import relabel
from supportflow.events import CaseFile, Requester, TicketReceived, utcnow
from supportflow.fleet import Fleet, free_port_block
from supportflow.settings import SERVICES, Settings
from supportflow.topics import TICKETS_RECEIVED
from supportflow.traffic import Collected, collect_cases, collect_dead_letters, publish_raw, publish_tickets
from supportflow.world.loader import read_tickets
from supportflow.world.pack import PackTicket

# --- shared harness -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    name: str
    sent: int
    completed: int
    lost: int
    duplicates: int
    redeliveries: int
    seconds: float

    def show(self) -> Figures:
        print(
            f"\nFIGURES {self.name}: sent={self.sent} completed={self.completed} lost={self.lost} "
            f"duplicates={self.duplicates} redeliveries={self.redeliveries} seconds={self.seconds:.1f}"
        )
        return self


def figures(name: str, wanted: set[str], collected: Collected, began: float) -> Figures:
    distinct = {ticket: set(ids) for ticket, ids in collected.event_ids.items()}
    completed = sum(1 for ticket in wanted if distinct.get(ticket))
    return Figures(
        name=name,
        sent=len(wanted),
        completed=completed,
        lost=len(wanted) - completed,
        duplicates=sum(len(distinct.get(ticket, ())) - 1 for ticket in wanted if distinct.get(ticket)),
        redeliveries=collected.duplicates,
        seconds=time.monotonic() - began,
    ).show()


def pack_tickets(count: int, prefix: str) -> list[TicketReceived]:
    """`count` tickets of the example pack under fresh ids (the pack repeated as needed)."""
    items: list[PackTicket] = read_tickets(EXAMPLE_PACK)
    out: list[TicketReceived] = []
    round_ = 0
    while len(out) < count:
        out += [item.ticket for item in relabel(items, f"{prefix}{round_}-")]
        round_ += 1
    return out[:count]


async def publish_paced(settings: Settings, tickets: Sequence[TicketReceived], seconds: float) -> None:
    """Publish in small batches spread over `seconds`, so faults land mid-stream."""
    batch = 25
    pause = seconds / max(len(tickets) / batch, 1)
    for start in range(0, len(tickets), batch):
        await publish_tickets(settings, tickets[start : start + batch], as_json=start % 2 == 0)
        await asyncio.sleep(pause)


@contextlib.contextmanager
def running(fleet: Fleet, timeout: float = 120) -> Iterator[Fleet]:
    fleet.start()
    try:
        fleet.wait_healthy(timeout=timeout)
        yield fleet
    finally:
        fleet.stop()


class Progress:
    """Counts drafted cases as the collector sees them; `midway` is set once `mid` have arrived."""

    def __init__(self, mid: int) -> None:
        self.mid = mid
        self.seen: set[str] = set()
        self.midway = asyncio.Event()

    def __call__(self, case: CaseFile) -> None:
        self.seen.add(case.ticket_id)
        if len(self.seen) >= self.mid:
            self.midway.set()

    async def reached(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.midway.wait(), timeout)


def settings_on(bootstrap: str, tmp: Path, **overrides: object) -> Settings:
    """Settings in a fresh namespace (as tests/conftest.py's make_settings) for a dedicated broker."""
    values: dict[str, object] = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,  # the field name alone is ignored (alias only)
        "namespace": f"t{uuid.uuid4().hex[:8]}.",
        "web_port_base": free_port_block(),
        "state_dir": tmp / "state",
        "partitions": 4,
    }
    return Settings.model_validate(values | overrides)


# --- service crash ---------------------------------------------------------------------------


@pytest.mark.slow
async def test_each_service_sigkilled_mid_stream_loses_nothing(
    isolated_settings: Settings, world_db: str
) -> None:
    settings = isolated_settings.model_copy(update={"world_db": world_db})
    tickets = pack_tickets(500, "crash")
    wanted = {t.ticket_id for t in tickets}
    progress = Progress(20)
    began = time.monotonic()
    with running(Fleet(settings, log_dir=settings.state_dir / "logs")) as fleet:
        collector = asyncio.create_task(
            collect_cases(settings, wanted, timeout=360, settle=5, on_case=progress)
        )
        publisher = asyncio.create_task(publish_paced(settings, tickets, seconds=40))
        await progress.reached(timeout=60)
        for name in SERVICES:
            await asyncio.to_thread(fleet.kill, name, signal.SIGKILL)
            await asyncio.to_thread(fleet.start_service, name)
            await asyncio.sleep(6)
        await publisher
        collected = await collector
    shown = figures("service_crash", wanted, collected, began)
    assert shown.lost == 0, sorted(wanted - collected.cases.keys())[:10]
    assert shown.duplicates == 0


# --- broker restart --------------------------------------------------------------------------


@pytest.fixture
def dedicated_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of this test's own (home, ports): it may be stopped without disturbing anyone."""
    base = free_port_block(2)
    broker = LocalBroker(tmp_path / "broker", port=base, controller_port=base + 1)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.mark.slow
async def test_broker_restart_mid_stream_loses_nothing(
    dedicated_broker: LocalBroker, world_db: str, tmp_path: Path
) -> None:
    settings = settings_on(dedicated_broker.bootstrap, tmp_path, world_db=world_db)
    await create_topics(settings)
    tickets = pack_tickets(200, "broker")
    wanted = {t.ticket_id for t in tickets}
    progress = Progress(10)
    began = time.monotonic()
    with running(Fleet(settings, log_dir=settings.state_dir / "logs")) as fleet:
        await publish_tickets(settings, tickets[:100])
        collector = asyncio.create_task(
            collect_cases(settings, wanted, timeout=30, settle=0, on_case=progress)
        )
        await progress.reached(timeout=60)
        collector.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await collector
        await asyncio.to_thread(dedicated_broker.stop)
        await asyncio.sleep(3)
        await asyncio.to_thread(dedicated_broker.start)
        await publish_tickets(settings, tickets[100:])
        collected = await collect_cases(settings, wanted, timeout=240, settle=5)
        fleet.supervise()  # nothing should have exited; raises if a service keeps dying
        exited = [n for n, e in fleet.running.items() if e.restarts]
    shown = figures("broker_restart", wanted, collected, began)
    print(f"services restarted by the supervisor: {exited}")
    assert shown.lost == 0, sorted(wanted - collected.cases.keys())[:10]
    assert shown.duplicates == 0


# --- scale out -------------------------------------------------------------------------------


@pytest.mark.slow
async def test_second_router_replica_killed_mid_stream_loses_nothing(
    isolated_settings: Settings, world_db: str, tmp_path: Path
) -> None:
    settings = isolated_settings.model_copy(update={"world_db": world_db})
    # the second replica: same namespace (so the same consumer group), its own web port and state
    replica_settings = settings.model_copy(
        update={"web_port_base": free_port_block(), "state_dir": tmp_path / "replica"}
    )
    replica = Fleet(replica_settings, services=["router"], log_dir=tmp_path / "replica" / "logs")
    tickets = pack_tickets(300, "scale")
    wanted = {t.ticket_id for t in tickets}
    progress = Progress(30)
    began = time.monotonic()
    with running(Fleet(settings, log_dir=settings.state_dir / "logs")), running(replica):
        collector = asyncio.create_task(
            collect_cases(settings, wanted, timeout=240, settle=5, on_case=progress)
        )
        publisher = asyncio.create_task(publish_paced(settings, tickets, seconds=20))
        await progress.reached(timeout=60)
        await asyncio.to_thread(replica.kill, "router", signal.SIGKILL)
        await publisher
        collected = await collector
    shown = figures("scale_out", wanted, collected, began)
    assert shown.lost == 0, sorted(wanted - collected.cases.keys())[:10]
    assert shown.duplicates == 0


# --- poison records --------------------------------------------------------------------------


def avro_ticket(ticket: TicketReceived) -> tuple[bytes, dict[str, bytes]]:
    return codec.encode(ticket), codec.avro_headers("TicketReceived")


async def test_poison_records_are_dead_lettered_and_the_stream_goes_on(pipeline: Fleet) -> None:
    settings = pipeline.settings
    good = pack_tickets(6, "poison")
    template = good[0]
    json_type = {"content-type": codec.JSON.encode()}
    empty_id = template.model_copy(update={"ticket_id": ""})
    poison: dict[str, tuple[bytes, dict[str, bytes]]] = {
        "undecodable": (b"\x00\xff\xfe not avro at all", codec.avro_headers("TicketReceived")),
        "empty_ticket_id": avro_ticket(empty_id),
        "json_schema_violation": (
            orjson.dumps({"ticket_id": "P-json", "message_id": "m", "requester": "not an object"}),
            json_type,
        ),
        "five_megabytes": (
            template.model_copy(update={"ticket_id": "P-big", "body": "x" * (5 * 1024 * 1024)})
            .model_dump_json()
            .encode(),
            json_type,
        ),
    }
    began = time.monotonic()
    await publish_tickets(settings, good[:3])
    for key, (value, headers) in poison.items():
        await publish_raw(settings, TICKETS_RECEIVED, value, key=key.encode(), headers=headers)
    await publish_tickets(settings, good[3:], as_json=False)

    wanted = {t.ticket_id for t in good}
    collected = await collect_cases(settings, wanted, timeout=120)
    shown = figures("poison_records", wanted, collected, began)
    assert shown.lost == 0 and shown.duplicates == 0

    letters = {(letter.key or b"").decode(): letter for letter in await collect_dead_letters(settings)}
    reasons = {key: letters[key].reason for key in poison if key in letters}
    print(f"dead letters: {reasons}")
    assert reasons == {
        "undecodable": "decode_error",
        "empty_ticket_id": "validation_error",
        "json_schema_violation": "validation_error",
        "five_megabytes": "too_large",
    }
    for key, letter in letters.items():
        assert letter.service == "intake"
        assert letter.origin_topic == settings.topic(TICKETS_RECEIVED)
        assert letter.origin_offset >= 0 and letter.error, key
    assert letters["undecodable"].original == poison["undecodable"][0]
    assert "ticket_id" in letters["empty_ticket_id"].error
    big = letters["five_megabytes"]  # kept in part, so the dead letter itself fits the producer
    assert big.headers["sf-original-bytes"] == str(len(poison["five_megabytes"][0]))
    assert poison["five_megabytes"][0].startswith(big.original) and len(big.original) < 1024 * 1024


# --- slow or failing sources -----------------------------------------------------------------


class IncidentApi(BaseHTTPRequestHandler):
    """An incident API that either hangs far past the connector's timeout or answers 500."""

    mode = "hang"

    def do_GET(self) -> None:
        if self.server.mode == "hang":  # type: ignore[attr-defined]
            time.sleep(20)
            return
        self.send_response(500)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "internal"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def incident_api(mode: str) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), IncidentApi)
    server.daemon_threads = True
    server.mode = mode  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["hang", "error"])
async def test_failing_incident_source_gives_unavailable_evidence_without_stalling(
    isolated_settings: Settings, world_db: str, tmp_path: Path, mode: str
) -> None:
    with incident_api(mode) as url:
        entities = dict(demo().data.entities)
        entities["incidents"] = entities["incidents"].model_copy(
            update={"source": "http.incidents", "time_format": "iso", "json_fields": []}
        )
        config = demo_copy(
            tmp_path,
            data={
                "sources": {
                    "sql": {"kind": "sql", "url": "${SUPPORTFLOW_WORLD_DB}"},
                    "http.incidents": {"kind": "http", "url": url, "timeout_s": 1.0},
                },
                "entities": {name: e.model_dump(exclude_defaults=True) for name, e in entities.items()},
            },
        )
        settings = isolated_settings.model_copy(update={"world_db": world_db, "domain": config})
        fleet = Fleet(settings)
        items = [item for item in relabel(read_tickets(EXAMPLE_PACK), f"src-{mode}-")]
        incidents = [i.ticket for i in items if i.truth.decision == "incident"][:10]
        others = [i.ticket for i in items if i.truth.decision != "incident"][:20]
        tickets = incidents + others
        wanted = {t.ticket_id for t in tickets}
        began = time.monotonic()
        with running(fleet):
            await publish_tickets(settings, tickets)
            collected = await collect_cases(settings, wanted, timeout=150, settle=2)
    shown = figures(f"failing_source_{mode}", wanted, collected, began)
    assert shown.lost == 0 and shown.duplicates == 0
    unavailable = 0
    for case in collected.cases.values():
        assert case.investigation is not None and case.draft is not None
        for evidence in case.investigation.evidence:
            if evidence.source == "http.incidents":
                assert evidence.verdict == "unavailable", evidence
                # bounded by the 1 s connector timeout (plus scheduling), never the 20 s hang
                assert evidence.latency_s < 5.0, evidence
                unavailable += 1
                assert "http.incidents" in case.investigation.unavailable_sources
    print(f"http.incidents evidence marked unavailable: {unavailable}")
    assert unavailable > 0, [
        (c.ticket_id, [(e.source, e.check, e.verdict) for e in c.investigation.evidence])
        for c in list(collected.cases.values())[:3]
        if c.investigation
    ]
    checked = [c for c in collected.cases.values() if c.investigation and c.investigation.unavailable_sources]
    for case in checked:
        assert case.draft is not None
        said = " ".join([*case.draft.uncertain, case.draft.internal_note]).lower()
        assert "incident" in said, case.draft


# --- state recovery --------------------------------------------------------------------------


async def test_intake_rebuilds_parked_history_from_the_changelog(pipeline: Fleet) -> None:
    settings = pipeline.settings
    item = next(i for i in relabel(read_tickets(EXAMPLE_PACK), "state-") if i.truth.decision == "needs_info")
    first = item.ticket
    await publish_tickets(settings, [first])
    parked = await collect_cases(settings, {first.ticket_id}, timeout=90)
    case = parked.cases[first.ticket_id]
    assert case.intake is not None and case.intake.status == "needs_info", case.intake

    pipeline.kill("intake", signal.SIGKILL)
    state = settings.state_dir.resolve() / "faust" / settings.app_id("intake")
    shutil.rmtree(state)
    pipeline.start_service("intake")
    pipeline.wait_healthy(timeout=120)

    follow_up = TicketReceived(
        ticket_id=first.ticket_id,
        message_id=f"{first.message_id}-reply",
        received_at=utcnow(),
        subject=f"Re: {first.subject}",
        body=(
            "Here are the details you asked for: it is workspace ws_000000, I was exporting the "
            "dashboard 'Revenue' as CSV and expected a file, but got error EXPORT_FAILED "
            "(HTTP 500, request id req_123456) since 09:00 UTC today."
        ),
        requester=Requester(email=first.requester.email, name=first.requester.name),
    )
    await publish_tickets(settings, [follow_up])
    resumed = await collect_cases(
        settings,
        {first.ticket_id},
        timeout=90,
        done=lambda c: any(x.revision == 2 for x in c.cases.values()),
    )
    latest = resumed.cases[first.ticket_id]
    print(
        f"\nFIGURES state_recovery: revision={latest.revision} merged={latest.intake and latest.intake.messages_merged}"
    )
    assert latest.revision == 2
    assert latest.intake is not None and latest.intake.messages_merged == 2
    assert sorted(set(resumed.event_ids[first.ticket_id])) == [
        f"{first.ticket_id}:1:drafter",
        f"{first.ticket_id}:2:drafter",
    ]
