"""What an agent's review of a drafted case means: the action, its checks, and its CaseResolved.

Pure: `resolution()` maps one action on one case revision to the `CaseResolved` the learner
consumes, with a deterministic event id: every closing action of a revision shares one id
(`<ticket>:<revision>:console:final`), a reroute is named by its target queue, so a double
click, a retry or a second tab produces the same id and the store keeps the first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from supportflow.domain.models import Routing
from supportflow.events import DECISION_CLASSES, CaseFile, CaseResolved, Route, SettlingEvidence
from supportflow.similarity import EDIT_THRESHOLD, revision_distance

ActionName = Literal["approve", "edit_approve", "reroute", "ask_customer", "engineering_follow_up", "resolve"]
ACTIONS: tuple[str, ...] = get_args(ActionName)
LABELS: dict[str, str] = {
    "approve": "Approve as is",
    "edit_approve": "Edit and approve",
    "reroute": "Change class, cause or route",
    "ask_customer": "Ask the customer",
    "engineering_follow_up": "Mark engineering follow-up",
    "resolve": "Resolve without reply",
}
MAX_REPLY_CHARS = 20_000


class ReviewError(ValueError):
    """The action cannot apply to this case as it stands; the message is safe to show."""


@dataclass(frozen=True)
class Standing:
    """Where the case stands in the console: its revision, status and current route."""

    revision: int
    status: str
    decision_class: str
    cause: str | None
    queue: str
    team: str


@dataclass(frozen=True)
class Review:
    action: ActionName
    agent: str
    team: str
    revision: int  # the revision the agent was looking at
    reply: str = ""  # the edited reply, or the question to the customer
    decision_class: str = ""  # reroute: the corrected class
    cause: str = ""  # reroute: the corrected cause ("" = none)
    queue: str = ""  # reroute: the target queue
    settled_by: tuple[str, ...] = ()  # reroute: ids of the case's evidence that settled the cause


@dataclass(frozen=True)
class Outcome:
    """The CaseResolved to publish and where the case goes in the console."""

    resolved: CaseResolved
    status: str  # open | awaiting_customer | resolved
    route: Route | None  # reroute: the new route


def event_id(ticket_id: str, revision: int, action: str, queue: str = "") -> str:
    step = f"reroute:{queue}" if action == "reroute" else "final"
    return f"{ticket_id}:{revision}:console:{step}"


def resolution(
    case: CaseFile,
    standing: Standing,
    review: Review,
    routes: dict[str, Route],
    at: datetime,
    attributes: Mapping[str, Mapping[str, Any]] | None = None,
) -> Outcome:
    """The outcome of `review` on `case`; raises ReviewError when it does not apply.

    `routes` maps each queue of the routing table to its route (a reroute must name one).
    `attributes` (cause -> the playbooks' attributes of its hypothesis) say what a check of the
    settling evidence was run for, so a learned path runs it the same way.
    """
    if review.action not in ACTIONS:
        raise ReviewError(f"unknown action {review.action!r}")
    if review.revision != standing.revision:
        raise ReviewError("the case changed since you opened it (the customer replied): reload it")
    if standing.status != "open":
        raise ReviewError(f"the case is {standing.status.replace('_', ' ')}: nothing more to do")
    draft = case.draft.customer_reply if case.draft else ""
    final_class: str = standing.decision_class
    final_cause: str | None = standing.cause
    final_queue: str | None = standing.queue
    reply, edit, status, route = draft, 0.0, "resolved", None
    text = review.reply.replace("\r\n", "\n").strip()
    if len(text) > MAX_REPLY_CHARS:
        raise ReviewError(f"the reply is longer than {MAX_REPLY_CHARS} characters")
    if review.action == "edit_approve":
        if not text:
            raise ReviewError("an edited reply cannot be empty")
        reply, edit = text, revision_distance(draft.strip(), text)
    elif review.action == "ask_customer":
        if not text:
            raise ReviewError("write the question for the customer")
        final_class, final_cause, final_queue = "needs_info", None, None
        reply, edit, status = text, 1.0, "awaiting_customer"
    elif review.action == "reroute":
        route = routes.get(review.queue)
        if route is None:
            raise ReviewError(f"unknown queue {review.queue!r}")
        if review.decision_class not in DECISION_CLASSES:
            raise ReviewError(f"unknown class {review.decision_class!r}")
        final_class, final_cause, final_queue = (
            review.decision_class,
            review.cause.strip() or None,
            route.queue,
        )
        if (final_class, final_cause, final_queue) == (
            standing.decision_class,
            standing.cause,
            standing.queue,
        ):
            raise ReviewError("nothing changed: pick another class, cause or queue")
        reply, status = "", "open"
    elif review.action == "resolve":
        reply = ""
    settled = (
        settling_evidence(case, review.settled_by, attributes or {}) if review.action == "reroute" else []
    )
    resolved = CaseResolved(
        ticket_id=case.ticket_id,
        resolved_at=at,
        final_class=final_class,  # validated by the model: one of DECISION_CLASSES
        final_cause=final_cause,
        final_queue=final_queue,
        final_reply=reply,
        draft_edited=edit > EDIT_THRESHOLD,
        engineering_follow_up=review.action == "engineering_follow_up",
        event_id=event_id(case.ticket_id, standing.revision, review.action, review.queue),
        action=review.action,
        case_revision=standing.revision,
        edit_distance=edit if review.action in ("approve", "edit_approve", "engineering_follow_up") else None,
        reviewed_by=review.agent,
        team=review.team,
        settled_by=settled,
    )
    return Outcome(resolved, status, route)


def settling_evidence(
    case: CaseFile, ids: tuple[str, ...], attributes: Mapping[str, Mapping[str, Any]]
) -> list[SettlingEvidence]:
    """The evidence items the agent named as what settled the cause, as the learner keeps them."""
    investigation = case.investigation
    found = {e.evidence_id: e for e in investigation.evidence} if investigation else {}
    if unknown := [i for i in ids if i not in found]:
        raise ReviewError(f"this case has no evidence {', '.join(unknown)}")
    causes = {h.hypothesis_id: h.cause for h in investigation.hypotheses} if investigation else {}
    settled = []
    for evidence_id in dict.fromkeys(ids):
        evidence = found[evidence_id]
        ran_for = attributes.get(causes.get(evidence.hypothesis_id or "") or "", {})
        settled.append(
            SettlingEvidence(
                check=evidence.check,
                source=evidence.source,
                verdict=evidence.verdict,
                observed=evidence.observed,
                params={key: json.dumps(value) for key, value in ran_for.items()},
                facts=dict(evidence.facts),
            )
        )
    return settled


def routing_table(routing: Routing) -> dict[str, Route]:
    """Queue -> route, from the domain's routing table (classes and cause overrides)."""
    routes: dict[str, Route] = {}
    for entry in [*routing.classes.values(), *routing.causes.values()]:
        route = Route.model_validate(entry.model_dump())
        routes.setdefault(route.queue, route)
    return routes
