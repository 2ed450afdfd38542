"""Pydantic models of every record on the wire.

`schemas/*.avsc` are the contracts; these models mirror them field for field, and
`tests/unit/test_contracts.py` proves each one round-trips through its schema.
Times are timezone-aware UTC datetimes (Avro `timestamp-micros`).
Enumerations travel as strings so that new values stay BACKWARD compatible.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DecisionClass = Literal[
    "expected_behavior",
    "configuration_issue",
    "product_defect",
    "incident",
    "needs_info",
    "unclear",
]
DECISION_CLASSES: tuple[str, ...] = DecisionClass.__args__  # type: ignore[attr-defined]

Verdict = Literal["supports", "contradicts", "neutral", "unavailable"]
HypothesisVerdict = Literal["confirmed", "refuted", "unlikely", "untested", "inconclusive"]
Stage = Literal["intake", "investigator", "router", "drafter", "learner"]
STAGES: tuple[str, ...] = ("intake", "investigator", "router", "drafter")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Record(BaseModel):
    """Base of every wire record: strict about unknown fields, lenient about order."""

    model_config = ConfigDict(extra="ignore", frozen=False)


# --- ticket ---------------------------------------------------------------------------


class Requester(Record):
    email: str
    name: str | None = None


class ThreadMessage(Record):
    author: str
    sent_at: datetime | None = None
    body: str


class TicketReceived(Record):
    """A ticket event from an upstream helpdesk: a new ticket or a customer's follow-up."""

    # an empty id cannot key a topic nor be merged with a follow-up: dead-lettered at intake
    ticket_id: str = Field(min_length=1, max_length=256)
    message_id: str = Field(min_length=1, max_length=512)
    received_at: datetime
    channel: str = "email"
    subject: str = ""
    body: str = ""
    requester: Requester
    metadata: dict[str, str] = Field(default_factory=dict)
    thread: list[ThreadMessage] = Field(default_factory=list)

    @field_validator("received_at")
    @classmethod
    def _utc_when_unzoned(cls, value: datetime) -> datetime:
        """A helpdesk time without a zone is UTC: every reader compares it with zoned times."""
        return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- intake ---------------------------------------------------------------------------


class Environment(Record):
    surface: str | None = None  # ui | api | mobile
    app_version: str | None = None
    browser: str | None = None
    os: str | None = None
    region: str | None = None
    user_agent: str | None = None


class ErrorSignature(Record):
    kind: str  # error_code | http_status | request_id | exception | message
    value: str


class IntakeSection(Record):
    status: Literal["ready", "needs_info"] = "ready"
    requester_email: str
    requester_name: str | None = None
    identifiers: dict[str, str] = Field(default_factory=dict)
    environment: Environment = Field(default_factory=Environment)
    action: str | None = None
    expected: str | None = None
    actual: str | None = None
    steps: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    timing_text: str | None = None
    error_signatures: list[ErrorSignature] = Field(default_factory=list)
    language: str = "en"
    problem_statement: str
    problem_type: str | None = None
    missing: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    """Every address the ticket mentions (colleagues, recipients, forwarded senders), not the vendor's."""
    foreign_identifiers: list[str] = Field(default_factory=list)
    """Identifiers the ticket gives as another organisation's: never read, never the requester's."""
    cross_tenant: bool = False
    """The ticket asks about another organisation's data, access, credentials or identity."""
    questions: list[str] = Field(default_factory=list)
    log_excerpts: list[str] = Field(default_factory=list)
    injection_suspected: bool = False
    messages_merged: int = 1


# --- investigation --------------------------------------------------------------------


class Evidence(Record):
    evidence_id: str
    source: str
    check: str
    query: dict[str, str] = Field(default_factory=dict)
    window_start: datetime | None = None
    window_end: datetime | None = None
    observed: str
    verdict: Verdict
    hypothesis_id: str | None = None
    customer_safe: bool = True
    latency_s: float = 0.0
    facts: dict[str, str] = Field(default_factory=dict)


class Hypothesis(Record):
    hypothesis_id: str
    title: str
    decision_class: DecisionClass
    cause: str | None = None
    verdict: HypothesisVerdict = "untested"
    prior: float = 0.0
    evidence_ids: list[str] = Field(default_factory=list)


class LearnedPathUse(Record):
    """A learned investigation path whose own checks showed its signal on this case: the cause
    it settles, the cases it was learned from (cited in the internal note), the approved answer."""

    path_id: str
    cause: str
    decision_class: DecisionClass
    route_queue: str | None = None
    cases: list[str] = Field(default_factory=list)
    answer: str | None = None
    evidence_ids: list[str] = Field(default_factory=list)


class InvestigationSection(Record):
    identity_status: Literal["verified", "unverified", "mismatch"] = "unverified"
    identity_note: str = ""
    account_id: str | None = None
    user_id: str | None = None
    playbook: str | None = None
    hypotheses: list[Hypothesis] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    unavailable_sources: list[str] = Field(default_factory=list)
    similar_cases: list[str] = Field(default_factory=list)
    checks_possible: int = 0
    first_evidence_s: float | None = None
    # v2: set when a learned path, not a playbook hypothesis, settled the cause
    learned_path: LearnedPathUse | None = None


# --- decision -------------------------------------------------------------------------


class Route(Record):
    queue: str
    team: str
    priority: str = "normal"
    escalate: bool = False


class Decision(Record):
    decision_class: DecisionClass
    cause: str | None = None
    confidence: float = 0.0
    rationale: str = ""
    cited_evidence: list[str] = Field(default_factory=list)
    route: Route
    escalation_packet: str | None = None
    incident_id: str | None = None
    incident_group_size: int = 0


# --- draft ----------------------------------------------------------------------------


class Claim(Record):
    text: str
    evidence_ids: list[str] = Field(default_factory=list)


class Draft(Record):
    language: str = "en"
    customer_reply: str
    claims: list[Claim] = Field(default_factory=list)
    uncertain: list[str] = Field(default_factory=list)
    next_action: str = ""
    internal_note: str = ""
    generator: str = "template"
    grounding_rejections: int = 0
    redactions: int = 0


# --- the case file --------------------------------------------------------------------


class StageTiming(Record):
    stage: str
    event_id: str
    started_at: datetime
    finished_at: datetime

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class CaseFile(Record):
    """The one evolving record that travels along the stage topics, keyed by ticket_id."""

    ticket_id: str = Field(min_length=1, max_length=256)
    revision: int = Field(default=1, ge=1)  # 1 for the first message of a ticket
    ticket: TicketReceived
    intake: IntakeSection | None = None
    investigation: InvestigationSection | None = None
    decision: Decision | None = None
    draft: Draft | None = None
    trail: list[StageTiming] = Field(default_factory=list)

    def event_id(self, stage: str) -> str:
        """Deterministic id of this case's output at `stage`: the same input gives the same id."""
        return f"{self.ticket_id}:{self.revision}:{stage}"

    @property
    def last_event_id(self) -> str | None:
        return self.trail[-1].event_id if self.trail else None


# --- feedback, learning, failures -----------------------------------------------------


class SettlingEvidence(Record):
    """Which check of which source showed what, as recorded by whoever settled the case.

    `params` is what the check was run for (the attributes of the explanation it tested), each
    value JSON-encoded, so a learned path can run the same check again; `facts` what it found
    (the evidence's facts), so an approved answer can say this case's instead."""

    check: str
    source: str = ""
    verdict: Verdict = "supports"
    observed: str = ""
    params: dict[str, str] = Field(default_factory=dict)
    facts: dict[str, str] = Field(default_factory=dict)  # what the check found, as its evidence holds it


class CaseResolved(Record):
    """The helpdesk's final outcome for a case, or a review console action on one case revision."""

    ticket_id: str
    resolved_at: datetime
    final_class: DecisionClass
    final_cause: str | None = None
    final_queue: str | None = None
    final_reply: str = ""
    draft_edited: bool = False
    engineering_follow_up: bool = False
    reopened: bool = False
    # v2, from the review console: which action on which case revision, deterministically named
    # (`<ticket_id>:<revision>:console:<step>`), so a resend of the same action is recognisable
    event_id: str | None = None
    # approve | edit_approve | reroute | ask_customer | engineering_follow_up | resolve
    action: str | None = None
    case_revision: int = 1
    edit_distance: float | None = None  # normalized, 0 = sent as drafted, 1 = rewritten
    reviewed_by: str | None = None
    team: str | None = None
    # v3: the evidence that settled the case (a cause the system called unclear becomes a
    # learned investigation path from it)
    settled_by: list[SettlingEvidence] = Field(default_factory=list)


class Pattern(Record):
    """A reusable lesson from resolved cases, keyed by pattern_id on a compacted topic."""

    pattern_id: str
    signature: str
    problem_type: str | None = None
    features: dict[str, str] = Field(default_factory=dict)
    decision_class: DecisionClass
    cause: str | None = None
    checks: list[str] = Field(default_factory=list)
    confirming_check: str | None = None
    answer_example: str | None = None
    support: int = 1
    reopened: int = 0
    ticket_ids: list[str] = Field(default_factory=list)
    updated_at: datetime


class LearnedPath(Record):
    """An investigation path learned from resolved cases the playbooks could not settle, keyed
    by path_id on a compacted topic: the ticket signature, the checks that proved the cause with
    the verdict each showed, the decision and route, and the approved answer."""

    path_id: str
    signature: str
    problem_type: str | None = None
    features: dict[str, str] = Field(default_factory=dict)
    decision_class: DecisionClass
    cause: str
    title: str = ""
    route_queue: str | None = None
    checks: list[SettlingEvidence] = Field(default_factory=list)
    answer: str | None = None
    support: int = 1
    ticket_ids: list[str] = Field(default_factory=list)
    updated_at: datetime


class IncidentGroup(Record):
    """An incident group as it stands: the tickets that joined it so far, on a compacted topic
    keyed by incident_id, re-published each time one joins (the first ticket's case carries the
    id; this record shows the group growing)."""

    incident_id: str
    known_incident_id: str | None = None  # the status page's incident, once one is known
    signature: str  # failing component / error family (or @release for a deploy regression)
    size: int  # tickets that joined, this update's included
    grouped: bool = False  # a known incident, or one signature across several accounts
    first_ticket_id: str
    ticket_ids: list[str] = Field(default_factory=list)  # the most recent ones, at most 100
    account_ids: list[str] = Field(default_factory=list)
    first_seen: datetime
    last_seen: datetime
    merged_into: str | None = None  # set when a burst grouped by signature joins a known incident
    updated_at: datetime


class DeadLetter(Record):
    """A record a service could not decode or process, with everything needed to replay it."""

    service: str
    origin_topic: str
    origin_partition: int
    origin_offset: int
    key: bytes | None = None
    reason: str  # decode_error | validation_error | too_large | processing_error
    error: str
    original: bytes
    headers: dict[str, str] = Field(default_factory=dict)
    failed_at: datetime
