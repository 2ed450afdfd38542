"""The `supportflow` command: broker, topics, workers, the demo, eval and bench."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console

from supportflow import codec
from supportflow.events import CaseFile, CaseResolved, DeadLetter, IncidentGroup, Pattern, TicketReceived
from supportflow.settings import SERVICES, Settings, get_settings
from supportflow.topics import DEADLETTER, INCIDENTS, PATTERNS, TICKETS_RECEIVED, TOPICS

console = Console(stderr=True)
TOPIC_RECORDS: dict[str, type[Any]] = {spec.name: CaseFile for spec in TOPICS}
TOPIC_RECORDS |= {
    TICKETS_RECEIVED: TicketReceived,
    "support.cases.resolved": CaseResolved,
    PATTERNS: Pattern,
    INCIDENTS: IncidentGroup,
    DEADLETTER: DeadLetter,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportflow", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    broker = sub.add_parser("broker", help="run the local Apache Kafka broker (KRaft)")
    broker.add_argument("action", choices=["start", "stop", "status"])
    broker.set_defaults(handler=cmd_broker)

    topics = sub.add_parser("topics", help="create or list the topics of the topic table")
    topics.add_argument("action", choices=["create", "list"])
    topics.set_defaults(handler=cmd_topics)

    worker = sub.add_parser("worker", help="run one service in the foreground")
    worker.add_argument("service", choices=SERVICES)
    worker.set_defaults(handler=cmd_worker)

    up = sub.add_parser("up", help="run all five services, supervised; Ctrl-C stops them")
    up.add_argument("--services", nargs="+", choices=SERVICES, default=list(SERVICES))
    up.set_defaults(handler=cmd_up)

    send = sub.add_parser("send", help="publish tickets (a JSON object, a JSON list or NDJSON)")
    send.add_argument("file", type=Path)
    send.add_argument("--avro", action="store_true", help="encode as Avro instead of JSON")
    send.set_defaults(handler=cmd_send)

    tail = sub.add_parser("tail", help="print decoded records of a topic")
    tail.add_argument("topic")
    tail.add_argument("--limit", type=int, default=None, help="stop after N records")
    tail.add_argument("--follow", action="store_true", help="wait for new records")
    tail.add_argument("--idle", type=float, default=3.0, help="without --follow: stop after S idle seconds")
    tail.set_defaults(handler=cmd_tail)

    for name, module in (
        ("world", "supportflow.world.cli"),
        ("pack", "supportflow.world.cli"),
        ("eval", "supportflow.evaluation.cli"),
        ("demo", "supportflow.demo"),
        ("bench", "supportflow.bench"),
        ("console", "services.console.cli"),
    ):
        try:
            importlib.import_module(module).register(sub, name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise
    return parser


def cmd_broker(args: argparse.Namespace) -> int:
    from supportflow.broker import broker_for

    settings = get_settings()
    broker = broker_for(settings.bootstrap_servers, settings.state_dir)
    if args.action == "start":
        with console.status("starting Apache Kafka (first run resolves the jars from Maven Central)…"):
            state = broker.start()
        verb = "already running" if state.already_running else f"started in {state.seconds:.1f}s"
        console.print(f"Kafka {state.kafka_version} {verb} on {state.bootstrap}")
    elif args.action == "stop":
        console.print("broker stopped" if broker.stop() else "no broker was running")
    else:
        state = broker.status()
        console.print(json.dumps(state.__dict__, indent=2))
        return 0 if state.answering else 1
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from supportflow.admin import create_topics
    from supportflow.topics import all_topics

    settings = get_settings()
    if args.action == "create":
        created, existing = asyncio.run(create_topics(settings))
        console.print(f"created {len(created)} topics, {len(existing)} already existed")
        for name in created:
            console.print(f"  + {name}")
    else:
        for name, partitions, compacted in all_topics(settings):
            print(f"{name}\t{partitions}\t{'compact' if compacted else 'delete'}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from supportflow.logs import logging_config
    from supportflow.runtime import run_worker

    settings = get_settings()
    app = importlib.import_module(f"services.{args.service}.app").build(settings)
    run_worker(app, settings.log_level, logging_config(settings, args.service))
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from supportflow.fleet import Fleet

    settings = with_world(get_settings())
    fleet = Fleet(settings, args.services)
    stopping = False

    def request_stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    fleet.start()
    try:
        with console.status("waiting for the services to join their consumer groups…"):
            fleet.wait_healthy()
        for name in args.services:
            console.print(f"  {name:<13} http://{settings.web_host}:{settings.web_port(name)}/metrics")
        console.print("all services up; Ctrl-C stops them")
        while not stopping:
            for name in fleet.supervise():
                console.print(f"[yellow]{name} exited; restarted[/]")
            time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        console.print("stopping services…")
        fleet.stop()
    return 0


def with_world(settings: Settings) -> Settings:
    """Settings whose investigator has evidence to read: SUPPORTFLOW_WORLD_DB, else the state
    directory's world.db, loaded from the example pack the first time."""
    if settings.world_db:
        return settings
    from supportflow.demo import EXAMPLE_PACK
    from supportflow.world.loader import load_pack

    path = (settings.state_dir / "world.db").resolve()
    url = f"sqlite:///{path}"
    if not path.exists():
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        with console.status(f"no SUPPORTFLOW_WORLD_DB: loading the example world into {path}…"):
            load_pack(EXAMPLE_PACK, url)
    console.print(f"evidence database: {url}")
    return settings.model_copy(update={"world_db": url})


def load_tickets(path: Path) -> list[TicketReceived]:
    """Tickets from a JSON object, a JSON list, or NDJSON (pack lines `{"ticket": ...}` too)."""
    text = path.read_text(encoding="utf-8")
    try:
        loaded = orjson.loads(text)
        items = loaded if isinstance(loaded, list) else [loaded]
    except orjson.JSONDecodeError:
        items = [orjson.loads(line) for line in text.splitlines() if line.strip()]
    return [TicketReceived.model_validate(item.get("ticket", item)) for item in items]


def cmd_send(args: argparse.Namespace) -> int:
    from supportflow.admin import producer

    settings = get_settings()
    tickets = load_tickets(args.file)

    async def publish() -> None:
        async with producer(settings) as sender:
            for ticket in tickets:
                if args.avro:
                    value, headers = codec.encode(ticket), codec.avro_headers("TicketReceived")
                else:
                    value, headers = ticket.model_dump_json().encode(), {"content-type": codec.JSON.encode()}
                await sender.send_and_wait(
                    settings.topic(TICKETS_RECEIVED),
                    value,
                    key=ticket.ticket_id.encode(),
                    headers=list(headers.items()),
                )

    asyncio.run(publish())
    console.print(f"sent {len(tickets)} ticket(s) to {settings.topic(TICKETS_RECEIVED)}")
    return 0


def cmd_tail(args: argparse.Namespace) -> int:
    from supportflow.admin import read_topic

    settings = get_settings()
    logical = args.topic.removeprefix(settings.namespace)
    model = TOPIC_RECORDS.get(logical)
    if model is None:
        console.print(f"[red]unknown topic {args.topic}; known: {', '.join(TOPIC_RECORDS)}[/]")
        return 2

    async def follow() -> int:
        idle = None if args.follow else args.idle
        records = read_topic(settings, settings.topic(logical), idle_timeout=idle)
        async with contextlib.aclosing(records):
            return await print_records(records, model, args.limit)

    count = asyncio.run(follow())
    console.print(f"{count} record(s)")
    return 0


async def print_records(records: Any, model: type[Any], limit: int | None) -> int:
    count = 0
    async for record in records:
        try:
            value = codec.decode(model, record.value, record.headers)
            print(value.model_dump_json(indent=2), flush=True)
        except codec.DecodeError as exc:
            print(json.dumps({"undecodable": str(exc), "offset": record.offset}), flush=True)
        count += 1
        if limit is not None and count >= limit:
            break
    return count
