"""Feedback metrics from the helpdesk's final outcome against what the pipeline decided and drafted.

`FeedbackMetrics` is a plain accumulator: `record()` one resolved case, read `snapshot()`.
Recording the same resolution twice (at-least-once delivery) counts once; its `state()` is
JSON-safe so the service can keep it in a table and `restore()` it after a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from supportflow.events import CaseFile, CaseResolved
from supportflow.similarity import EDIT_THRESHOLD, revision_distance

_MAX_SEEN = 200_000


@dataclass(frozen=True)
class CaseFeedback:
    """What one resolved case says about the pipeline."""

    ticket_id: str
    misrouted: bool | None  # None: no decision to compare
    revision: float | None  # None: no draft to compare
    engineering_follow_up: bool
    reused_pattern: bool
    repeat_investigation: bool
    checks_run: int
    known_pattern: bool


@dataclass
class _Counters:
    resolved: int = 0
    decided: int = 0
    misrouted: int = 0
    drafted: int = 0
    revised: int = 0
    revision_sum: float = 0.0
    engineering_follow_ups: int = 0
    workflow_reuse: int = 0
    repeat_investigations: int = 0
    first_cases: int = 0
    first_case_checks: int = 0
    repeat_cases: int = 0
    repeat_case_checks: int = 0


@dataclass
class FeedbackMetrics:
    counters: _Counters = field(default_factory=_Counters)
    seen_resolutions: dict[str, None] = field(default_factory=dict)
    seen_tickets: dict[str, None] = field(default_factory=dict)
    seen_patterns: dict[str, None] = field(default_factory=dict)

    def record(
        self, resolved: CaseResolved, case: CaseFile | None, pattern_id: str | None = None
    ) -> CaseFeedback | None:
        """Count one resolution; None if this exact resolution was already counted.

        `pattern_id` is the pattern this case belongs to (see `patterns.pattern_id_for`); a case
        of an already known pattern is a repeat case, whose checks are compared with first cases.
        A review console reroute is not counted: it moves the case to another queue, and the
        action that closes the case carries the corrected class and queue (one misroute, one
        resolution).
        """
        if resolved.action == "reroute":
            return None
        resolution_key = f"{resolved.ticket_id}@{resolved.resolved_at.isoformat()}"
        if resolution_key in self.seen_resolutions:
            return None
        self._remember(self.seen_resolutions, resolution_key)
        c = self.counters
        c.resolved += 1

        decision = case.decision if case else None
        misrouted: bool | None = None
        if decision is not None:
            c.decided += 1
            misrouted = decision.decision_class != resolved.final_class or (
                resolved.final_queue is not None and resolved.final_queue != decision.route.queue
            )
            c.misrouted += misrouted

        drafted = case.draft if case else None
        revision: float | None = None
        if drafted is not None:
            c.drafted += 1
            if resolved.final_reply:
                revision = revision_distance(drafted.customer_reply, resolved.final_reply)
            else:
                revision = 1.0 if resolved.draft_edited else 0.0
            c.revision_sum += revision
            c.revised += revision > EDIT_THRESHOLD or resolved.draft_edited

        c.engineering_follow_ups += resolved.engineering_follow_up
        investigation = case.investigation if case else None
        reused = investigation is not None and bool(investigation.similar_cases)
        c.workflow_reuse += reused

        repeat = resolved.reopened or resolved.ticket_id in self.seen_tickets
        c.repeat_investigations += repeat
        self._remember(self.seen_tickets, resolved.ticket_id)

        checks = len({e.check for e in investigation.evidence}) if investigation else 0
        known = pattern_id is not None and pattern_id in self.seen_patterns
        if pattern_id is not None and investigation is not None and not repeat:
            if known:
                c.repeat_cases += 1
                c.repeat_case_checks += checks
            else:
                c.first_cases += 1
                c.first_case_checks += checks
            self._remember(self.seen_patterns, pattern_id)
        return CaseFeedback(
            ticket_id=resolved.ticket_id,
            misrouted=misrouted,
            revision=revision,
            engineering_follow_up=resolved.engineering_follow_up,
            reused_pattern=reused,
            repeat_investigation=repeat,
            checks_run=checks,
            known_pattern=known,
        )

    @staticmethod
    def _remember(seen: dict[str, None], key: str) -> None:
        seen[key] = None
        if len(seen) > _MAX_SEEN:
            del seen[next(iter(seen))]

    def snapshot(self) -> dict[str, float]:
        """Rates in [0, 1] and counts, for the metrics endpoint and the eval report."""
        c = self.counters

        def rate(part: float, whole: int) -> float:
            return part / whole if whole else 0.0

        first_mean = rate(c.first_case_checks, c.first_cases)
        repeat_mean = rate(c.repeat_case_checks, c.repeat_cases)
        reduction = 1.0 - repeat_mean / first_mean if first_mean and c.repeat_cases else 0.0
        return {
            "resolved_total": float(c.resolved),
            "misroute_rate": rate(c.misrouted, c.decided),
            "revision_rate": rate(c.revised, c.drafted),
            "mean_revision_distance": rate(c.revision_sum, c.drafted),
            "engineering_follow_up_rate": rate(c.engineering_follow_ups, c.resolved),
            "workflow_reuse_total": float(c.workflow_reuse),
            "workflow_reuse_rate": rate(c.workflow_reuse, c.resolved),
            "repeat_case_reduction": reduction,
            "repeat_investigation_rate": rate(c.repeat_investigations, c.resolved),
            "checks_per_first_case": first_mean,
            "checks_per_repeat_case": repeat_mean,
        }

    def state(self) -> dict[str, Any]:
        return {
            "counters": asdict(self.counters),
            "seen_resolutions": list(self.seen_resolutions),
            "seen_tickets": list(self.seen_tickets),
            "seen_patterns": list(self.seen_patterns),
        }

    @classmethod
    def restore(cls, state: Mapping[str, Any]) -> FeedbackMetrics:
        return cls(
            counters=_Counters(**state.get("counters", {})),
            seen_resolutions=dict.fromkeys(state.get("seen_resolutions", [])),
            seen_tickets=dict.fromkeys(state.get("seen_tickets", [])),
            seen_patterns=dict.fromkeys(state.get("seen_patterns", [])),
        )
