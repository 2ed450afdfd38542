"""The domain's declarative playbooks, parsed into plain objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from supportflow.domain import Domain
from supportflow.domain.loader import BUILTIN_CHECKS
from supportflow.events import DECISION_CLASSES, DecisionClass

from .finding import CheckFn
from .identity import IdentityKinds
from .signals import Lexicon

IDENTITY_CHECK, PATTERNS_CHECK = BUILTIN_CHECKS


@dataclass(frozen=True)
class CheckStep:
    check: str
    required: bool = True


@dataclass(frozen=True)
class Signals:
    """What in a ticket points at a hypothesis: families, not phrasings."""

    error_codes: frozenset[str] = frozenset()
    code_parts: tuple[str, ...] = ()
    statuses: frozenset[int] = frozenset()
    components: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    # Families of recorded outcomes (event outcome or reason, error code, `deleted`) that the
    # account's own records show when this explanation holds.
    reasons: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HypothesisSpec:
    """A candidate explanation: its cause id (the domain's), decision class and checks."""

    cause: str
    title: str
    decision_class: DecisionClass
    prior: float
    confirm: Literal["all", "any"]
    checks: tuple[CheckStep, ...]
    signals: Signals
    attributes: Mapping[str, Any] = field(default_factory=dict)
    """What varies by cause (`platform`, `scope`, and what the domain's own checks read)."""

    @property
    def check_names(self) -> tuple[str, ...]:
        return tuple(step.check for step in self.checks)


@dataclass(frozen=True)
class Playbook:
    name: str
    problem_types: frozenset[str]
    hypotheses: tuple[str, ...]


@dataclass(frozen=True)
class Playbooks:
    hypotheses: Mapping[str, HypothesisSpec]
    playbooks: Mapping[str, Playbook]
    costs: Mapping[str, float]
    settings: Mapping[str, float] = field(default_factory=dict)
    default_playbook: str = "general"
    rule_out: tuple[str, ...] = ()
    """Hypotheses tested in full before a case that confirmed nothing is called unclear."""
    triage: str | None = None
    """The check that surveys the tenant's recorded outcomes to order the hypotheses."""
    runners: Mapping[str, CheckFn] = field(default_factory=dict)
    """Every check by name: the domain's generic-kind instances and its own code checks."""
    lexicon: Lexicon = field(default_factory=Lexicon)
    identity: IdentityKinds = field(default_factory=IdentityKinds)

    def for_problem(self, problem_type: str | None) -> Playbook:
        key = (problem_type or "").strip().lower().replace("-", "_").replace(" ", "_")
        for playbook in self.playbooks.values():
            if key and (key == playbook.name or key in playbook.problem_types):
                return playbook
        return self.playbooks[self.default_playbook]

    def cost(self, check: str) -> float:
        return float(self.costs.get(check, 1.0))

    def setting(self, name: str, default: float) -> float:
        return float(self.settings.get(name, default))


def _signals(raw: Mapping[str, Any]) -> Signals:
    return Signals(
        error_codes=frozenset(str(code).upper() for code in raw.get("error_codes") or ()),
        code_parts=tuple(str(part).upper() for part in raw.get("code_parts") or ()),
        statuses=frozenset(int(status) for status in raw.get("statuses") or ()),
        components=frozenset(str(c) for c in raw.get("components") or ()),
        keywords=tuple(str(word).lower() for word in raw.get("keywords") or ()),
        reasons=frozenset(str(reason).lower() for reason in raw.get("reasons") or ()),
    )


def parse_playbooks(raw: Mapping[str, Any]) -> Playbooks:
    """Validate and build `Playbooks` from the YAML mapping; raises ValueError on a bad file."""
    hypotheses: dict[str, HypothesisSpec] = {}
    for cause, spec in (raw.get("hypotheses") or {}).items():
        decision_class = str(spec.get("class", ""))
        if decision_class not in DECISION_CLASSES:
            raise ValueError(f"hypothesis {cause}: unknown class {decision_class!r}")
        confirm = str(spec.get("confirm", "all"))
        if confirm not in ("all", "any"):
            raise ValueError(f"hypothesis {cause}: confirm must be all or any")
        steps: list[CheckStep] = []
        for item in spec.get("checks") or ():
            if isinstance(item, str):
                steps.append(CheckStep(item))
            else:
                steps.append(CheckStep(str(item["check"]), bool(item.get("required", True))))
        if not steps:
            raise ValueError(f"hypothesis {cause}: no checks")
        hypotheses[cause] = HypothesisSpec(
            cause=str(spec.get("cause", cause)),
            title=str(spec.get("title", cause)),
            decision_class=cast(DecisionClass, decision_class),
            prior=float(spec.get("prior", 0.05)),
            confirm=cast(Literal["all", "any"], confirm),
            checks=tuple(steps),
            signals=_signals(spec.get("signals") or {}),
            attributes=dict(spec.get("attributes") or {}),
        )
    playbooks: dict[str, Playbook] = {}
    for name, spec in (raw.get("playbooks") or {}).items():
        members = tuple(str(h) for h in spec.get("hypotheses") or ())
        unknown = [h for h in members if h not in hypotheses]
        if unknown:
            raise ValueError(f"playbook {name}: unknown hypotheses {unknown}")
        types = frozenset(str(t).lower() for t in spec.get("problem_types") or ())
        playbooks[name] = Playbook(name=str(name), problem_types=types, hypotheses=members)
    if "general" not in playbooks:
        playbooks["general"] = Playbook("general", frozenset(), tuple(hypotheses))
    costs = {str(k): float(v) for k, v in (raw.get("checks") or {}).items()}
    settings = {str(k): float(v) for k, v in (raw.get("settings") or {}).items()}
    rule_out = tuple(str(h) for h in raw.get("rule_out") or ())
    if unknown := [h for h in rule_out if h not in hypotheses]:
        raise ValueError(f"rule_out: unknown hypotheses {unknown}")
    triage = raw.get("triage")
    return Playbooks(
        hypotheses=hypotheses,
        playbooks=playbooks,
        costs=costs,
        settings=settings,
        rule_out=rule_out,
        triage=str(triage) if triage else None,
    )


def load_playbooks(domain: Domain) -> Playbooks:
    """The playbooks of a loaded domain (already validated against its checks), with the
    domain's checks and vocabulary."""
    from .checks import domain_checks

    parsed = parse_playbooks(domain.playbooks)
    costs = dict(parsed.costs)
    for name, spec in domain.checks.items():
        costs.setdefault(name, spec.cost)
    return replace(
        parsed,
        costs=costs,
        runners=domain_checks(domain),
        lexicon=Lexicon.from_vocabulary(domain.vocabulary),
        identity=IdentityKinds(
            tenant=domain.product.tenant.identifier,
            scope=domain.product.scope,
            member=domain.vocabulary.kind_with_role("member"),
            noun=domain.product.tenant.noun.get("en", "account"),
        ),
    )
