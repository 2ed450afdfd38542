"""`supportflow bench [--rate R] [--tickets N] [--json FILE] [--growth]`: the pipeline against the transport.

Everything runs on the real broker, in its own namespace (`bench-<run>.`), in one run, so the
ratios compare like with like on a shared, noisy machine:

1. relay, max throughput: a raw aiokafka relay over five topics with the pipeline's partition
   count, acks and linger — the bench publishes to the first, four relay processes (one per
   producing service) consume and re-produce the same bytes, the bench reads the fifth;
2. pipeline, max throughput: a backlog of N tickets (the example pack's, JSON as helpdesks send
   them), timed from the first send until every drafted case has arrived;
3. pipeline and relay at a fixed rate R (default: a quarter of the pipeline's max): an open-loop
   generator; latency runs from each ticket's *intended* send time to its arrival, so a stalled
   sender cannot hide queueing (coordinated omission); per-stage times come from the trail;
4. CPU seconds and peak RSS (VmHWM) of every process, from /proc.

With `--growth` the fixed-rate run is repeated on two fresh fleets — 1k patterns and a small
world vs 100k patterns and a 1M-line world — and the p99 ratio of large to small is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from rich.console import Console
from rich.table import Table

from supportflow import codec
from supportflow.admin import create_topics, delete_topics
from supportflow.events import CaseFile, Pattern
from supportflow.fleet import Fleet, free_port_block
from supportflow.progress import phase_bars
from supportflow.runtime import PRODUCER_LINGER_S
from supportflow.settings import Settings, get_settings, load_domain_for
from supportflow.topics import PATTERNS, REPLIES_DRAFTED, TICKETS_RECEIVED
from supportflow.world.pack import PackTicket

RELAY_TOPICS = 5
STAGES = ("intake", "investigator", "router", "drafter")
Payload = tuple[bytes, bytes, list[tuple[str, bytes]]]
"""(key, value, headers) of one ticket as a helpdesk sends it."""
Report = Callable[[str, int, int], None]


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(name, help="measure the pipeline against a raw Kafka relay on the local broker")
    parser.add_argument("--rate", type=float, default=None, help="fixed rate in tickets/s (default: max/4)")
    parser.add_argument("--tickets", type=int, default=2000, help="backlog size of the max-throughput runs")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each fixed-rate run")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument(
        "--growth", action="store_true", help="also run 1k vs 100k patterns, small vs 1M-line world"
    )
    parser.add_argument("--keep-topics", action="store_true", help="keep the bench namespace's topics")
    parser.set_defaults(handler=run)


# --- measurement helpers ---------------------------------------------------------------------


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99/p99.9 by nearest rank (None when there is nothing to rank)."""
    ordered = sorted(values)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "p999": rank(0.999)}


_TICK = os.sysconf("SC_CLK_TCK")


def process_usage(pid: int) -> dict[str, float]:
    """CPU seconds (user+system, this process only) and peak RSS in MB, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)
    peak_kb = 0
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
    return {"cpu_s": cpu, "peak_rss_mb": peak_kb / 1024}


@dataclass
class Processes:
    """The pids the bench accounts for, by name."""

    pids: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> dict[str, dict[str, float]]:
        usage = {}
        for name, pid in self.pids.items():
            try:
                usage[name] = process_usage(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue
        return usage


def cpu_delta(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> dict[str, float]:
    return {name: after[name]["cpu_s"] - before.get(name, {"cpu_s": 0.0})["cpu_s"] for name in after}


# --- the load generator and the collector ------------------------------------------------------


def payloads(items: Sequence[PackTicket], prefix: str, count: int) -> list[Payload]:
    """`count` tickets cycled from `items`, each under a fresh id, encoded as JSON like a helpdesk."""
    out: list[Payload] = []
    for n in range(count):
        item = items[n % len(items)]
        ticket_id = f"{prefix}{n // len(items)}-{item.ticket.ticket_id}"
        ticket = item.ticket.model_copy(
            update={"ticket_id": ticket_id, "message_id": f"{prefix}{n}-{item.ticket.message_id}"}
        )
        out.append(
            (ticket_id.encode(), ticket.model_dump_json().encode(), [("content-type", codec.JSON.encode())])
        )
    return out


def bench_producer(settings: Settings) -> AIOKafkaProducer:
    """acks and linger as the services' producers; idempotent like the helpers in admin."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        linger_ms=int(PRODUCER_LINGER_S * 1000),
        max_request_size=8 * 1024 * 1024,
        **settings.kafka_client_options(),
    )


async def partitions_of(
    consumer: AIOKafkaConsumer, topic: str, patience: float = 30.0
) -> list[TopicPartition]:
    """The topic's partitions, waiting for metadata of a topic created moments ago."""
    deadline = time.monotonic() + patience
    while True:
        partitions = consumer.partitions_for_topic(topic) or set()
        if partitions or time.monotonic() > deadline:
            return [TopicPartition(topic, p) for p in sorted(partitions)]
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.2)


class Arrivals:
    """Reads a topic from its current end and notes when each wanted key first arrives.

    Records are kept raw and decoded after the run, so the collector stays cheap while timing.
    """

    def __init__(
        self, settings: Settings, topic: str, wanted: set[bytes], report: Report, label: str
    ) -> None:
        self.settings, self.topic, self.wanted = settings, topic, wanted
        self.report, self.label = report, label
        self.arrived: dict[bytes, float] = {}
        self.records: dict[bytes, Any] = {}
        self.done = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.bootstrap_servers,
            enable_auto_commit=False,
            group_id=None,
            fetch_max_wait_ms=100,
            max_partition_fetch_bytes=8 * 1024 * 1024,
            **self.settings.kafka_client_options(),
        )
        await consumer.start()
        tps = await partitions_of(consumer, self.topic)
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, before anything is sent
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        assert self._consumer is not None
        loop = asyncio.get_running_loop()
        while len(self.arrived) < len(self.wanted):
            batch = await self._consumer.getmany(timeout_ms=50, max_records=2000)
            now = loop.time()
            for records in batch.values():
                for record in records:
                    if record.key in self.wanted and record.key not in self.arrived:
                        self.arrived[record.key] = now
                        self.records[record.key] = record
            if batch:
                self.report(self.label, len(self.arrived), len(self.wanted))
        self.done.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), timeout)
        await self.stop()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()


async def send_backlog(producer: AIOKafkaProducer, topic: str, load: Sequence[Payload]) -> None:
    pending = [await producer.send(topic, value, key=key, headers=headers) for key, value, headers in load]
    await asyncio.gather(*pending)


async def send_at_rate(
    producer: AIOKafkaProducer, topic: str, load: Sequence[Payload], rate: float, intended: dict[bytes, float]
) -> None:
    """Open loop: ticket i is due at start + i/rate; a late sender sends at once and is charged for it."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    pending = []
    for n, (key, value, headers) in enumerate(load):
        due = start + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        intended[key] = due
        pending.append(await producer.send(topic, value, key=key, headers=headers))
    await asyncio.gather(*pending)


@dataclass
class Phase:
    label: str
    sent: int
    arrived: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    hops: dict[str, list[float]] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def tps(self) -> float:
        return self.arrived / self.seconds if self.seconds else 0.0


async def max_throughput(
    settings: Settings, source: str, sink: str, load: Sequence[Payload], report: Report, label: str
) -> Phase:
    arrivals = Arrivals(settings, sink, {key for key, _, _ in load}, report, label)
    await arrivals.start()
    async with bench_producer(settings) as producer:
        loop = asyncio.get_running_loop()
        began = loop.time()
        await send_backlog(producer, source, load)
        await arrivals.wait(timeout=60.0 + len(load) * 0.2)
    finished = max(arrivals.arrived.values(), default=began)
    return Phase(label, len(load), len(arrivals.arrived), finished - began)


async def fixed_rate(
    settings: Settings,
    source: str,
    sink: str,
    load: Sequence[Payload],
    rate: float,
    report: Report,
    label: str,
    *,
    trail: bool,
) -> Phase:
    arrivals = Arrivals(settings, sink, {key for key, _, _ in load}, report, label)
    await arrivals.start()
    intended: dict[bytes, float] = {}
    loop = asyncio.get_running_loop()
    async with bench_producer(settings) as producer:
        began = loop.time()
        # wall-clock time of the loop's epoch, to put intended send times next to the trail's stamps
        wall_offset = time.time() - loop.time()
        await send_at_rate(producer, source, load, rate, intended)
        await arrivals.wait(timeout=60.0 + len(load) / rate)
    phase = Phase(label, len(load), len(arrivals.arrived), loop.time() - began)
    phase.latencies = [arrivals.arrived[key] - intended[key] for key in arrivals.arrived]
    if trail:
        phase.stages = {stage: [] for stage in STAGES}
        phase.hops = {stage: [] for stage in STAGES}
        for key, record in arrivals.records.items():
            case = codec.decode(CaseFile, record.value, record.headers)
            previous = intended[key] + wall_offset
            for timing in case.trail:
                if timing.stage in phase.stages:
                    phase.stages[timing.stage].append(timing.seconds)
                    finished = timing.finished_at.timestamp()
                    phase.hops[timing.stage].append(finished - previous)
                    previous = finished
    return phase


# --- the raw relay --------------------------------------------------------------------------------


def relay_topics(settings: Settings) -> list[str]:
    return [settings.topic(f"bench.relay.{n}") for n in range(RELAY_TOPICS)]


async def create_relay_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **settings.kafka_client_options()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(name, settings.partitions, settings.replication_factor)
            for name in relay_topics(settings)
            if name not in existing
        ]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


async def delete_relay_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **settings.kafka_client_options()
    )
    await admin.start()
    try:
        await admin.delete_topics(relay_topics(settings))
    finally:
        await admin.close()


def relay_hop(settings_json: str, source: str, sink: str, ready: Any, stop: Any) -> None:
    """One relay process: consume `source`, produce the same bytes to `sink`, commit after the acks."""
    settings = Settings.model_validate_json(settings_json)
    asyncio.run(_relay(settings, source, sink, ready, stop))


async def _relay(settings: Settings, source: str, sink: str, ready: Any, stop: Any) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        group_id=f"{source}-relay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **settings.kafka_client_options(),
    )
    await consumer.start()
    tps = await partitions_of(consumer, source)
    consumer.assign(tps)
    for tp in tps:
        await consumer.position(tp)
    loop = asyncio.get_running_loop()
    last_commit = loop.time()
    async with bench_producer(settings) as producer:
        ready.set()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=100, max_records=500)
                pending = [
                    await producer.send(sink, r.value, key=r.key, headers=list(r.headers))
                    for records in batch.values()
                    for r in records
                ]
                if pending:
                    await asyncio.gather(*pending)  # acknowledged before the offsets can be committed
                if loop.time() - last_commit >= 1.0:  # Faust's broker_commit_interval
                    await consumer.commit()
                    last_commit = loop.time()
        finally:
            await consumer.stop()


class Relay:
    """The relay's processes, one per producing service."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.context = multiprocessing.get_context("spawn")
        self.stop_event = self.context.Event()
        self.processes: list[Any] = []

    def start(self) -> None:
        topics = relay_topics(self.settings)
        readies = []
        for n in range(RELAY_TOPICS - 1):
            ready = self.context.Event()
            process = self.context.Process(
                target=relay_hop,
                args=(self.settings.model_dump_json(), topics[n], topics[n + 1], ready, self.stop_event),
                name=f"relay-{n + 1}",
                daemon=True,
            )
            process.start()
            self.processes.append(process)
            readies.append(ready)
        for ready in readies:
            if not ready.wait(180):
                raise TimeoutError("a relay process did not start within 180 s")

    def pids(self) -> dict[str, int]:
        return {f"relay-{n + 1}": p.pid for n, p in enumerate(self.processes)}

    def stop(self) -> None:
        self.stop_event.set()
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)


# --- a bench namespace -------------------------------------------------------------------------


def bench_settings(base: Settings, run_id: str) -> Settings:
    state = base.state_dir / "bench" / run_id
    return base.model_copy(
        update={
            "namespace": f"{base.namespace}bench-{run_id}.",
            "state_dir": state,
            "web_port_base": free_port_block(),
            "world_db": f"sqlite:///{(state / 'world.db').resolve()}",
        }
    )


async def start_world(settings: Settings, pack: Path) -> Fleet:
    from supportflow.world.loader import load_pack

    settings.state_dir.mkdir(parents=True, exist_ok=True)
    assert settings.world_db
    await asyncio.to_thread(load_pack, pack, settings.world_db)
    await create_topics(settings)
    settings = settings.model_copy(update={"world_files": str((pack / "world").resolve())})
    fleet = Fleet(settings)
    fleet.start()
    try:
        await asyncio.to_thread(fleet.wait_healthy, 180.0)
    except BaseException:
        fleet.stop()
        raise
    return fleet


async def warm_up(settings: Settings, items: Sequence[PackTicket], report: Report) -> None:
    """A few tickets through the pipeline, so first-use costs (imports, connections) are paid."""
    load = payloads(items, f"W{uuid.uuid4().hex[:4]}-", 20)
    await max_throughput(
        settings, settings.topic(TICKETS_RECEIVED), settings.topic(REPLIES_DRAFTED), load, report, "warm-up"
    )


# --- the bench --------------------------------------------------------------------------------


async def bench(
    base: Settings, *, tickets: int, rate: float | None, duration: float, report: Report, keep: bool = False
) -> dict[str, Any]:
    from supportflow.demo import EXAMPLE_PACK
    from supportflow.world.loader import read_tickets

    run_id = uuid.uuid4().hex[:8]
    settings = bench_settings(base, run_id)
    items = read_tickets(EXAMPLE_PACK)
    await create_relay_topics(settings)
    relay = Relay(settings)
    fleet: Fleet | None = None
    procs = Processes({"bench": os.getpid()})
    received, drafted = settings.topic(TICKETS_RECEIVED), settings.topic(REPLIES_DRAFTED)
    first, last = relay_topics(settings)[0], relay_topics(settings)[-1]
    try:
        report("starting services and relay", 0, 1)
        relay.start()
        fleet = await start_world(settings, EXAMPLE_PACK)
        procs.pids |= relay.pids() | {name: entry.process.pid for name, entry in fleet.running.items()}
        report("starting services and relay", 1, 1)
        await warm_up(settings, items, report)
        await max_throughput(settings, first, last, payloads(items, "RW-", 20), report, "relay warm-up")

        before = procs.snapshot()
        relay_max = await max_throughput(
            settings, first, last, payloads(items, "RM-", tickets), report, "relay: max"
        )
        middle = procs.snapshot()
        pipe_max = await max_throughput(
            settings, received, drafted, payloads(items, "PM-", tickets), report, "pipeline: max"
        )
        after_max = procs.snapshot()
        relay_max.cpu_s = cpu_delta(before, middle)
        pipe_max.cpu_s = cpu_delta(middle, after_max)

        chosen = rate or max(pipe_max.tps / 4, 1.0)
        count = max(int(chosen * duration), 50)
        pipe_fixed = await fixed_rate(
            settings,
            received,
            drafted,
            payloads(items, "PF-", count),
            chosen,
            report,
            "pipeline: fixed rate",
            trail=True,
        )
        relay_fixed = await fixed_rate(
            settings,
            first,
            last,
            payloads(items, "RF-", count),
            chosen,
            report,
            "relay: fixed rate",
            trail=False,
        )
        usage = procs.snapshot()
    finally:
        relay.stop()
        if fleet is not None:
            fleet.stop()
        if not keep:
            await delete_topics(settings)
            await delete_relay_topics(settings)
    return figures(run_id, settings, relay_max, pipe_max, pipe_fixed, relay_fixed, chosen, usage, after_max)


def figures(
    run_id: str,
    settings: Settings,
    relay_max: Phase,
    pipe_max: Phase,
    pipe_fixed: Phase,
    relay_fixed: Phase,
    rate: float,
    usage: dict[str, dict[str, float]],
    usage_after_max: dict[str, dict[str, float]],
) -> dict[str, Any]:
    pipe = percentiles(pipe_fixed.latencies)
    rel = percentiles(relay_fixed.latencies)
    p99, relay_p99 = pipe["p99"], rel["p99"]
    return {
        "run_id": run_id,
        "partitions": settings.partitions,
        "linger_s": PRODUCER_LINGER_S,
        "tickets": pipe_max.sent,
        "relay_tps": round(relay_max.tps, 1),
        "pipeline_tps": round(pipe_max.tps, 1),
        "tps_ratio": round(pipe_max.tps / relay_max.tps, 3) if relay_max.tps else None,
        "max_lost": {
            "relay": relay_max.sent - relay_max.arrived,
            "pipeline": pipe_max.sent - pipe_max.arrived,
        },
        "rate": round(rate, 2),
        "fixed_rate_tickets": pipe_fixed.sent,
        "fixed_rate_lost": {
            "relay": relay_fixed.sent - relay_fixed.arrived,
            "pipeline": pipe_fixed.sent - pipe_fixed.arrived,
        },
        "p50_s": pipe["p50"],
        "p95_s": pipe["p95"],
        "p99_s": p99,
        "p999_s": pipe["p999"],
        "relay_p50_s": rel["p50"],
        "relay_p99_s": relay_p99,
        "relay_p999_s": rel["p999"],
        "p99_ratio": round(p99 / relay_p99, 3) if p99 is not None and relay_p99 else None,
        "stage_p99_s": {stage: percentiles(values)["p99"] for stage, values in pipe_fixed.stages.items()},
        "stage_p50_s": {stage: percentiles(values)["p50"] for stage, values in pipe_fixed.stages.items()},
        "hop_p50_s": {stage: percentiles(values)["p50"] for stage, values in pipe_fixed.hops.items()},
        "hop_p99_s": {stage: percentiles(values)["p99"] for stage, values in pipe_fixed.hops.items()},
        "processes": {
            name: {
                "cpu_s": round(u["cpu_s"], 2),
                "cpu_s_relay_max": round(relay_max.cpu_s.get(name, 0.0), 2),
                "cpu_s_pipeline_max": round(pipe_max.cpu_s.get(name, 0.0), 2),
                "peak_rss_mb": round(usage_after_max.get(name, u)["peak_rss_mb"], 1),
                "peak_rss_mb_end": round(u["peak_rss_mb"], 1),
            }
            for name, u in usage.items()
        },
    }


# --- growth: 1k vs 100k patterns, small vs 1M-line world ------------------------------------------


def synthetic_patterns(
    items: Sequence[PackTicket], count: int, problem_types: Sequence[str], seed: int = 7
) -> list[Pattern]:
    """`count` plausible patterns over the pack tickets' vocabulary and the domain's problem types
    (what the learner would write)."""
    from supportflow.events import DECISION_CLASSES
    from supportflow.similarity import terms

    rng = random.Random(seed)
    vocabulary = sorted({t for item in items for t in terms(f"{item.ticket.subject} {item.ticket.body}")})
    problem_types = sorted(problem_types)
    now = datetime.now(UTC)
    patterns = []
    for n in range(count):
        problem = rng.choice(problem_types)
        words = rng.sample(vocabulary, k=min(len(vocabulary), rng.randint(8, 24)))
        patterns.append(
            Pattern(
                pattern_id=f"pat_bench{n:08d}",
                signature=" ".join([problem, *words]),
                problem_type=problem,
                features={"problem_type": problem, "surface": rng.choice(["ui", "api", "mobile"])},
                decision_class=rng.choice(DECISION_CLASSES),
                cause=f"cause_{rng.randint(0, 200)}",
                checks=[f"check.{rng.randint(0, 30)}" for _ in range(3)],
                answer_example=None,
                support=rng.randint(1, 20),
                ticket_ids=[f"T-bench-{n}"],
                updated_at=now,
            )
        )
    return patterns


async def preload_patterns(
    settings: Settings, patterns: Sequence[Pattern], report: Report, label: str
) -> None:
    async with bench_producer(settings) as producer:
        pending = []
        for n, pattern in enumerate(patterns):
            pending.append(
                await producer.send(
                    settings.topic(PATTERNS),
                    codec.encode(pattern),
                    key=pattern.pattern_id.encode(),
                    headers=list(codec.avro_headers("Pattern").items()),
                )
            )
            if n % 5000 == 0:
                report(label, n, len(patterns))
        await asyncio.gather(*pending)
    report(label, len(patterns), len(patterns))


async def wait_patterns_loaded(fleet: Fleet, count: int, timeout: float = 600.0) -> None:
    """Until the investigator and the drafter both report `count` patterns on /metrics."""
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        for service in ("investigator", "drafter"):
            url = f"http://{fleet.settings.web_host}:{fleet.settings.web_port(service)}/metrics"
            while True:
                text = (await client.get(url, timeout=5.0)).text
                loaded = [
                    float(line.split()[1])
                    for line in text.splitlines()
                    if line.startswith("supportflow_patterns ")
                ]
                if loaded and loaded[0] >= count:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service} loaded {loaded} of {count} patterns")
                await asyncio.sleep(1.0)


async def growth(
    base: Settings, *, rate: float, duration: float, report: Report, workdir: Path, keep: bool = False
) -> dict[str, Any]:
    from supportflow.world.loader import domain_world

    generate_pack = domain_world("generator").generate_pack
    from supportflow.world.loader import read_tickets

    configs = {"small": (1_000, 10_000), "large": (100_000, 1_000_000)}
    results: dict[str, Any] = {}
    for label, (pattern_count, log_lines) in configs.items():
        pack = workdir / f"growth-{label}"
        report(f"growth {label}: world of {log_lines:,} log lines", 0, 1)
        await asyncio.to_thread(generate_pack, 11, 300, pack, log_lines=log_lines)
        report(f"growth {label}: world of {log_lines:,} log lines", 1, 1)
        items = read_tickets(pack)
        settings = bench_settings(base, uuid.uuid4().hex[:8])
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        await create_topics(settings)
        await preload_patterns(
            settings,
            synthetic_patterns(
                items, pattern_count, list(load_domain_for(settings).vocabulary.problem_types)
            ),
            report,
            f"growth {label}: patterns",
        )
        fleet = await start_world(settings, pack)
        try:
            await wait_patterns_loaded(fleet, pattern_count)
            await warm_up(settings, items, report)
            count = max(int(rate * duration), 50)
            phase = await fixed_rate(
                settings,
                settings.topic(TICKETS_RECEIVED),
                settings.topic(REPLIES_DRAFTED),
                payloads(items, f"G{label[0]}-", count),
                rate,
                report,
                f"growth {label}: fixed rate",
                trail=True,
            )
            usage = Processes({n: e.process.pid for n, e in fleet.running.items()}).snapshot()
        finally:
            fleet.stop()
            if not keep:
                await delete_topics(settings)
        pct = percentiles(phase.latencies)
        results[label] = {
            "patterns": pattern_count,
            "log_lines": log_lines,
            "p50_s": pct["p50"],
            "p99_s": pct["p99"],
            "lost": phase.sent - len(phase.latencies),
            "stage_p99_s": {stage: percentiles(v)["p99"] for stage, v in phase.stages.items()},
            "peak_rss_mb": {name: round(u["peak_rss_mb"], 1) for name, u in usage.items()},
        }
    small, large = results["small"]["p99_s"], results["large"]["p99_s"]
    results["rate"] = rate
    results["p99_ratio"] = round(large / small, 3) if small and large else None
    return results


# --- the command ---------------------------------------------------------------------------------


def print_figures(result: dict[str, Any], console: Console) -> None:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value * 1000:.1f} ms"

    table = Table(title=f"supportflow bench {result['run_id']} ({result['partitions']} partitions)")
    table.add_column("figure")
    table.add_column("pipeline", justify="right")
    table.add_column("raw relay", justify="right")
    table.add_column("ratio", justify="right")
    table.add_row(
        "max throughput (tickets/s)",
        f"{result['pipeline_tps']:.1f}",
        f"{result['relay_tps']:.1f}",
        str(result["tps_ratio"]),
    )
    table.add_row(f"p50 at {result['rate']:.1f}/s", ms(result["p50_s"]), ms(result["relay_p50_s"]), "")
    table.add_row(
        f"p99 at {result['rate']:.1f}/s",
        ms(result["p99_s"]),
        ms(result["relay_p99_s"]),
        str(result["p99_ratio"]),
    )
    table.add_row(f"p99.9 at {result['rate']:.1f}/s", ms(result["p999_s"]), ms(result["relay_p999_s"]), "")
    for stage, p99 in result["stage_p99_s"].items():
        table.add_row(
            f"  {stage} p99 (processing / hop)", f"{ms(p99)} / {ms(result['hop_p99_s'][stage])}", "", ""
        )
    console.print(table)
    usage = Table(title="processes")
    for column in ("process", "CPU s (total)", "CPU s relay max", "CPU s pipeline max", "peak RSS MB"):
        usage.add_column(column, justify="right" if column != "process" else "left")
    for name, u in result["processes"].items():
        usage.add_row(
            name,
            f"{u['cpu_s']:.1f}",
            f"{u['cpu_s_relay_max']:.1f}",
            f"{u['cpu_s_pipeline_max']:.1f}",
            f"{u['peak_rss_mb']:.0f}",
        )
    console.print(usage)
    if "growth" in result:
        g = result["growth"]
        console.print(
            f"growth at {g['rate']:.1f}/s: p99 small {ms(g['small']['p99_s'])}, large {ms(g['large']['p99_s'])}, "
            f"ratio {g['p99_ratio']}"
        )


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    settings = get_settings()
    with phase_bars(console, width=40) as report:
        result = asyncio.run(
            bench(
                settings,
                tickets=args.tickets,
                rate=args.rate,
                duration=args.duration,
                report=report,
                keep=args.keep_topics,
            )
        )
        if args.growth:
            with tempfile.TemporaryDirectory(prefix="sf-growth-") as workdir:
                result["growth"] = asyncio.run(
                    growth(
                        settings,
                        rate=result["rate"],
                        duration=args.duration,
                        report=report,
                        workdir=Path(workdir),
                        keep=args.keep_topics,
                    )
                )
    print_figures(result, Console())
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
        console.print(f"figures written to {args.json}")
    lost = sum(result["max_lost"].values()) + sum(result["fixed_rate_lost"].values())
    return 0 if lost == 0 else 1
