"""The `supportflow` command: broker, topics, workers, the demo, eval and bench."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from aiokafka.errors import KafkaConnectionError
from pydantic import ValidationError
from rich.console import Console

from supportflow import codec
from supportflow.events import (
    CaseFile,
    CaseResolved,
    DeadLetter,
    IncidentGroup,
    LearnedPath,
    Pattern,
    TicketReceived,
)
from supportflow.fleet import SUPERVISOR, Fleet, run_dir, stop_recorded
from supportflow.settings import SERVICES, Settings, get_settings
from supportflow.summary import DEAD_LETTER_BODY_CHARS, cut, summarize
from supportflow.topics import DEADLETTER, INCIDENTS, LEARNED_PATHS, PATTERNS, TICKETS_RECEIVED, TOPICS

console = Console(stderr=True)
TOPIC_RECORDS: dict[str, type[Any]] = {spec.name: CaseFile for spec in TOPICS}
TOPIC_RECORDS |= {
    TICKETS_RECEIVED: TicketReceived,
    "support.cases.resolved": CaseResolved,
    PATTERNS: Pattern,
    LEARNED_PATHS: LearnedPath,
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
    except BrokenPipeError:  # the reader went away (`supportflow tail … | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportflow", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    broker = sub.add_parser("broker", help="run the local Apache Kafka broker (KRaft)")
    broker.add_argument(
        "action",
        choices=["start", "stop", "status"],
        help="start (no-op when one answers), stop the one this state directory started, or status",
    )
    broker.set_defaults(handler=cmd_broker)

    topics = sub.add_parser("topics", help="create or list the topics of the topic table")
    topics.add_argument(
        "action", choices=["create", "list"], help="create the missing topics, or list name/partitions/policy"
    )
    topics.set_defaults(handler=cmd_topics)

    worker = sub.add_parser("worker", help="run one service in the foreground")
    worker.add_argument("service", choices=SERVICES, help="which service to run")
    worker.set_defaults(handler=cmd_worker)

    up = sub.add_parser(
        "up", help="run all five services, supervised; Ctrl-C or `supportflow down` stops them"
    )
    up.add_argument(
        "--services",
        nargs="+",
        choices=SERVICES,
        default=list(SERVICES),
        metavar="SERVICE",
        help=f"run only these ({', '.join(SERVICES)}; default: all)",
    )
    up.set_defaults(handler=cmd_up)

    down = sub.add_parser(
        "down",
        help="stop the services (`up`, `demo --keep-running`) and the local broker of this state directory",
    )
    down.add_argument("--keep-broker", action="store_true", help="stop only the services")
    down.set_defaults(handler=cmd_down)

    send = sub.add_parser("send", help="publish tickets (a JSON object, a JSON list or NDJSON)")
    send.add_argument(
        "file",
        type=Path,
        help='a ticket file: one TicketReceived as JSON, a list, or NDJSON ({"ticket": …} too)',
    )
    send.add_argument("--avro", action="store_true", help="encode as Avro instead of JSON")
    send.set_defaults(handler=cmd_send)

    tail = sub.add_parser("tail", help="print the records of a topic, one readable block each")
    tail.add_argument(
        "topic", help="a topic of the topic table, e.g. support.replies.drafted (see `topics list`)"
    )
    tail.add_argument(
        "--ticket", metavar="ID", help="only the records of this ticket (or pattern/incident) id"
    )
    tail.add_argument("--last", type=int, metavar="N", help="only the last N records (of --ticket, if given)")
    tail.add_argument("--json", action="store_true", help="print each record as raw JSON instead")
    tail.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N records")
    tail.add_argument("--follow", action="store_true", help="keep waiting for new records")
    tail.add_argument(
        "--idle", type=float, default=3.0, metavar="S", help="without --follow: stop after S idle seconds"
    )
    tail.set_defaults(handler=cmd_tail)

    for name, module in (
        ("world", "supportflow.world.cli"),
        ("pack", "supportflow.world.cli"),
        ("eval", "supportflow.evaluation.cli"),
        ("domain", "supportflow.domain.cli"),
        ("playbooks", "supportflow.domain.suggest"),
        ("demo", "supportflow.demo"),
        ("bench", "supportflow.bench"),
        ("console", "services.console.cli"),
        ("replay", "supportflow.replay.cli"),
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
    from supportflow.domain import DomainError
    from supportflow.logs import logging_config
    from supportflow.runtime import run_worker

    settings = get_settings()
    try:
        app = importlib.import_module(f"services.{args.service}.app").build(settings)
    except DomainError as exc:
        print(f"{args.service} cannot start: the domain folder is not usable: {exc}", file=sys.stderr)
        return 2
    run_worker(app, settings.log_level, logging_config(settings, args.service))
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from supportflow.domain import DomainError
    from supportflow.settings import load_domain_for

    try:
        load_domain_for(get_settings())
    except DomainError as exc:
        print(f"the domain folder is not usable: {exc}", file=sys.stderr)
        return 2
    settings = with_world(get_settings())
    fleet = Fleet(settings, args.services)
    stopping = False

    def request_stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    supervisor = fleet.run_dir / f"{settings.namespace}up{SUPERVISOR}.pid"
    supervisor.parent.mkdir(parents=True, exist_ok=True)
    supervisor.write_text(str(os.getpid()), encoding="utf-8")
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
        supervisor.unlink(missing_ok=True)
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    from supportflow.broker import broker_for

    settings = get_settings()
    stopped = stop_recorded(run_dir(settings))
    console.print(f"stopped {', '.join(stopped)}" if stopped else "no services were running")
    if not args.keep_broker:
        broker = broker_for(settings.bootstrap_servers, settings.state_dir)
        console.print("broker stopped" if broker.stop() else "no broker of this state directory was running")
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


class TicketFileError(ValueError):
    """A ticket file that cannot be sent; the message says what is wrong and where."""


def load_tickets(path: Path) -> list[TicketReceived]:
    """Tickets from a JSON object, a JSON list, or NDJSON (pack lines `{"ticket": ...}` too)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TicketFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TicketFileError(f"{path}: is a directory, not a ticket file") from None
    except UnicodeDecodeError as exc:
        raise TicketFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        loaded = orjson.loads(text)
        items: list[tuple[str, Any]] = [
            (f"ticket {n}", item)
            for n, item in enumerate(loaded if isinstance(loaded, list) else [loaded], 1)
        ]
    except orjson.JSONDecodeError:
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((f"line {number}", orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                raise TicketFileError(f"{path} line {number}: not JSON ({exc})") from None
    tickets = []
    for where, item in items:
        if not isinstance(item, dict):
            raise TicketFileError(f"{path} {where}: a ticket is a JSON object, not {type(item).__name__}")
        try:
            tickets.append(TicketReceived.model_validate(item.get("ticket", item)))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'ticket'}: {error['msg'].lower()}"
                for error in exc.errors()[:5]
            )
            raise TicketFileError(f"{path} {where}: not a valid ticket ({problems})") from None
    return tickets


def broker_answers(settings: Settings) -> bool:
    """Whether any bootstrap server accepts a connection (asked before a Kafka client starts,
    whose failure would come with its own log lines and warnings)."""
    from supportflow.broker import answers

    for server in settings.bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        if port.isdigit() and answers(host.strip("[]") or "127.0.0.1", int(port)):
            return True
    return False


def no_broker(settings: Settings) -> int:
    print(
        f"supportflow: no Kafka broker answers on {settings.bootstrap_servers} — "
        "start one with `supportflow broker start`",
        file=sys.stderr,
    )
    return 2


def cmd_send(args: argparse.Namespace) -> int:
    from supportflow.admin import producer

    settings = get_settings()
    try:
        tickets = load_tickets(args.file)
    except TicketFileError as exc:
        print(f"supportflow send: {exc}", file=sys.stderr)
        return 2
    if not tickets:
        print(f"supportflow send: warning: {args.file} holds no tickets; nothing sent", file=sys.stderr)
        return 0
    if not broker_answers(settings):
        return no_broker(settings)

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

    try:
        asyncio.run(publish())
    except KafkaConnectionError:
        return no_broker(settings)
    console.print(f"sent {len(tickets)} ticket(s) to {settings.topic(TICKETS_RECEIVED)}")
    return 0


def cmd_tail(args: argparse.Namespace) -> int:
    from supportflow.admin import read_topic

    settings = get_settings()
    logical = args.topic.removeprefix(settings.namespace)
    model = TOPIC_RECORDS.get(logical)
    if model is None:
        print(
            f"supportflow tail: unknown topic {args.topic}; known: {', '.join(TOPIC_RECORDS)}",
            file=sys.stderr,
        )
        return 2
    if not broker_answers(settings):
        return no_broker(settings)
    show = Shown(model, as_json=args.json, ticket=args.ticket, last=args.last, limit=args.limit)

    async def follow() -> int:
        idle = None if args.follow else args.idle
        records = read_topic(settings, settings.topic(logical), idle_timeout=idle, heartbeat=True)
        async with contextlib.aclosing(records):
            return await show.records(records)

    try:
        count = asyncio.run(follow())
    except KafkaConnectionError:
        return no_broker(settings)
    console.print(f"{count} record(s)")
    return 0


class Shown:
    """What `tail` prints: records of one ticket (or all), the last N of what is there, as
    readable blocks or raw JSON."""

    def __init__(
        self,
        model: type[Any],
        *,
        as_json: bool = False,
        ticket: str | None = None,
        last: int | None = None,
        limit: int | None = None,
    ) -> None:
        self.model, self.as_json, self.ticket, self.limit = model, as_json, ticket, limit
        # until the topic's backlog is read (the first empty poll) the last N wait here
        self.backlog: deque[str] | None = deque(maxlen=last) if last is not None else None
        self.count = 0

    async def records(self, records: Any) -> int:
        async for record in records:
            if record is None:
                self.flush()
                continue
            if self.ticket is not None and (record.key or b"").decode("utf-8", "replace") != self.ticket:
                continue
            text = self.render(record)
            if self.backlog is not None:
                self.backlog.append(text)
            else:
                self.emit(text)
            if self.limit is not None and self.count >= self.limit:
                break
        self.flush()
        return self.count

    def flush(self) -> None:
        backlog, self.backlog = self.backlog, None
        for text in backlog or ():
            self.emit(text)

    def emit(self, text: str) -> None:
        print(text if self.as_json else text + "\n", flush=True)
        self.count += 1

    def render(self, record: Any) -> str:
        try:
            value = codec.decode(self.model, record.value, record.headers)
        except codec.DecodeError as exc:
            return json.dumps(
                {"undecodable": str(exc), "partition": record.partition, "offset": record.offset}
            )
        if not self.as_json:
            return summarize(value)
        if isinstance(value, DeadLetter) and len(value.original) > DEAD_LETTER_BODY_CHARS:
            shown = json.loads(value.model_dump_json())
            shown["original"] = cut(value.original.decode("utf-8", "replace"), DEAD_LETTER_BODY_CHARS)
            shown["original_bytes"] = len(value.original)
            return json.dumps(shown, indent=2, ensure_ascii=False)
        return str(value.model_dump_json(indent=2))
