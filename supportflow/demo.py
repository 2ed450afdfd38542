"""`supportflow demo`: the whole system on the embedded defaults, end to end.

Starts what is not running (the local broker, the topics, the five services), loads the
example world, sends a sample of its tickets, prints a few full case files and the per-layer
figures of the sample, then stops the services it started.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from domains import DEFAULT_PACK
from supportflow.events import CaseFile
from supportflow.progress import phase_bars
from supportflow.settings import SERVICES, Settings, get_settings
from supportflow.summary import cut

EXAMPLE_PACK = DEFAULT_PACK


def register(sub: Any, name: str) -> None:
    parser = sub.add_parser(name, help="run the demo: broker, topics, services, sample tickets, case files")
    parser.add_argument(
        "--pack", type=Path, default=EXAMPLE_PACK, help="the scenario pack to run (default: the example pack)"
    )
    parser.add_argument(
        "--tickets", type=int, default=26, help="how many tickets to send (spread over families)"
    )
    parser.add_argument("--show", type=int, default=3, help="how many full case files to print")
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="leave the services running afterwards (`supportflow down` stops them)",
    )
    parser.set_defaults(handler=run)


def sample(items: list[Any], count: int, seed: int = 1) -> list[Any]:
    """Up to `count` tickets, round-robin over the families so every kind of case shows up."""
    by_family: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        by_family[item.truth.family or item.truth.decision].append(item)
    rng = random.Random(seed)
    for group in by_family.values():
        rng.shuffle(group)
    chosen: list[Any] = []
    while len(chosen) < min(count, len(items)):
        for group in by_family.values():
            if group and len(chosen) < count:
                chosen.append(group.pop())
    return chosen


def run(args: argparse.Namespace) -> int:
    from supportflow.admin import create_topics
    from supportflow.broker import broker_for
    from supportflow.evaluation.report import print_report
    from supportflow.evaluation.runner import relabel, run_phase
    from supportflow.fleet import Fleet
    from supportflow.world.loader import load_pack, read_tickets

    console = Console()
    settings = get_settings()
    with console.status("starting Apache Kafka (the first run fetches its jars from Maven Central)…"):
        state = broker_for(settings.bootstrap_servers, settings.state_dir).start()
    console.print(f"[green]✓[/] Kafka {state.kafka_version} on {state.bootstrap}")
    created, _ = asyncio.run(create_topics(settings))
    console.print(f"[green]✓[/] topics ready ({len(created)} created)")
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    world_db = settings.world_db or f"sqlite:///{(settings.state_dir / 'world.db').resolve()}"
    with console.status(f"loading the world of {args.pack.name}…"):
        loaded = load_pack(args.pack, world_db)
    rows = sum(loaded.rows.values())
    how = "already loaded" if loaded.skipped else f"loaded in {loaded.seconds:.1f}s"
    console.print(f"[green]✓[/] world of {args.pack.name}: {rows:,} rows ({how})")
    settings = settings.model_copy(
        update={"world_db": world_db, "world_files": str((args.pack / "world").resolve())}
    )

    fleet = Fleet(settings, [name for name in SERVICES if not Fleet(settings).healthy(name)])
    fleet.start()
    try:
        with console.status(f"starting {len(fleet.services)} service(s)…"):
            fleet.wait_healthy(timeout=180)
        console.print(
            f"[green]✓[/] services up: {', '.join(SERVICES)} (metrics on ports {settings.web_port_base}–{settings.web_port_base + 4})"
        )
        items = relabel(sample(read_tickets(args.pack), args.tickets), f"D{uuid.uuid4().hex[:6]}-")
        phase = _run_with_progress(
            console, lambda progress: run_phase(settings, "demo", items, progress, stall=60.0)
        )
        for case in showcase([s.case for s in phase.scored if s.case is not None], args.show):
            show_case(console, case)
        print_report(phase.report | {"pack": f"{args.pack} (sample of {len(items)})"}, console)
        print_console_url(console, settings)
    finally:
        if not args.keep_running:
            with console.status("stopping the services the demo started…"):
                fleet.stop()
        ours = broker_for(settings.bootstrap_servers, settings.state_dir).pid() is not None
        console.print(closing_note(state.bootstrap, ours, args.keep_running))
    return 0 if phase.report.get("lost") == 0 else 1


def print_console_url(console: Console, settings: Settings) -> None:
    """Where agents review these drafts: the review console, with the demo's team logins."""
    url = f"http://{settings.web_host}:{settings.console_port}/"
    console.print(
        f"[green]✓[/] review the drafted cases in the console: [bold]{url}[/]\n"
        "    start it with [bold]supportflow console serve --demo-agents[/] "
        "(log in as support-agent / demo-password; one <team>-agent per team)"
    )


def closing_note(bootstrap: str, broker_is_ours: bool, services_kept: bool) -> str:
    """What the demo leaves running, and how to stop it. `broker_is_ours`: the broker was started
    from this state directory (now or by an earlier run), so `supportflow down` can stop it."""
    services = " and the services (--keep-running)" if services_kept else ""
    if broker_is_ours:
        return (
            f"The Kafka broker on {bootstrap}{services} stay running, so the next run starts at once: "
            "`supportflow down` stops them (`supportflow broker stop` the broker only)."
            if services_kept
            else f"The Kafka broker on {bootstrap} stays running, so the next run starts at once: "
            "`supportflow down` stops it."
        )
    note = (
        f"The Kafka broker on {bootstrap} was not started from this state directory: it stays running; "
        "stop it the way it was started."
    )
    return note + (" The services keep running: `supportflow down` stops them." if services_kept else "")


def showcase(cases: list[CaseFile], count: int) -> list[CaseFile]:
    """Up to `count` cases of different decision classes, the ones that needed evidence first."""
    order = [
        "product_defect",
        "incident",
        "configuration_issue",
        "expected_behavior",
        "unclear",
        "needs_info",
    ]
    chosen: list[CaseFile] = []
    for decision_class in order:
        match = next((c for c in cases if c.decision and c.decision.decision_class == decision_class), None)
        if match is not None and len(chosen) < count:
            chosen.append(match)
    return chosen


def _run_with_progress(console: Console, work: Any) -> Any:
    with phase_bars(console) as progress:
        return asyncio.run(work(progress))


def show_case(console: Console, case: CaseFile) -> None:
    intake, investigation, decision, draft = case.intake, case.investigation, case.decision, case.draft
    # ticket text and replies may hold square brackets ("[redacted]"): shown as text, not markup
    lines = [f"[bold]{escape(case.ticket.subject)}[/]  from {escape(case.ticket.requester.email)}"]
    if intake:
        lines.append(f"[cyan]problem[/]  {escape(intake.problem_statement)}")
        if intake.missing:
            lines.append(f"[cyan]missing[/]  {', '.join(intake.missing)}")
    if investigation:
        lines.append(
            f"[cyan]identity[/] {investigation.identity_status} — {escape(investigation.identity_note)}"
        )
        table = Table(show_header=True, box=None, padding=(0, 1))
        for column in ("id", "check", "verdict", "observed"):
            table.add_column(column)
        for evidence in investigation.evidence:
            table.add_row(
                evidence.evidence_id, evidence.check, evidence.verdict, Text(cut(evidence.observed, 90))
            )
    if decision:
        lines.append(
            f"[cyan]decision[/] {decision.decision_class} ({decision.cause or 'no cause'}), "
            f"confidence {decision.confidence:.2f} → {decision.route.queue} / {decision.route.team}"
            f"{' [red]escalated[/]' if decision.route.escalate else ''}"
        )
    timings = ", ".join(f"{t.stage} {t.seconds * 1000:.0f} ms" for t in case.trail)
    lines.append(f"[cyan]timings[/]  {timings}")
    console.print(Panel("\n".join(lines), title=case.ticket_id, expand=True))
    if investigation and investigation.evidence:
        console.print(table)
    if draft:
        console.print(Panel(Text(draft.customer_reply), title="drafted reply", expand=True))
