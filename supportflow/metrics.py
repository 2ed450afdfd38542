"""Every Prometheus metric supportflow exports, declared once: name, type, unit, meaning.

Names are `supportflow_*` in base units; labels never carry a ticket id (bounded cardinality).
Each service process registers the whole list and serves what it moves on `/metrics`.
The seed's per-layer metrics (DESIGN.md §3) are marked with the layer they measure.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RATIO_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)

# --- every stage --------------------------------------------------------------------------
# Time a stage spends on one record, from decode to the acknowledged send.
STAGE_SECONDS = Histogram(
    "supportflow_stage_seconds",
    "Processing time of one record in a stage.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
# Records a stage consumed, by what became of them (processed, duplicate, dead_lettered).
RECORDS = Counter(
    "supportflow_records_total", "Records consumed by a stage, by outcome.", ["stage", "outcome"]
)
# Dead letters by service and reason (decode_error, validation_error, too_large, processing_error).
DEAD_LETTERS = Counter(
    "supportflow_dead_letters_total", "Records sent to the dead-letter topic.", ["service", "reason"]
)
# Consumer lag per assigned partition (high watermark minus committed position).
CONSUMER_LAG = Gauge(
    "supportflow_consumer_lag", "Records not yet consumed.", ["service", "topic", "partition"]
)
# Commits held back because the record at the committed offset is not processed yet while later
# ones are (supportflow/offsets.py): a steady rise means a partition whose commit cannot advance.
COMMIT_HOLDS = Counter(
    "supportflow_commit_holds_total", "Offset commits held at an unprocessed record.", ["topic"]
)
# Partitions read again from their committed offset because faust skipped a record there.
REREADS = Counter("supportflow_rereads_total", "Partitions re-read from a skipped record.", ["topic"])

# --- intake -------------------------------------------------------------------------------
# Intake primary: seconds from the ticket's receipt to a clear problem statement.
PROBLEM_STATEMENT_SECONDS = Histogram(
    "supportflow_problem_statement_seconds",
    "Time from ticket receipt to its normalized problem statement.",
    buckets=LATENCY_BUCKETS,
)
# Intake secondary: identifiers missing from tickets (rate = this / supportflow_intake_cases_total).
MISSING_IDENTIFIERS = Counter(
    "supportflow_missing_identifier_total",
    "Tickets missing an identifier investigation needs.",
    ["identifier"],
)
INTAKE_CASES = Counter("supportflow_intake_cases_total", "Cases normalized, by intake status.", ["status"])

# --- investigation ------------------------------------------------------------------------
# Investigation primary: seconds from the start of investigation to the first evidence item.
FIRST_EVIDENCE_SECONDS = Histogram(
    "supportflow_first_evidence_seconds",
    "Time to the first evidence item of a case.",
    buckets=LATENCY_BUCKETS,
)
# Investigation secondary: share of a case's checks that returned a verdict (not unavailable).
EVIDENCE_COMPLETENESS = Histogram(
    "supportflow_evidence_completeness_ratio",
    "Share of a case's checks that could be answered.",
    buckets=RATIO_BUCKETS,
)
CHECKS = Counter("supportflow_checks_total", "Checks run, by source and verdict.", ["source", "verdict"])
# Investigation failure signal: escalations decided with no verified internal evidence.
UNVERIFIED_ESCALATIONS = Counter(
    "supportflow_unverified_escalations_total", "Escalations before any verified internal signal."
)

# --- decisioning --------------------------------------------------------------------------
DECISIONS = Counter("supportflow_decisions_total", "Decisions, by class.", ["decision_class"])
ESCALATIONS = Counter("supportflow_escalations_total", "Escalated cases, by queue.", ["queue"])
INCIDENT_GROUPS = Counter("supportflow_incident_groups_total", "Tickets joined to an incident group.")

# --- drafting -----------------------------------------------------------------------------
DRAFTS = Counter(
    "supportflow_drafts_total", "Drafted replies, by class and generator.", ["decision_class", "generator"]
)
GROUNDING_REJECTIONS = Counter(
    "supportflow_grounding_rejections_total", "LLM rewrites rejected by the grounding check."
)
REDACTIONS = Counter("supportflow_redactions_total", "Spans masked in customer replies.")
# End to end: ticket receipt to drafted reply.
END_TO_END_SECONDS = Histogram(
    "supportflow_end_to_end_seconds", "Time from ticket receipt to drafted reply.", buckets=LATENCY_BUCKETS
)

# --- learning (from helpdesk feedback) ------------------------------------------------------
# Decisioning primary: share of resolved cases whose final class or queue differed from ours.
MISROUTE_RATE = Gauge("supportflow_misroute_rate", "Share of resolved cases that were misrouted.")
# Decisioning secondary: share of resolved tickets investigated more than once.
REPEAT_INVESTIGATION_RATE = Gauge(
    "supportflow_repeat_investigation_rate", "Share of cases investigated again."
)
# Drafting primary: mean normalized edit distance between draft and final reply.
REVISION_RATE = Gauge("supportflow_revision_rate", "Mean share of a draft that agents revised.")
# Drafting secondary: share of resolved cases that needed engineering follow-up.
ENGINEERING_FOLLOW_UP_RATE = Gauge(
    "supportflow_engineering_follow_up_rate", "Share of resolved cases needing engineering follow-up."
)
# Learning primary: cases whose investigation reused a learned pattern.
WORKFLOW_REUSE = Counter("supportflow_workflow_reuse_total", "Cases whose investigation reused a pattern.")
# Learning secondary: reduction of checks per case on cases with a pattern vs without.
REPEAT_CASE_REDUCTION = Gauge(
    "supportflow_repeat_case_reduction_ratio", "Relative reduction of checks on cases matching a pattern."
)
PATTERNS = Gauge("supportflow_patterns", "Patterns known to this process.")

# --- review console (agents' actions on drafted cases) ----------------------------------------
# Every action an agent took, once per event id (approve, edit_approve, reroute, ask_customer,
# engineering_follow_up, resolve).
CONSOLE_ACTIONS = Counter(
    "supportflow_console_actions_total", "Agents' actions on drafted cases.", ["action"]
)
# Drafting primary, as agents see it: drafts approved or escalated with a reply (reviewed), and
# those whose reply was edited beyond a typo (revised); revision rate = revised / reviewed.
CONSOLE_DRAFTS_REVIEWED = Counter("supportflow_console_drafts_reviewed_total", "Drafts approved by an agent.")
CONSOLE_DRAFTS_REVISED = Counter(
    "supportflow_console_drafts_revised_total", "Drafts an agent edited before approving."
)
CONSOLE_EDIT_DISTANCE = Histogram(
    "supportflow_console_edit_distance_ratio",
    "Normalized edit distance between a draft and the reply the agent approved.",
    buckets=(0.0, *RATIO_BUCKETS),
)
# Drafting secondary: cases an agent marked for engineering follow-up.
CONSOLE_ENGINEERING_FOLLOW_UPS = Counter(
    "supportflow_console_engineering_follow_ups_total", "Cases an agent marked for engineering follow-up."
)
# Decisioning primary, as agents see it: cases an agent moved to another class, cause or queue,
# by the queue the router had chosen.
CONSOLE_MISROUTES = Counter(
    "supportflow_console_misroutes_total", "Cases an agent rerouted, by the router's queue.", ["queue"]
)
CONSOLE_RECORDS = Counter(
    "supportflow_console_records_total", "Drafted cases and incident groups read, by outcome.", ["outcome"]
)
CONSOLE_PAGE_SECONDS = Histogram(
    "supportflow_console_page_seconds", "Server time of a console page.", ["page"], buckets=LATENCY_BUCKETS
)


def exposition() -> tuple[bytes, str]:
    """The Prometheus text of this process's registry, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
