"""Run a scenario pack through the real services on Kafka and score it.

Each eval gets its own namespace (topics and consumer groups `eval-<run>.…`), its own world
database and its own five service processes, so it never disturbs a running `supportflow up`.
With `learn_from`, the pack is run once before learning (the baseline), the other pack's
tickets are run and resolved with their ground truth (`CaseResolved` on
`support.cases.resolved`, which the learner turns into patterns), and the pack is run again:
the report compares checks per ticket and accuracy before and after.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportflow.admin import create_topics, delete_topics, read_topic
from supportflow.evaluation.pack_http import serve_pack_http
from supportflow.evaluation.resolutions import resolution_from_truth
from supportflow.evaluation.scoring import Scored, score
from supportflow.events import CaseFile
from supportflow.fleet import Fleet, free_port_block
from supportflow.settings import Settings
from supportflow.topics import PATTERNS
from supportflow.traffic import collect_cases, collect_dead_letters, publish_resolutions, publish_tickets
from supportflow.world.loader import content_hash, load_pack, read_tickets
from supportflow.world.pack import PackTicket

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total)"""


@dataclass
class PhaseResult:
    label: str
    scored: list[Scored]
    sent: int
    dead_lettered: int
    duplicates: int
    seconds: float
    report: dict[str, Any] = field(default_factory=dict)


def eval_settings(base: Settings, run_id: str) -> Settings:
    state = base.state_dir / "eval" / run_id
    return base.model_copy(
        update={
            "namespace": f"{base.namespace}eval-{run_id}.",
            "state_dir": state,
            "web_port_base": free_port_block(),
            "world_db": f"sqlite:///{(state / 'world.db').resolve()}",
        }
    )


def relabel(items: Sequence[PackTicket], prefix: str) -> list[PackTicket]:
    """The same tickets under fresh ticket ids, so one namespace can see them twice."""
    return [
        item.model_copy(
            update={
                "ticket": item.ticket.model_copy(
                    update={
                        "ticket_id": f"{prefix}{item.ticket.ticket_id}",
                        "message_id": f"{prefix}{item.ticket.message_id}",
                    }
                )
            }
        )
        for item in items
    ]


async def run_phase(
    settings: Settings, label: str, items: Sequence[PackTicket], progress: Progress, *, stall: float
) -> PhaseResult:
    began = time.monotonic()
    sent_at: dict[str, float] = {}
    wanted = {item.ticket.ticket_id for item in items}

    def on_sent(ticket: Any) -> None:
        sent_at[ticket.ticket_id] = time.time()
        progress(f"{label}: sending", len(sent_at), len(items))

    seen: set[str] = set()

    def on_case(case: CaseFile) -> None:
        seen.add(case.ticket_id)
        progress(f"{label}: investigating", len(seen), len(items))

    send = asyncio.create_task(publish_tickets(settings, [i.ticket for i in items], on_sent=on_sent))
    collected = await collect_cases(
        settings, wanted, timeout=max(300.0, 3.0 * len(items)), stall=stall, on_case=on_case
    )
    sent = await send
    letters = [d for d in await collect_dead_letters(settings, idle=1.0) if (d.key or b"").decode() in wanted]
    scored = [
        Scored(
            truth=item.truth,
            case=collected.cases.get(item.ticket.ticket_id),
            sent_at=sent_at.get(item.ticket.ticket_id),
        )
        for item in items
    ]
    result = PhaseResult(
        label, scored, sent, len({d.key for d in letters}), collected.duplicates, time.monotonic() - began
    )
    result.report = score(scored) | accounting(result)
    return result


def accounting(result: PhaseResult) -> dict[str, Any]:
    completed = sum(s.case is not None for s in result.scored)
    return {
        "tickets": result.sent,
        "completed": completed,
        "dead_lettered": result.dead_lettered,
        "lost": result.sent - completed - result.dead_lettered,
        "duplicates": result.duplicates,
        "seconds": round(result.seconds, 2),
        "tickets_per_s": round(result.sent / result.seconds, 2) if result.seconds else None,
    }


async def resolve_with_truth(settings: Settings, phase: PhaseResult) -> int:
    """Publish the helpdesk's final outcome for every case of `phase`, built from its truth."""
    resolutions = [
        resolution_from_truth(item.case, item.truth) for item in phase.scored if item.case is not None
    ]
    return await publish_resolutions(settings, resolutions)


async def wait_for_patterns(settings: Settings, *, quiet: float = 5.0, limit: float = 120.0) -> int:
    """Count distinct patterns on the compacted topic once the learner has gone quiet."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    ids: set[bytes] = set()
    while loop.time() < deadline:
        before = len(ids)
        async for record in read_topic(settings, settings.topic(PATTERNS), idle_timeout=quiet):
            if record.key:
                ids.add(record.key)
        if ids and len(ids) == before:
            break
    return len(ids)


async def evaluate(
    pack: Path,
    base: Settings,
    *,
    learn_from: Path | None = None,
    progress: Progress = lambda phase, done, total: None,
    keep: bool = False,
    stall: float = 60.0,
) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    settings = eval_settings(base, run_id)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    progress("loading the world", 0, 1)
    settings = settings.model_copy(update={"world_files": str((pack / "world").resolve())})
    assert settings.world_db
    load_pack(pack, settings.world_db)
    progress("loading the world", 1, 1)
    await create_topics(settings)
    with serve_pack_http(pack) as http_env:
        return await _evaluate_on(pack, settings, http_env, learn_from, progress, keep, stall, run_id)


async def _evaluate_on(
    pack: Path,
    settings: Settings,
    http_env: dict[str, str],
    learn_from: Path | None,
    progress: Progress,
    keep: bool,
    stall: float,
    run_id: str,
) -> dict[str, Any]:
    fleet = Fleet(settings, env=http_env)
    fleet.start()
    try:
        await asyncio.to_thread(fleet.wait_healthy, 180.0)
        items = read_tickets(pack)
        if learn_from is None:
            final = await run_phase(settings, "eval", relabel(items, "E-"), progress, stall=stall)
            report = final.report
        else:
            baseline = await run_phase(settings, "baseline", relabel(items, "B-"), progress, stall=stall)
            report = await learn_then_rerun(
                settings, fleet, pack, learn_from, items, baseline, progress, stall
            )
    finally:
        fleet.stop()
        if not keep:
            await delete_topics(settings)
    report["pack"] = str(pack)
    report["run_id"] = run_id
    return report


async def learn_then_rerun(
    settings: Settings,
    fleet: Fleet,
    pack: Path,
    learn_from: Path,
    items: Sequence[PackTicket],
    baseline: PhaseResult,
    progress: Progress,
    stall: float,
) -> dict[str, Any]:
    lessons = relabel(read_tickets(learn_from), "L-")
    same_world = _world_hash(pack) == _world_hash(learn_from)
    if not same_world:
        await _switch_world(fleet, learn_from)
    learning = await run_phase(settings, "learning", lessons, progress, stall=stall)
    resolved = await resolve_with_truth(settings, learning)
    progress("learning: patterns", 0, 1)
    patterns = await wait_for_patterns(settings)
    progress("learning: patterns", 1, 1)
    if not same_world:
        await _switch_world(fleet, pack)
    after = await run_phase(settings, "after learning", relabel(items, "A-"), progress, stall=stall)
    report = dict(after.report)
    before = baseline.report
    report["learning"] = {
        "learned_from": str(learn_from),
        "resolved_cases_fed": resolved,
        "patterns": patterns,
        "pattern_reuse": after.report.get("pattern_reuse"),
        "checks_per_ticket_before": before.get("checks_per_ticket"),
        "checks_per_ticket_after": after.report.get("checks_per_ticket"),
        "checks_reduction": _reduction(
            before.get("checks_per_ticket"), after.report.get("checks_per_ticket")
        ),
        "source_checks_per_ticket_before": before.get("source_checks_per_ticket"),
        "source_checks_per_ticket_after": after.report.get("source_checks_per_ticket"),
        "source_checks_reduction": _reduction(
            before.get("source_checks_per_ticket"), after.report.get("source_checks_per_ticket")
        ),
        "decision_accuracy_before": before.get("decision_accuracy"),
        "decision_accuracy_after": after.report.get("decision_accuracy"),
        "learning_phase_accuracy": learning.report.get("decision_accuracy"),
    }
    report["baseline"] = {k: v for k, v in before.items() if not isinstance(v, dict)}
    return report


def _reduction(before: float | None, after: float | None) -> float | None:
    if not before or after is None:
        return None
    return 1.0 - after / before


def _world_hash(pack: Path) -> str:
    return content_hash(pack)


async def _switch_world(fleet: Fleet, pack: Path) -> None:
    """Reload the evidence database with another pack's world and restart the services."""
    assert fleet.settings.world_db
    fleet.stop()
    load_pack(pack, fleet.settings.world_db)
    fleet.settings = fleet.settings.model_copy(update={"world_files": str((pack / "world").resolve())})
    fleet.start()
    await asyncio.to_thread(fleet.wait_healthy, 180.0)
