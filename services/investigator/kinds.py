"""Generic check kinds (being built on the `kinds` branch; this build has none yet)."""

from __future__ import annotations

from supportflow.domain.models import CheckSpec

from .context import CaseContext
from .finding import Finding, HypothesisLike


async def run_kind(
    name: str, spec: CheckSpec, ctx: CaseContext, hypothesis: HypothesisLike | None
) -> Finding:
    raise NotImplementedError(
        f"check {name}: generic check kind {spec.kind!r} is not available in this build"
    )
