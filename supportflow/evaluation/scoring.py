"""Scoring of drafted cases against a pack's ground truth — pure arithmetic, no I/O.

Definitions (each figure in the eval JSON):
- identifier precision/recall: over the identifier vocabulary of docs/WORLD.md, a predicted
  identifier is right when the truth has the same field with the same value (case-insensitive).
- missing-identifier accuracy: per ticket and per vocabulary field, flagged-missing == truly missing.
- evidence completeness: share of a ticket's `required_evidence` checks that its investigation ran.
- checks per ticket: evidence items per investigated ticket (needs_info tickets excluded);
  `checks_ratio` divides by the checks the matching playbook could have run.
- source checks per ticket: the same without the similar-case lookup, which reads the learner's
  own patterns in memory: the reads of product sources, on which learning is judged.
- decision accuracy and misroute rate (route queue differs from the truth's).
- answer-point coverage: share of `answer_points` found (case-insensitive) in the customer reply;
  a point written as a sentence counts when the reply states every hard fact it names.
- forbidden leaks: (ticket, forbidden string) pairs found in the customer reply — must be 0.
- claims grounded: share of reply claims citing at least one evidence id present in the case.
- reply contradictions: sentences of final replies that contradict their case or another
  sentence (services/drafter/consistency.py: incident tense by status, a cause claimed and ruled
  out, "not checked" beyond the ticket's playbook) — must be 0; `contradicting` lists a few.
- pattern reuse: share of investigated cases that listed similar resolved cases.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from services.drafter.consistency import contradictions
from supportflow.domain import BUILTIN_CHECKS, Domain
from supportflow.events import DECISION_CLASSES, CaseFile
from supportflow.world.pack import Truth

GENERIC_MISSING = ("time_window", "error_details", "action")
_, PATTERNS_CHECK = BUILTIN_CHECKS


@dataclass(frozen=True)
class Scored:
    """One ticket's truth and the case the pipeline drafted for it (None if it never came)."""

    truth: Truth
    case: CaseFile | None
    sent_at: float | None = None  # epoch seconds the eval published the ticket


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Fields:
    """What the intake is scored on: the domain's identifier kinds (plus error codes, the
    affected user's email and integrations), and the missing items it can flag."""

    identifiers: tuple[str, ...]
    missing: tuple[str, ...]

    @classmethod
    def of(cls, domain: Domain) -> Fields:
        kinds = [*domain.vocabulary.identifiers, "error_code", "user_email"]
        if domain.vocabulary.integrations:
            kinds.append("integration")
        required = [k for k in domain.product.required_identifiers if k not in GENERIC_MISSING]
        return cls(tuple(dict.fromkeys(kinds)), (*required, *GENERIC_MISSING))


@cache
def default_fields() -> Fields:
    from supportflow.settings import load_domain_for

    return Fields.of(load_domain_for())


def identifier_counts(
    predicted: Mapping[str, str], truth: Mapping[str, str], fields: Fields | None = None
) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over the identifier vocabulary."""
    tp = fp = fn = 0
    for field in (fields or default_fields()).identifiers:
        guess, real = predicted.get(field), truth.get(field)
        if guess is not None and real is not None and guess.strip().lower() == real.strip().lower():
            tp += 1
            continue
        if guess is not None:
            fp += 1
        if real is not None:
            fn += 1
    return tp, fp, fn


def missing_matches(flagged: Iterable[str], truth: Iterable[str], fields: Fields | None = None) -> int:
    flagged_set, truth_set = set(flagged), set(truth)
    return sum(
        (field in flagged_set) == (field in truth_set) for field in (fields or default_fields()).missing
    )


def contains(text: str, needle: str) -> bool:
    return needle.strip().lower() in text.lower()


# The hard facts of an answer point written as a sentence: identifiers, emails, hosts, codes,
# dates, times and numbers.
_HARD_FACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b"
    r"|\b[a-z0-9]+(?:[_.-][a-z0-9]+)+\b|\b\d+\b",
    re.IGNORECASE,
)


def covers(reply: str, point: str) -> bool:
    """Whether a reply states an answer point: the point as written, or — for a point written
    as a sentence — every hard fact it names (ids, emails, hosts, codes, dates, times, numbers)."""
    if contains(reply, point):
        return True
    facts = {f.lower() for f in _HARD_FACT.findall(point)}
    low = reply.lower()
    return len(facts) >= 2 and all(fact in low for fact in facts)


def score(results: Sequence[Scored], fields: Fields | None = None) -> dict[str, Any]:
    """Every figure over the drafted cases; `fields` are the domain's (the configured one's)."""
    completed = [r for r in results if r.case is not None and r.case.draft is not None]
    report: dict[str, Any] = {"tickets": len(results), "completed": len(completed)}
    report |= _intake_scores(completed, fields or default_fields())
    report |= _investigation_scores(completed)
    report |= _decision_scores(completed)
    report |= _draft_scores(completed)
    report["per_class"] = _breakdown(completed, lambda r: r.truth.decision)
    report["per_family"] = _breakdown(
        completed, lambda r: r.truth.family or r.truth.cause or r.truth.decision
    )
    return report


def _intake_scores(results: Sequence[Scored], fields: Fields) -> dict[str, Any]:
    tp = fp = fn = 0
    missing_right = 0
    per_field: dict[str, Counter[str]] = defaultdict(Counter)
    latencies = []
    for r in results:
        assert r.case is not None and r.case.intake is not None
        predicted = r.case.intake.identifiers
        a, b, c = identifier_counts(predicted, r.truth.identifiers, fields)
        tp, fp, fn = tp + a, fp + b, fn + c
        for field in fields.identifiers:
            t, p = r.truth.identifiers.get(field), predicted.get(field)
            if p is not None and t is not None and p.lower() == t.lower():
                per_field[field]["tp"] += 1
            else:
                per_field[field]["fp"] += p is not None
                per_field[field]["fn"] += t is not None
        missing_right += missing_matches(r.case.intake.missing, r.truth.missing, fields)
        intake_timing = next((t for t in r.case.trail if t.stage == "intake"), None)
        if intake_timing is not None and r.sent_at is not None:
            latencies.append(max(intake_timing.finished_at.timestamp() - r.sent_at, 0.0))
    return {
        "identifier_precision": ratio(tp, tp + fp),
        "identifier_recall": ratio(tp, tp + fn),
        "identifier_per_field": {
            field: {
                "precision": ratio(c["tp"], c["tp"] + c["fp"]),
                "recall": ratio(c["tp"], c["tp"] + c["fn"]),
                "support": c["tp"] + c["fn"],
            }
            for field, c in sorted(per_field.items())
        },
        "missing_identifier_accuracy": ratio(missing_right, len(results) * len(fields.missing)),
        "problem_statement_p50_s": percentile(latencies, 50),
        "problem_statement_p95_s": percentile(latencies, 95),
    }


def _investigated(results: Sequence[Scored]) -> list[Scored]:
    return [
        r
        for r in results
        if r.case is not None and r.case.investigation is not None and r.truth.decision != "needs_info"
    ]


def _investigation_scores(results: Sequence[Scored]) -> dict[str, Any]:
    investigated = _investigated(results)
    first_evidence = [
        r.case.investigation.first_evidence_s
        for r in investigated
        if r.case and r.case.investigation and r.case.investigation.first_evidence_s is not None
    ]
    required = run_required = 0
    checks: list[int] = []
    source_checks: list[int] = []
    possible: list[int] = []
    reused = 0
    for r in investigated:
        assert r.case is not None and r.case.investigation is not None
        ran = {e.check for e in r.case.investigation.evidence if e.verdict != "unavailable"}
        required += len(r.truth.required_evidence)
        run_required += sum(check in ran for check in r.truth.required_evidence)
        checks.append(len(r.case.investigation.evidence))
        source_checks.append(sum(e.check != PATTERNS_CHECK for e in r.case.investigation.evidence))
        possible.append(r.case.investigation.checks_possible)
        reused += bool(r.case.investigation.similar_cases)
    return {
        "first_evidence_p50_s": percentile(first_evidence, 50),
        "first_evidence_p95_s": percentile(first_evidence, 95),
        "evidence_completeness": ratio(run_required, required),
        "checks_per_ticket": statistics.fmean(checks) if checks else None,
        "source_checks_per_ticket": statistics.fmean(source_checks) if source_checks else None,
        "checks_ratio": ratio(sum(checks), sum(possible)),
        "pattern_reuse": ratio(reused, len(investigated)),
        "pattern_reuse_cases": reused,
    }


def _decision_scores(results: Sequence[Scored]) -> dict[str, Any]:
    right = misrouted = 0
    confusion: dict[str, Counter[str]] = {c: Counter() for c in DECISION_CLASSES}
    for r in results:
        assert r.case is not None and r.case.decision is not None
        decided = r.case.decision.decision_class
        right += decided == r.truth.decision
        misrouted += r.case.decision.route.queue != r.truth.route_queue
        confusion.setdefault(r.truth.decision, Counter())[decided] += 1
    return {
        "decision_accuracy": ratio(right, len(results)),
        "misroute_rate": ratio(misrouted, len(results)),
        "confusion": {truth: dict(row) for truth, row in confusion.items() if row},
    }


def _draft_scores(results: Sequence[Scored]) -> dict[str, Any]:
    points = covered = leaks = 0
    claims = grounded = 0
    leaked: list[dict[str, str]] = []
    contradicting: list[dict[str, str]] = []
    for r in results:
        assert r.case is not None and r.case.draft is not None
        reply = r.case.draft.customer_reply
        points += len(r.truth.answer_points)
        covered += sum(covers(reply, point) for point in r.truth.answer_points)
        for forbidden in r.truth.forbidden:
            if forbidden.strip() and contains(reply, forbidden):
                leaks += 1
                leaked.append({"ticket_id": r.case.ticket_id, "forbidden": forbidden})
        evidence_ids = (
            {e.evidence_id for e in r.case.investigation.evidence} if r.case.investigation else set()
        )
        for claim in r.case.draft.claims:
            claims += 1
            grounded += bool(claim.evidence_ids) and set(claim.evidence_ids) <= evidence_ids
        contradicting += [
            {"ticket_id": r.case.ticket_id, "rule": c.rule, "sentence": c.sentence}
            for c in contradictions(r.case, r.case.draft)
        ]
    return {
        "answer_point_coverage": ratio(covered, points),
        "forbidden_leaks": leaks,
        "leaked": leaked[:20],
        "claims_grounded_ratio": ratio(grounded, claims),
        "reply_contradictions": len(contradicting),
        "contradicting": contradicting[:20],
    }


def _breakdown(results: Sequence[Scored], key: Any) -> dict[str, Any]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for r in results:
        groups[str(key(r))].append(r)
    table = {}
    for name, members in sorted(groups.items()):
        decided = _decision_scores(members)
        drafted = _draft_scores(members)
        investigated = _investigation_scores(members)
        table[name] = {
            "tickets": len(members),
            "decision_accuracy": decided["decision_accuracy"],
            "misroute_rate": decided["misroute_rate"],
            "evidence_completeness": investigated["evidence_completeness"],
            "checks_per_ticket": investigated["checks_per_ticket"],
            "source_checks_per_ticket": investigated["source_checks_per_ticket"],
            "answer_point_coverage": drafted["answer_point_coverage"],
            "forbidden_leaks": drafted["forbidden_leaks"],
            "reply_contradictions": drafted["reply_contradictions"],
        }
    return table
