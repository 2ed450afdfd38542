"""A real Prometheus scrapes the five services while tickets flow: every seed metric arrives.

Prometheus is Debian's `prometheus` package (`.ci/run` installs it via deploy/install-ci-tools.sh).
Without it on PATH the test is skipped with that reason, except in CI (CI=true), where it fails,
so CI never passes without having looked.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from supportflow import codec
from supportflow.admin import producer
from supportflow.demo import EXAMPLE_PACK
from supportflow.events import CaseResolved, utcnow
from supportflow.fleet import Fleet, free_port_block
from supportflow.settings import SERVICES
from supportflow.topics import CASES_RESOLVED
from supportflow.traffic import collect_cases, publish_tickets
from supportflow.world.loader import read_tickets

REPO = Path(__file__).resolve().parents[2]
RATE = (0.0, 1.0)
ANY_COUNT = (0.0, float("inf"))
# The seed's per-layer metrics (DESIGN.md §3) and the plumbing around them, with plausible ranges.
SEED_METRICS: dict[str, tuple[float, float]] = {
    "sum(supportflow_problem_statement_seconds_count)": (1.0, float("inf")),
    "sum(supportflow_missing_identifier_total)": ANY_COUNT,
    "sum(supportflow_intake_cases_total)": (1.0, float("inf")),
    "sum(supportflow_first_evidence_seconds_count)": (1.0, float("inf")),
    "sum(supportflow_evidence_completeness_ratio_sum) / sum(supportflow_evidence_completeness_ratio_count)": RATE,
    "sum(supportflow_unverified_escalations_total)": ANY_COUNT,
    "max(supportflow_misroute_rate)": RATE,
    "max(supportflow_repeat_investigation_rate)": RATE,
    "max(supportflow_revision_rate)": RATE,
    "max(supportflow_engineering_follow_up_rate)": RATE,
    "sum(supportflow_workflow_reuse_total)": ANY_COUNT,
    "max(supportflow_repeat_case_reduction_ratio)": (-1.0, 1.0),
    "sum(supportflow_stage_seconds_count)": (4.0, float("inf")),
    'sum(supportflow_records_total{outcome="processed"})': (4.0, float("inf")),
    "max(supportflow_consumer_lag)": (0.0, 1e6),
    "sum(supportflow_end_to_end_seconds_count)": (1.0, float("inf")),
}


pytestmark = pytest.mark.system_tool("prometheus", install="Debian: apt-get install prometheus")


@pytest.fixture
def prometheus(pipeline: Fleet, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary is not None  # the system_tool mark skips (or fails, in CI) without it
    settings = pipeline.settings
    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"]["scrape_interval"] = "1s"
    config["scrape_configs"][0]["static_configs"][0]["targets"] = [
        f"127.0.0.1:{settings.web_port(name)}" for name in SERVICES
    ]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port_block(1)
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (
                tmp_path / "prometheus.log"
            ).read_text()
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def query(url: str, expr: str) -> float | None:
    answer = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert answer["status"] == "success", answer
    result: list[Any] = answer["data"]["result"]
    return float(result[0]["value"][1]) if result else None


async def resolve(settings: Any, cases: dict[str, Any], truth: dict[str, Any]) -> None:
    async with producer(settings) as sender:
        for ticket_id, case in cases.items():
            known = truth[ticket_id]
            resolved = CaseResolved(
                ticket_id=ticket_id,
                resolved_at=utcnow(),
                final_class=known.decision,
                final_cause=known.cause,
                final_queue=known.route_queue,
                final_reply=case.draft.customer_reply if case.draft else "",
                draft_edited=case.decision is None or case.decision.decision_class != known.decision,
                engineering_follow_up=known.decision in ("product_defect", "incident"),
                reopened=False,
            )
            await sender.send_and_wait(
                settings.topic(CASES_RESOLVED),
                codec.encode(resolved),
                key=ticket_id.encode(),
                headers=list(codec.avro_headers("CaseResolved").items()),
            )


async def test_every_seed_metric_is_scraped_with_a_plausible_value(pipeline: Fleet, prometheus: str) -> None:
    settings = pipeline.settings
    items = read_tickets(EXAMPLE_PACK)[:8]
    await publish_tickets(settings, [item.ticket for item in items])
    collected = await collect_cases(settings, {item.ticket.ticket_id for item in items}, timeout=120)
    assert len(collected.cases) == len(items)
    await resolve(settings, collected.cases, {item.ticket.ticket_id: item.truth for item in items})

    up: float | None = None
    missing: dict[str, float | None] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        up = await asyncio.to_thread(query, prometheus, 'count(up{job="supportflow"} == 1)')
        values = {expr: await asyncio.to_thread(query, prometheus, expr) for expr in SEED_METRICS}
        missing = {
            expr: value
            for expr, value in values.items()
            if value is None or not SEED_METRICS[expr][0] <= value <= SEED_METRICS[expr][1]
        }
        if up == len(SERVICES) and not missing:
            break
        await asyncio.sleep(1.0)
    assert up == len(SERVICES), f"{up} of {len(SERVICES)} targets up"
    assert not missing, f"absent or implausible in Prometheus: {missing}"
    answer = await asyncio.to_thread(
        httpx.get, f"{prometheus}/api/v1/series", params={"match[]": "supportflow_consumer_lag"}, timeout=5
    )
    lag_series = answer.json()["data"]
    assert {s["service"] for s in lag_series} >= {"intake", "investigator", "router", "drafter"}
