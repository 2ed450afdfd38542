"""`/health` during start-up: 503 "starting" until the consumer runs, never an exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faust.exceptions import ConsumerNotStarted

from supportflow.runtime import create_app
from supportflow.settings import Settings


class Consumer:
    """What `/health` reads of faust's consumer: `assignment()`, which raises until its thread runs."""

    def __init__(self, assigned: set[str] | None) -> None:
        self.assigned = assigned

    def assignment(self) -> set[str]:
        if self.assigned is None:
            raise ConsumerNotStarted("Consumer thread not yet started")
        return self.assigned


async def ask_health(tmp_path: Path, consumer: Consumer) -> tuple[int, Any]:
    app = create_app("router", Settings(state_dir=tmp_path))
    app.consumer = consumer
    answer: Any = await app.web.views["/health"].get(None)
    return answer.status, json.loads(answer.body)


async def test_health_answers_503_starting_before_the_consumer_thread_runs(tmp_path: Path) -> None:
    assert await ask_health(tmp_path, Consumer(None)) == (
        503,
        {"service": "router", "status": "starting", "assigned_partitions": 0},
    )


async def test_health_reports_the_assigned_partitions_once_the_consumer_runs(tmp_path: Path) -> None:
    assert await ask_health(tmp_path, Consumer({"p0", "p1"})) == (
        200,
        {"service": "router", "status": "ok", "assigned_partitions": 2},
    )
