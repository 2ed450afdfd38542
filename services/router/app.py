"""Router wiring: `support.cases.investigated` -> decide() -> `support.cases.decided`.

Incident groups live in a changelog-backed Faust table keyed by signature. The table is
complete when one replica owns every partition (the default deployment); with several router
replicas each groups the tickets of its own partitions.
"""

from __future__ import annotations

import faust

from services.router.decide import decide
from services.router.incidents import group_incident
from services.router.routing import RoutingTable
from supportflow import metrics
from supportflow.events import CaseFile, Decision
from supportflow.runtime import create_app, wire_case_stage
from supportflow.settings import Settings, load_domain_config
from supportflow.topics import CASES_DECIDED, CASES_INVESTIGATED


def build(settings: Settings) -> faust.App:
    routing = RoutingTable.from_config(load_domain_config(settings.domain_config)["routing"])
    app = create_app("router", settings)
    groups = app.Table("incident_groups", default=dict, partitions=settings.partitions)

    async def route(case: CaseFile) -> CaseFile:
        incident = group_incident(case, groups)
        decision = decide(case, routing, incident=incident)
        observe(decision)
        return case.model_copy(update={"decision": decision})

    wire_case_stage(app, settings, stage="router", source=CASES_INVESTIGATED, sink=CASES_DECIDED, step=route)
    return app


def observe(decision: Decision) -> None:
    metrics.DECISIONS.labels(decision.decision_class).inc()
    if decision.route.escalate:
        metrics.ESCALATIONS.labels(decision.route.queue).inc()
    if decision.incident_id:
        metrics.INCIDENT_GROUPS.inc()
