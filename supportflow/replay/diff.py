"""The decision diff of a replay: what was drafted then against what the candidate domain drafts now.

Pure: it takes outcomes and failures by ticket id and returns the diff; no Kafka here.
A ticket *changed* when its class, cause or route (queue, team, priority, escalation) differs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from supportflow.events import CaseFile

ARROW = "→"
NONE = "-"


@dataclass(frozen=True)
class Outcome:
    """What a drafted case decided, reduced to what a playbook change can move."""

    decision_class: str
    cause: str | None
    queue: str
    team: str
    priority: str = "normal"
    escalate: bool = False

    @classmethod
    def of(cls, case: CaseFile) -> Outcome | None:
        decision = case.decision
        if decision is None:
            return None
        route = decision.route
        return cls(
            decision_class=decision.decision_class,
            cause=decision.cause,
            queue=route.queue,
            team=route.team,
            priority=route.priority,
            escalate=route.escalate,
        )

    @property
    def label(self) -> str:
        return f"{self.decision_class}/{self.cause or NONE}"

    @property
    def route(self) -> str:
        return f"{self.queue} ({self.team}, {self.priority}{', escalate' if self.escalate else ''})"


@dataclass(frozen=True)
class Failure:
    """A replayed ticket that ended without a draft: dead-lettered, or not drafted in time."""

    ticket_id: str
    reason: str
    error: str = ""


@dataclass(frozen=True)
class Change:
    ticket_id: str
    then: Outcome
    now: Outcome


@dataclass
class ReplayDiff:
    replayed: int
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    no_earlier_draft: dict[str, Outcome] = field(default_factory=dict)
    failed: list[Failure] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return len(self.changed) + self.unchanged

    @property
    def class_transitions(self) -> Counter[str]:
        return Counter(
            f"{c.then.decision_class} {ARROW} {c.now.decision_class}"
            for c in self.changed
            if c.then.decision_class != c.now.decision_class
        )

    @property
    def route_transitions(self) -> Counter[str]:
        return Counter(
            f"{c.then.queue} {ARROW} {c.now.queue}" for c in self.changed if c.then.queue != c.now.queue
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "replayed": self.replayed,
            "compared": self.compared,
            "unchanged": self.unchanged,
            "changed": [
                {"ticket_id": c.ticket_id, "then": asdict(c.then), "now": asdict(c.now)} for c in self.changed
            ],
            "class_transitions": dict(self.class_transitions.most_common()),
            "route_transitions": dict(self.route_transitions.most_common()),
            "no_earlier_draft": [
                {"ticket_id": ticket_id, "now": asdict(now)}
                for ticket_id, now in self.no_earlier_draft.items()
            ],
            "failed": [asdict(f) for f in self.failed],
        }


def diff_decisions(
    replayed: Sequence[str],
    then: Mapping[str, Outcome],
    now: Mapping[str, Outcome],
    failures: Iterable[Failure] = (),
) -> ReplayDiff:
    """Compare, in the order of `replayed`, each ticket's outcome then and now.

    A ticket with no outcome now is reported from `failures` (or as not drafted in time);
    one with an outcome now but none then is listed apart, never counted as a change.
    """
    failed = {f.ticket_id: f for f in failures}
    diff = ReplayDiff(replayed=len(replayed))
    for ticket_id in replayed:
        current = now.get(ticket_id)
        if current is None:
            diff.failed.append(failed.get(ticket_id) or Failure(ticket_id, "not_drafted", "no draft in time"))
            continue
        earlier = then.get(ticket_id)
        if earlier is None:
            diff.no_earlier_draft[ticket_id] = current
        elif earlier == current:
            diff.unchanged += 1
        else:
            diff.changed.append(Change(ticket_id, earlier, current))
    return diff


def render(diff: ReplayDiff) -> list[str]:
    """The diff as readable lines: changes only, then the counts."""
    lines = [
        f"{len(diff.changed)} of {diff.compared} compared tickets changed, {diff.unchanged} unchanged"
        f" ({diff.replayed} replayed)"
    ]
    for change in diff.changed:
        lines.append(f"  {change.ticket_id}")
        lines.append(f"    class  {change.then.label} {ARROW} {change.now.label}")
        if change.then.route != change.now.route:
            lines.append(f"    route  {change.then.route} {ARROW} {change.now.route}")
    for title, counts in (
        ("class transitions", diff.class_transitions),
        ("route transitions", diff.route_transitions),
    ):
        if counts:
            lines.append(title)
            lines.extend(f"  {transition}: {count}" for transition, count in counts.most_common())
    if diff.no_earlier_draft:
        lines.append(f"no earlier draft: {len(diff.no_earlier_draft)}")
        lines.extend(
            f"  {ticket_id}  now {now.label}, {now.queue}" for ticket_id, now in diff.no_earlier_draft.items()
        )
    if diff.failed:
        lines.append(f"failed in the replay: {len(diff.failed)}")
        lines.extend(f"  {f.ticket_id}  {f.reason}{': ' + f.error if f.error else ''}" for f in diff.failed)
    return lines
