"""Every check of a domain as one callable per name: generic kinds and the domain's own code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from supportflow.domain import Domain
from supportflow.domain.models import CheckSpec

from .context import CaseContext
from .finding import CheckFn, Finding, HypothesisLike
from .kinds import run_kind

__all__ = ["CheckFn", "Finding", "domain_checks"]


@dataclass(frozen=True)
class _Survey:
    """The hypothesis a check runs for when it runs for none (the outcome survey)."""

    cause: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


def _kind_check(name: str, spec: CheckSpec) -> CheckFn:
    async def run(ctx: CaseContext, hypothesis: HypothesisLike | None) -> Finding:
        return await run_kind(name, spec, ctx, hypothesis if hypothesis is not None else _Survey())

    return run


def domain_checks(domain: Domain) -> dict[str, CheckFn]:
    """Name → check for every check the domain declares (built-in checks are the engine's)."""
    runners: dict[str, CheckFn] = {name: _kind_check(name, spec) for name, spec in domain.checks.items()}
    runners.update(domain.code_checks)
    return runners
