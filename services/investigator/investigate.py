"""The investigation: identity first, then the playbook's hypotheses, cheapest and likeliest
first, stopping once one is confirmed and its rivals are refuted or unlikely."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from supportflow.events import (
    CaseFile,
    Evidence,
    Hypothesis,
    HypothesisVerdict,
    InvestigationSection,
    LearnedPath,
    Verdict,
)

from .context import MEMBERS, CaseContext
from .finding import CheckFn, Finding
from .identity import Identity, IdentityKinds, resolve_identity
from .learned_path import path_hypothesis, path_use, shows_signal
from .playbooks import IDENTITY_CHECK, PATTERNS_CHECK, HypothesisSpec, Playbooks
from .signals import TicketSignals
from .sources import CaseSources, Query, Sources, SourceUnavailable


@dataclass(frozen=True)
class SimilarCase:
    """A resolved case or pattern the learner found similar to this ticket."""

    case_id: str
    cause: str | None
    decision_class: str
    similarity: float = 1.0
    confirming_check: str | None = None


@dataclass
class RankedHypothesis:
    spec: HypothesisSpec
    prior: float
    score: float
    model: Hypothesis
    # Whether the ticket itself (its words, codes, object) or a similar case points here; an
    # explanation only the account's unrelated records suggest is not tested.
    pointed: bool = True
    # The score from the playbook and the ticket alone, without similar cases: learning may
    # reorder hypotheses, but only a learned cause's confirmation lets it skip one the playbook
    # would have tested (the floor is held against this score too).
    cold_score: float = 0.0
    # A cause similar resolved cases settled on: its required checks run before its optional
    # ones, so a wrong look-alike costs the one check that refutes it.
    learned: bool = False


def concrete(case: CaseFile, signals: TicketSignals) -> bool:
    """Whether a ticket the intake parked still names something to investigate: a product
    area (problem type) or a component. Parking is the intake's reading of the words; the
    evidence may still settle the case, and the router keeps `needs_info` when it does not."""
    intake = case.intake
    if intake is None:
        return False
    known = intake.problem_type not in (None, "", "general", "other", "unknown")
    return known or bool(signals.components or signals.error_codes or signals.statuses)


def hypothesis_id(cause: str) -> str:
    return f"h-{cause}"


def signal_match(spec: HypothesisSpec, signals: TicketSignals) -> float:
    """How strongly the ticket's signal families point at a hypothesis (0 = not at all)."""
    wanted = spec.signals
    boost = 0.0
    if signals.error_codes & wanted.error_codes:
        boost += 4.0
    elif any(part in code for code in signals.error_codes for part in wanted.code_parts):
        boost += 2.0
    if signals.statuses & wanted.statuses:
        boost += 1.5
    if signals.components & wanted.components:
        boost += 1.0
    hits = sum(1 for word in wanted.keywords if signals.mentions(word))
    boost += min(hits, 4) * 0.5
    return boost


# Similar resolved cases settle the cause strongly enough to test it first (see _learned_path).
# Measured on a learned pack: with these, 140 of 142 learned-first causes were right; the rest
# fall back to the regular path.
DECISIVE_SIMILARITY = 0.35
DECISIVE_PRIOR = 0.25


class Trail:
    """Evidence in the order it was gathered, with ids and the time to the first item."""

    def __init__(self, runners: Mapping[str, CheckFn] | None = None) -> None:
        self.runners = runners or {}
        self.started = time.perf_counter()
        self.evidence: list[Evidence] = []
        self.first_evidence_s: float | None = None
        self.unavailable: list[str] = []
        self.tested: dict[str, tuple[str, list[str]]] = {}
        """hypothesis id -> (verdict, evidence ids): a hypothesis is tested once per case."""

    def has(self, check: str) -> bool:
        return any(e.check == check for e in self.evidence)

    def add(self, **fields: object) -> Evidence:
        item = Evidence.model_validate({"evidence_id": f"ev-{len(self.evidence) + 1}", **fields})
        self.evidence.append(item)
        if self.first_evidence_s is None:
            self.first_evidence_s = time.perf_counter() - self.started
        return item


def _query_params(reads: Sequence[Query]) -> dict[str, str]:
    params: dict[str, str] = {}
    tables: list[str] = []
    for read in reads:
        for key, value in read.params().items():
            if key == "table":
                if value not in tables:
                    tables.append(value)
            else:
                params.setdefault(key, value)
    if tables:
        params["table"] = ",".join(tables)
    return params


def _window(case: CaseFile, playbooks: Playbooks) -> tuple[datetime, datetime]:
    intake = case.intake
    received = case.ticket.received_at
    pad = timedelta(minutes=playbooks.setting("window_padding_minutes", 120))
    lookback = timedelta(hours=playbooks.setting("lookback_hours", 72))
    if intake is not None and intake.window_start is not None:
        start = intake.window_start - pad
        end = (intake.window_end or received) + pad
        # A problem reported as still happening runs until the ticket arrived: customers state
        # when it began, rarely that it continues, and relative times are approximate.
        if timedelta(0) <= received - end <= timedelta(hours=playbooks.setting("ongoing_hours", 24)):
            end = received
        # a stated time before the arrival is not read past it: what came later is no evidence
        # of what the ticket reports (a replayed or re-investigated case would read rows its
        # customer could not have seen)
        return start, max(min(end, received), start + pad)
    return received - lookback, received


async def _run_check(
    name: str, spec: HypothesisSpec | None, ctx: CaseContext, sources: CaseSources, trail: Trail
) -> Evidence:
    ctx.reads = []
    started = time.perf_counter()
    try:
        finding = await trail.runners[name](ctx, spec)
    except SourceUnavailable as exc:
        if exc.source not in trail.unavailable:
            trail.unavailable.append(exc.source)
        finding = Finding(
            "unavailable",
            f"Could not check: source {exc.source} unavailable ({exc.reason}).",
            customer_safe=False,
        )
        source = exc.source
    else:
        source = ",".join(dict.fromkeys(sources.source_name(q.table) for q in ctx.reads)) or "none"
    since = min((q.since for q in ctx.reads if q.since), default=ctx.window_start)
    until = max((q.until for q in ctx.reads if q.until), default=ctx.window_end)
    return trail.add(
        source=source,
        check=name,
        query=_query_params(ctx.reads),
        window_start=since,
        window_end=until,
        observed=finding.observed,
        verdict=finding.verdict,
        hypothesis_id=hypothesis_id(spec.cause) if spec else None,
        customer_safe=finding.customer_safe,
        latency_s=round(time.perf_counter() - started, 6),
        facts=finding.facts,
    )


def judge(spec: HypothesisSpec, verdicts: Mapping[str, Verdict]) -> HypothesisVerdict:
    """The hypothesis's verdict from its own checks' verdicts (check name -> verdict).

    Only the checks the playbook lists for it count: they read product sources. Anything else in
    `verdicts` — the similar-case listing above all — is ignored; learned knowledge orders and
    chooses checks, it is never proof."""
    required = [step.check for step in spec.checks if step.required]
    if spec.confirm == "any":
        seen = [verdicts[name] for name in spec.check_names if name in verdicts]
        if "supports" in seen:
            return "confirmed"
        if seen and all(v == "contradicts" for v in seen):
            return "refuted"
        return "inconclusive" if "unavailable" in seen else "unlikely"
    got = [verdicts.get(name) for name in required]
    if "contradicts" in got:
        return "refuted"
    if all(v == "supports" for v in got):
        return "confirmed"
    if "unavailable" in got:
        return "inconclusive"
    return "inconclusive" if "supports" in got else "unlikely"


async def _identity_evidence(
    case: CaseFile, sources: CaseSources, trail: Trail, kinds: IdentityKinds
) -> Identity:
    assert case.intake is not None
    started = time.perf_counter()
    try:
        identity = await resolve_identity(case.intake, sources, kinds)
    except SourceUnavailable as exc:
        trail.unavailable.append(exc.source)
        identity = Identity(
            status="unverified",
            note=f"Requester not verified: source {exc.source} unavailable; no {kinds.noun} data read.",
            verdict="unavailable",
            observed=f"Could not check: source {exc.source} unavailable ({exc.reason}).",
        )
        source = exc.source
    else:
        source = sources.source_name(MEMBERS)
    trail.add(
        source=source,
        check=IDENTITY_CHECK,
        query=_query_params(identity.queries) or {"email": case.intake.requester_email},
        observed=identity.observed,
        verdict=identity.verdict,
        customer_safe=identity.verdict != "unavailable",
        latency_s=round(time.perf_counter() - started, 6),
        facts=identity.facts,
    )
    return identity


async def investigate(
    case: CaseFile,
    sources: Sources | CaseSources,
    playbooks: Playbooks,
    *,
    priors: Mapping[str, float] | None = None,
    similar: Sequence[SimilarCase] = (),
    paths: Sequence[LearnedPath] = (),
) -> InvestigationSection:
    """Investigate one case. `sources` is the shared `Sources` (a per-case view is taken here)
    or a `CaseSources`. Never raises for a source failure: it becomes `unavailable` evidence.
    `paths` are learned paths the ticket looks like, tried when the playbooks confirm nothing."""
    if case.intake is None:
        raise ValueError(f"case {case.ticket_id} has no intake section")
    view = sources.for_case() if isinstance(sources, Sources) else sources
    trail = Trail(playbooks.runners)
    identity = await _identity_evidence(case, view, trail, playbooks.identity)
    section = InvestigationSection(
        identity_status=identity.status,
        identity_note=identity.note,
        account_id=identity.tenant_id,
        user_id=str(identity.requester.get("member_id")) if identity.requester else None,
    )
    signals = TicketSignals.from_case(case, playbooks.lexicon)
    playbook = playbooks.for_problem(case.intake.problem_type)
    section.playbook = playbook.name
    section.similar_cases = [s.case_id for s in similar]
    causes = list(playbook.hypotheses)
    for cause, spec in playbooks.hypotheses.items():
        if cause not in causes and signals.error_codes & spec.signals.error_codes:
            causes.append(cause)

    parked = case.intake.status == "needs_info" and not concrete(case, signals)
    if identity.tenant_id is None or parked:
        section.checks_possible = len(_possible(causes, playbooks, similar))
        section.hypotheses = [r.model for r in _rank(causes, playbooks, signals, priors or {}, similar)]
        _finish(section, trail)
        return section

    guide: Sequence[SimilarCase] = similar
    if case.intake.status == "needs_info":
        # A ticket the intake parked says too little for a look-alike to choose its explanation:
        # "something is wrong with our mail" resembles many settled cases, and the account's
        # unrelated records would then confirm one. Its similar cases are listed, never followed.
        priors, guide = {}, ()
    start, end = _window(case, playbooks)
    ctx = CaseContext(
        intake=case.intake,
        sources=view,
        tenant_id=identity.tenant_id,
        requester=identity.requester,
        subject=identity.subject,
        scope_id=identity.scope_id,
        window_start=start,
        window_end=end,
        signals=signals,
        as_of=case.ticket.received_at,
        settings=dict(playbooks.settings),
    )
    learned = await _learned_path(causes, playbooks, signals, priors or {}, guide, ctx, view, trail)
    if learned is not None:
        section.checks_possible = len(_possible(causes, playbooks, similar))
        section.hypotheses = [r.model for r in learned]
        _finish(section, trail)
        return section
    triage = await _run_check(playbooks.triage, None, ctx, view, trail) if playbooks.triage else None
    observed: Counter[str] = ctx.notes.get("observed") or Counter()
    if triage is not None and triage.verdict != "unavailable":
        for cause, spec in playbooks.hypotheses.items():
            if cause not in causes and spec.signals.reasons & set(observed):
                causes.append(cause)
    possible = _possible(causes, playbooks, similar)
    section.checks_possible = len(possible)
    ranked = _rank(causes, playbooks, signals, priors or {}, guide, observed)
    section.hypotheses = [r.model for r in ranked]
    on_object: Counter[str] = ctx.notes.get("observed_on_object") or Counter()
    for item in ranked:
        item.pointed = bool(
            signal_match(item.spec, signals)
            or observed_match(item.spec, on_object)
            or any(s.cause == item.spec.cause for s in guide)
        )
    if similar and not trail.has(PATTERNS_CHECK):
        _similar_evidence(similar, ranked, trail)
    await _test_hypotheses(ranked, ctx, view, playbooks, trail, len(possible))
    if not any(r.model.verdict == "confirmed" for r in ranked):
        area = () if playbook.name == playbooks.default_playbook else playbook.hypotheses
        surveyed = await _rule_out(ranked, causes, area, playbooks, signals, priors or {}, ctx, view, trail)
        section.hypotheses = [r.model for r in ranked]
        section.checks_possible = len(possible | surveyed)
        if paths:
            await _follow_learned_paths(paths, section, ctx, view, playbooks, trail)
    _finish(section, trail)
    return section


async def _follow_learned_paths(
    paths: Sequence[LearnedPath],
    section: InvestigationSection,
    ctx: CaseContext,
    sources: CaseSources,
    playbooks: Playbooks,
    trail: Trail,
) -> None:
    """Run learned paths' own checks on a case the playbooks could not settle. A path's cause
    is confirmed only when each of its checks shows, for this ticket, the verdict it showed on
    the cases it was learned from; the first that does settles the case."""
    for path in paths:
        spec = path_hypothesis(path, playbooks)
        if spec is None:
            continue
        expected = {c.check: c.verdict for c in path.checks}
        model = Hypothesis(
            hypothesis_id=f"h-learned-{path.path_id}",
            title=spec.title,
            decision_class=spec.decision_class,
            cause=spec.cause,
        )
        verdicts: dict[str, Verdict] = {}
        for step in sorted(spec.checks, key=lambda s: playbooks.cost(s.check)):
            evidence = await _run_check(step.check, spec, ctx, sources, trail)
            evidence.hypothesis_id = model.hypothesis_id
            verdicts[step.check] = evidence.verdict
            model.evidence_ids.append(evidence.evidence_id)
            if evidence.verdict != expected[step.check]:
                break
        section.checks_possible += len(spec.checks)
        model.verdict = "confirmed" if shows_signal(path, verdicts) else "unlikely"
        section.hypotheses.append(model)
        if model.verdict == "confirmed":
            section.learned_path = path_use(path, list(model.evidence_ids), ctx.intake.language)
            return


def decisive_cause(similar: Sequence[SimilarCase], priors: Mapping[str, float]) -> str | None:
    """The cause that similar resolved cases settle on, when they agree strongly enough to test it first."""
    if not similar:
        return None
    best = max(similar, key=lambda s: s.similarity)
    if (
        best.cause is None
        or best.similarity < DECISIVE_SIMILARITY
        or priors.get(best.cause, 0.0) < DECISIVE_PRIOR
    ):
        return None
    if max(priors, key=lambda cause: priors[cause]) != best.cause:
        return None  # the most similar case and the weight of all similar cases disagree
    return best.cause


def learned_causes(
    similar: Sequence[SimilarCase], priors: Mapping[str, float], playbooks: Playbooks, signals: TicketSignals
) -> list[str]:
    """The causes to test before the survey: the one the similar cases settle on when they agree
    (decisive_cause), else those they settled on that the ticket's own words or codes also point
    at. A look-alike the ticket says nothing to support is left to the regular ranking."""
    cause = decisive_cause(similar, priors)
    if cause is not None:
        return [cause] if cause in playbooks.hypotheses else []
    named = dict.fromkeys(s.cause for s in sorted(similar, key=lambda s: -s.similarity) if s.cause)
    return [
        cause
        for cause in named
        if cause in playbooks.hypotheses and signal_match(playbooks.hypotheses[cause], signals)
    ]


async def _learned_path(
    causes: list[str],
    playbooks: Playbooks,
    signals: TicketSignals,
    priors: Mapping[str, float],
    similar: Sequence[SimilarCase],
    ctx: CaseContext,
    view: CaseSources,
    trail: Trail,
) -> list[RankedHypothesis] | None:
    """Test the causes similar resolved cases settled on before surveying the account.

    Learning pays here: the survey of recent outcomes is skipped and the learned causes' checks
    run first (see learned_causes). Only a confirmation by a cause's own checks ends the
    investigation; otherwise the regular path follows (the checks already run are cached, and
    their evidence kept).
    """
    chosen = learned_causes(similar, priors, playbooks, signals)
    if not chosen:
        return None
    causes.extend(cause for cause in chosen if cause not in causes)
    ranked = _rank(causes, playbooks, signals, priors, similar)
    _similar_evidence(similar, ranked, trail)
    possible = len(_possible(causes, playbooks, similar))
    learned = None
    for item in sorted((r for r in ranked if r.spec.cause in chosen), key=lambda r: -r.score):
        item.pointed = True
        await _test_hypotheses([item], ctx, view, playbooks, trail, possible)
        if item.model.verdict == "confirmed":
            learned = item
            break
    if learned is None:
        return None
    for item in ranked:
        if item is not learned:
            item.model.verdict = "unlikely"
    return ranked


def _possible(causes: Sequence[str], playbooks: Playbooks, similar: Sequence[SimilarCase]) -> set[str]:
    possible = {IDENTITY_CHECK, *([playbooks.triage] if playbooks.triage else [])}
    possible |= {c for cause in causes for c in playbooks.hypotheses[cause].check_names}
    if similar:
        possible.add(PATTERNS_CHECK)
    return possible


def observed_match(spec: HypothesisSpec, observed: Mapping[str, int]) -> float:
    """How strongly the account's recorded outcomes point at a hypothesis (0 = not at all)."""
    seen = sum(observed.get(name, 0) for name in spec.signals.reasons)
    if not seen:
        return 0.0
    most = max(observed.values())
    return 2.0 + 2.0 * min(seen / most, 1.0)


def _rank(
    causes: Sequence[str],
    playbooks: Playbooks,
    signals: TicketSignals,
    priors: Mapping[str, float],
    similar: Sequence[SimilarCase],
    observed: Mapping[str, int] | None = None,
) -> list[RankedHypothesis]:
    ranked: list[RankedHypothesis] = []
    for cause in causes:
        spec = playbooks.hypotheses[cause]
        # A cause the similar cases settled on rises; one they rarely settled on keeps the
        # playbook's prior (their shares spread over every cause of the neighbourhood, and a
        # lowered prior would leave untested what the playbook alone would test).
        prior = max(float(priors.get(cause, 0.0)), spec.prior)
        evidence = 1.0 + signal_match(spec, signals) + observed_match(spec, observed or {})
        score = prior * evidence * (1.0 + sum(s.similarity for s in similar if s.cause == cause))
        model = Hypothesis(
            hypothesis_id=hypothesis_id(cause),
            title=spec.title,
            decision_class=spec.decision_class,
            cause=spec.cause,
            prior=round(prior, 4),
        )
        ranked.append(
            RankedHypothesis(
                spec,
                prior,
                score,
                model,
                cold_score=spec.prior * evidence,
                learned=any(s.cause == cause for s in similar),
            )
        )
    cost = playbooks.cost
    ranked.sort(key=lambda r: (-r.score, sum(cost(c) for c in r.spec.check_names), r.spec.cause))
    return ranked


def _similar_evidence(similar: Sequence[SimilarCase], ranked: list[RankedHypothesis], trail: Trail) -> None:
    best = max(similar, key=lambda s: s.similarity)
    target = next((r for r in ranked if r.spec.cause == best.cause), None)
    listed = "; ".join(
        f"{s.case_id} → {s.decision_class}/{s.cause or 'none'} ({s.similarity:.2f})" for s in similar
    )
    # Neutral whatever the listing says: similar cases raise a hypothesis's rank, never its verdict,
    # the decision's confidence or the learner's confirming check.
    evidence = trail.add(
        source="patterns",
        check=PATTERNS_CHECK,
        query={"similar": str(len(similar))},
        observed=f"Similar resolved cases: {listed}.",
        verdict="neutral",
        hypothesis_id=target.model.hypothesis_id if target else None,
        customer_safe=False,
    )
    if target:
        target.model.evidence_ids.append(evidence.evidence_id)


async def _test_hypotheses(
    ranked: list[RankedHypothesis],
    ctx: CaseContext,
    sources: CaseSources,
    playbooks: Playbooks,
    trail: Trail,
    possible: int,
) -> None:
    if not ranked:
        return
    best = max((r.score for r in ranked if r.pointed), default=ranked[0].score)
    floor = playbooks.setting("floor", 0.25) * best
    cold_floor = playbooks.setting("floor", 0.25) * max(
        (r.cold_score for r in ranked if r.pointed), default=ranked[0].cold_score
    )
    budget = max(
        int(playbooks.setting("min_budget", 4)), math.floor(playbooks.setting("budget_ratio", 0.6) * possible)
    )
    contender_ratio = playbooks.setting("contender_ratio", 0.6)
    max_contenders = int(playbooks.setting("max_contenders", 1))
    confirmed: RankedHypothesis | None = None
    contenders = 0
    for item in ranked:
        earlier = trail.tested.get(item.model.hypothesis_id)
        if earlier is not None:
            item.model.verdict, item.model.evidence_ids = earlier[0], list(earlier[1])  # type: ignore[assignment]
            if item.model.verdict == "confirmed" and confirmed is None:
                confirmed = item
            continue
        if (item.score < floor and item.cold_score < cold_floor) or not item.pointed:
            item.model.verdict = "unlikely"
            continue
        if confirmed is not None:
            rival = (
                item.spec.decision_class != confirmed.spec.decision_class
                and item.score >= contender_ratio * confirmed.score
                and contenders < max_contenders
            )
            if not rival:
                item.model.verdict = "unlikely"
                continue
            contenders += 1
        if sum(e.check != PATTERNS_CHECK for e in trail.evidence) >= budget:
            continue  # left untested: the budget of checks is spent
        verdicts: dict[str, Verdict] = {}
        steps = sorted(
            item.spec.checks, key=lambda s: (item.learned and not s.required, playbooks.cost(s.check))
        )
        for step in steps:
            evidence = await _run_check(step.check, item.spec, ctx, sources, trail)
            verdicts[step.check] = evidence.verdict
            item.model.evidence_ids.append(evidence.evidence_id)
            if item.spec.confirm == "all" and step.required and evidence.verdict == "contradicts":
                break
        item.model.verdict = judge(item.spec, verdicts)
        trail.tested[item.model.hypothesis_id] = (item.model.verdict, list(item.model.evidence_ids))
        if item.model.verdict == "confirmed" and confirmed is None:
            confirmed = item


async def _rule_out(
    ranked: list[RankedHypothesis],
    causes: list[str],
    area: Sequence[str],
    playbooks: Playbooks,
    signals: TicketSignals,
    priors: Mapping[str, float],
    ctx: CaseContext,
    sources: CaseSources,
    trail: Trail,
) -> set[str]:
    """Rule explanations out on every confirming check before a case is called unclear.

    A case that confirmed nothing goes to a person; the minimum-evidence shortcut (stop a
    hypothesis at its first contradiction, skip what the ticket does not point at) then leaves
    them guessing. So each hypothesis the investigation tested gets the confirming checks its
    refutation cut short, and the playbooks' `rule_out` hypotheses — what changed (config,
    deploys), what is failing (server errors, sign-ins, rejections), what is known (incidents,
    documented behaviour) — are tested in full. Checks read with the hypothesis in mind (which
    errors count, which incidents), so one run for another hypothesis is not reused. Returns the
    checks this added to the possible ones.
    """
    added: set[str] = set()
    for cause in playbooks.rule_out:
        if cause not in causes:
            causes.append(cause)
            added_item = _rank([cause], playbooks, signals, priors, ())[0]
            on_object: Counter[str] = ctx.notes.get("observed_on_object") or Counter()
            added_item.pointed = bool(
                signal_match(added_item.spec, signals) or observed_match(added_item.spec, on_object)
            )
            ranked.append(added_item)
    wanted = set(playbooks.rule_out)
    for item in ranked:
        tested = item.model.hypothesis_id in trail.tested
        if not (tested and item.pointed) and item.spec.cause not in wanted:
            continue
        if tested and item.model.verdict == "confirmed":
            continue
        verdicts: dict[str, Verdict] = {}
        for evidence_id in item.model.evidence_ids:
            earlier = next((e for e in trail.evidence if e.evidence_id == evidence_id), None)
            if earlier is not None and earlier.check in item.spec.check_names:
                verdicts[earlier.check] = earlier.verdict
        for step in sorted(item.spec.checks, key=lambda s: playbooks.cost(s.check)):
            if step.check in verdicts:
                continue
            evidence = next(
                (
                    e
                    for e in trail.evidence
                    if e.check == step.check and e.hypothesis_id == item.model.hypothesis_id
                ),
                None,
            ) or await _run_check(step.check, item.spec, ctx, sources, trail)
            added.add(step.check)
            verdicts[step.check] = evidence.verdict
            item.model.evidence_ids.append(evidence.evidence_id)
        verdict = judge(item.spec, verdicts)
        # The survey rules out; it confirms only what the ticket points at, by its words or by
        # its product area (`area`: the hypotheses of the ticket's own playbook, none for the
        # catch-all one) — an account's unrelated SSO change is not the answer to a question
        # about report totals.
        relevant = item.pointed or item.spec.cause in area
        item.model.verdict = "inconclusive" if verdict == "confirmed" and not relevant else verdict
        trail.tested[item.model.hypothesis_id] = (item.model.verdict, list(item.model.evidence_ids))
    return added


def _finish(section: InvestigationSection, trail: Trail) -> None:
    section.evidence = trail.evidence
    section.unavailable_sources = trail.unavailable
    section.first_evidence_s = (
        round(trail.first_evidence_s, 6) if trail.first_evidence_s is not None else None
    )
