"""Router wiring: `support.cases.investigated` -> decide() -> `support.cases.decided`.

Incident groups live in a changelog-backed Faust table keyed by signature. The table is
complete when one replica owns every partition (the default deployment); with several router
replicas each groups the tickets of its own partitions. Every change to a group is published
on the compacted `support.incidents` topic (sent before the case, so a replay repeats it).
"""

from __future__ import annotations

import faust

from services.router.decide import decide
from services.router.incidents import IncidentMatch, group_incident, incident_records
from services.router.routing import load_routing
from supportflow import metrics
from supportflow.events import CaseFile, Decision, utcnow
from supportflow.runtime import create_app, raw_topic, send_record, wire_case_stage
from supportflow.settings import Settings, load_domain_for
from supportflow.topics import CASES_DECIDED, CASES_INVESTIGATED, INCIDENTS


def build(settings: Settings) -> faust.App:
    routing = load_routing(load_domain_for(settings))
    app = create_app("router", settings)
    groups = app.Table("incident_groups", default=dict, partitions=settings.partitions)
    incidents = raw_topic(app, settings, INCIDENTS)

    async def route(case: CaseFile) -> CaseFile:
        incident = group_incident(case, groups)
        decision = decide(case, routing, incident=incident)
        observe(decision, incident)
        if incident is not None:
            for record in incident_records(groups, incident, utcnow()):
                await send_record(incidents, record.incident_id, record)
        return case.model_copy(update={"decision": decision})

    wire_case_stage(app, settings, stage="router", source=CASES_INVESTIGATED, sink=CASES_DECIDED, step=route)
    return app


def observe(decision: Decision, incident: IncidentMatch | None) -> None:
    metrics.DECISIONS.labels(decision.decision_class).inc()
    if decision.route.escalate:
        metrics.ESCALATIONS.labels(decision.route.queue).inc()
    if incident is not None and incident.grouped:
        metrics.INCIDENT_GROUPS.inc()
