"""Learned investigation paths on the investigator's side: which ones fit a ticket, and the
hypothesis that runs one's checks.

A learned path is what a person did to settle a case the playbooks could not (see
`services.learner.paths`). It is never proof by itself: it names checks of the domain's own
registry and the verdict each showed; the investigation runs them against the product's
sources for this ticket, and only when every one shows the same verdict again is the path's
cause confirmed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from supportflow.answers import ANSWER_LANGUAGE
from supportflow.events import IntakeSection, LearnedPath, LearnedPathUse, Verdict
from supportflow.similarity import intake_features, signature_text

from .playbooks import CheckStep, HypothesisSpec, Playbooks, Signals

# Below this, a ticket does not look like the cases a path was learned from. Measured with
# scripts/learned_paths_holdout.py on two held-out families of each example domain: 0.2 decides
# more of the held-out family than 0.3 (the demo's feature-flag family after 10 examples: 22/22
# against 20/22) with the same figures on every other family, no confident-wrong answer added, and
# 0.02 to 0.07 more source checks per ticket; the path's own checks, not this floor, keep it from guessing.
PATH_SIMILARITY_FLOOR = 0.2
PATHS_TRIED = 2


def path_similarity(intake: IntakeSection, path: LearnedPath) -> float:
    """In [0, 1]: the share of the ticket's signature terms the path's cases used, with the
    categorical features (problem type, surface, error code) weighed in."""
    ticket = set(signature_text(intake).split())
    if not ticket:
        return 0.0
    text = len(ticket & set(path.signature.split())) / len(ticket)
    features = intake_features(intake)
    shared = [k for k, v in features.items() if path.features.get(k) == v]
    feature = len(shared) / len(features) if features else 0.0
    return round(0.7 * text + 0.3 * feature, 4)


class LearnedPaths:
    """Every learned path, by path_id, as read from the compacted topic (few: one per cause and
    proof, so a scan per ticket is cheap)."""

    def __init__(self) -> None:
        self.paths: dict[str, LearnedPath] = {}

    def add(self, path: LearnedPath) -> None:
        self.paths[path.path_id] = path

    def __len__(self) -> int:
        return len(self.paths)

    def candidates(self, intake: IntakeSection, k: int = PATHS_TRIED) -> list[LearnedPath]:
        """The paths this ticket looks like, most similar (then best supported) first."""
        scored = [(path_similarity(intake, p), p) for p in self.paths.values()]
        scored = [(s, p) for s, p in scored if s >= PATH_SIMILARITY_FLOOR]
        scored.sort(key=lambda item: (-item[0], -item[1].support, item[1].path_id))
        return [p for _, p in scored[:k]]


def _param(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def path_hypothesis(path: LearnedPath, playbooks: Playbooks) -> HypothesisSpec | None:
    """The path as a hypothesis whose checks are the path's; None when a check is not in the
    domain's registry (the path was learned against another version of the domain)."""
    if not path.checks or any(c.check not in playbooks.runners for c in path.checks):
        return None
    attributes: dict[str, Any] = {}
    for check in path.checks:
        attributes.update({key: _param(value) for key, value in check.params.items()})
    return HypothesisSpec(
        cause=path.cause,
        title=f"Learned: {path.title or path.cause}",
        decision_class=path.decision_class,
        prior=0.0,
        confirm="all",
        checks=tuple(CheckStep(c.check) for c in path.checks),
        signals=Signals(),
        attributes=attributes,
    )


def shows_signal(path: LearnedPath, verdicts: Mapping[str, Verdict]) -> bool:
    """Whether the checks run now show what they showed on the cases the path was learned from."""
    return any(c.verdict == "supports" for c in path.checks) and all(
        verdicts.get(c.check) == c.verdict for c in path.checks
    )


def path_use(path: LearnedPath, evidence_ids: list[str], language: str) -> LearnedPathUse:
    """The path as it settled this case; its answer only when written in the ticket's language."""
    same_language = path.features.get(ANSWER_LANGUAGE, language) == language
    return LearnedPathUse(
        path_id=path.path_id,
        cause=path.cause,
        decision_class=path.decision_class,
        route_queue=path.route_queue,
        cases=list(path.ticket_ids),
        answer=path.answer if same_language else None,
        evidence_ids=evidence_ids,
    )
