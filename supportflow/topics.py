"""The one table of topics: names, partitions, retention. `supportflow topics create` makes them.

Auto-creation is off on the broker; every topic a service reads or writes, including the
changelogs behind its Faust tables, is listed here and created explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportflow.settings import Settings


@dataclass(frozen=True)
class TopicSpec:
    name: str
    purpose: str
    compacted: bool = False
    partitions: int | None = None  # None: the settings' partition count (co-partitioned by ticket_id)


TICKETS_RECEIVED = "support.tickets.received"
TICKETS_NORMALIZED = "support.tickets.normalized"
CASES_INVESTIGATED = "support.cases.investigated"
CASES_DECIDED = "support.cases.decided"
REPLIES_DRAFTED = "support.replies.drafted"
CASES_RESOLVED = "support.cases.resolved"
PATTERNS = "support.patterns"
LEARNED_PATHS = "support.paths"
INCIDENTS = "support.incidents"
DEADLETTER = "support.deadletter"

TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(TICKETS_RECEIVED, "ticket events from upstream helpdesks (Avro or JSON)"),
    TopicSpec(TICKETS_NORMALIZED, "case files with the intake section"),
    TopicSpec(CASES_INVESTIGATED, "case files with evidence and hypotheses"),
    TopicSpec(CASES_DECIDED, "case files with the decision and route"),
    TopicSpec(REPLIES_DRAFTED, "case files with the drafted reply, for helpdesks and agents"),
    TopicSpec(CASES_RESOLVED, "helpdesk feedback: the final outcome of a case"),
    TopicSpec(PATTERNS, "learned patterns, one per pattern_id", compacted=True),
    TopicSpec(LEARNED_PATHS, "learned investigation paths, one per path_id", compacted=True),
    TopicSpec(INCIDENTS, "incident groups as they grow, one per incident_id", compacted=True),
    TopicSpec(DEADLETTER, "records a service could not decode or process, with the reason"),
)

# Faust tables: (service, table name). Their changelog topics are compacted and co-partitioned.
TABLES: tuple[tuple[str, str], ...] = (
    ("intake", "ticket_history"),
    ("intake", "processed"),
    ("investigator", "processed"),
    ("router", "processed"),
    ("router", "incident_groups"),
    ("drafter", "processed"),
    ("learner", "case_trail"),
    ("learner", "processed"),
)


def changelog_topic(settings: Settings, service: str, table: str) -> str:
    return f"{settings.app_id(service)}-{table}-changelog"


def all_topics(settings: Settings) -> list[tuple[str, int, bool]]:
    """(full name, partitions, compacted) for every topic the system needs."""
    topics = [
        (settings.topic(spec.name), spec.partitions or settings.partitions, spec.compacted) for spec in TOPICS
    ]
    topics += [
        (changelog_topic(settings, service, table), settings.partitions, True) for service, table in TABLES
    ]
    return topics
