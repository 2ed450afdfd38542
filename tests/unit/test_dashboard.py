"""The Grafana dashboard refers only to metrics that supportflow/metrics.py declares."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.metrics import MetricWrapperBase

from supportflow import metrics

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "supportflow.json"
PROVIDER = REPO / "deploy" / "grafana" / "provisioning" / "dashboards" / "supportflow.yml"
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
}
LAYERS = ["Intake", "Investigation", "Decisioning", "Response drafting", "Learning"]


def exported_names() -> set[str]:
    names = set()
    for collector in vars(metrics).values():
        if isinstance(collector, MetricWrapperBase):
            for family in collector.describe():
                names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def expressions(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_every_metric_the_dashboard_queries_is_declared() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    referenced = {name for expr in expressions(dashboard) for name in re.findall(r"\bsupportflow_\w+", expr)}
    assert referenced, "the dashboard queries no supportflow metric"
    assert referenced <= exported_names(), f"undeclared: {sorted(referenced - exported_names())}"


def test_one_row_per_layer_with_three_panels_and_a_failure_threshold() -> None:
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    rows = [i for i, panel in enumerate(panels) if panel["type"] == "row"]
    titles = [panels[i]["title"] for i in rows]
    assert titles[: len(LAYERS)] == LAYERS
    assert {"Consumer lag", "Throughput and latency"} <= set(titles)
    for start, end in zip(rows, [*rows[1:], len(panels)], strict=True):
        if panels[start]["title"] in LAYERS:
            primary, secondary, failure = panels[start + 1 : end]
            assert primary["title"].startswith("Primary") and secondary["title"].startswith("Secondary")
            steps = failure["fieldConfig"]["defaults"]["thresholds"]["steps"]
            assert failure["title"].startswith("Failure") and len(steps) > 1, failure["title"]


def test_compose_provisions_the_dashboard_folder() -> None:
    provider = yaml.safe_load(PROVIDER.read_text(encoding="utf-8"))
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    mounts = compose["services"]["grafana"]["volumes"]
    path = provider["providers"][0]["options"]["path"]
    assert any(m.startswith("./deploy/grafana/dashboards:" + path) for m in mounts)
    assert any(m.startswith("./deploy/grafana/provisioning:/etc/grafana/provisioning") for m in mounts)
