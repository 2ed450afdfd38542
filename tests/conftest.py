"""Shared fixtures: the real local Kafka broker, an isolated namespace, the running services.

Integration tests run on a real Apache Kafka: the one KAFKA_BOOTSTRAP_SERVERS points at, or
a local broker this session starts (and stops) with `supportflow.broker`. Every test session
gets its own topic/consumer-group namespace, so runs never see each other's records.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportflow.fleet import free_port_block
from supportflow.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `system_tool(NAME)` needs that program on PATH: without it the test is
    skipped with the reason, except in CI (CI=true), which installs it: there it fails. Checked
    before any fixture runs, so a skipped test starts no broker and no services."""
    for marker in item.iter_markers("system_tool"):
        name = marker.args[0]
        if shutil.which(name) is None:
            reason = f"{name} is not installed ({marker.kwargs.get('install', 'see the README')})"
            if in_ci():
                pytest.fail(f"{reason}; CI must run this test, not skip it", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    from supportflow.broker import broker_for

    broker = broker_for("127.0.0.1:9092", REPO / ".supportflow")
    state = broker.start()
    yield state.bootstrap
    if not state.already_running:
        broker.stop()


def make_settings(bootstrap: str, tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "namespace": f"t{uuid.uuid4().hex[:8]}.",
        "web_port_base": free_port_block(),
        "state_dir": tmp / "state",
        "partitions": 4,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def isolated_settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    from supportflow.admin import create_topics

    settings = make_settings(kafka_bootstrap, tmp_path)
    asyncio.run(create_topics(settings))
    return settings
