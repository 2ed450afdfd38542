"""Integration fixtures: the example world loaded into SQLite and the five services running."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportflow.fleet import Fleet
from supportflow.settings import Settings

REPO = Path(__file__).resolve().parents[2]
from supportflow.demo import EXAMPLE_PACK  # noqa: E402

INTERNAL_ERROR = re.compile(r"Traceback \(most recent call last\)|\[ERROR\]|\bCRITICAL\b")


@pytest.fixture(scope="session")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from supportflow.world.loader import load_pack

    url = f"sqlite:///{tmp_path_factory.mktemp('world') / 'world.db'}"
    load_pack(EXAMPLE_PACK, url)
    return url


@pytest.fixture
def pipeline_domain() -> Path | None:
    """The domain folder the pipeline runs (None: the settings' own); a test module overrides it."""
    return None


@pytest.fixture
def pipeline(isolated_settings: Settings, world_db: str, pipeline_domain: Path | None) -> Iterator[Fleet]:
    """The five services on the real broker, in this test's namespace; fails on logged errors."""
    settings = isolated_settings.model_copy(update={"world_db": world_db})
    if pipeline_domain is not None:
        settings = settings.model_copy(update={"domain": pipeline_domain})
    fleet = Fleet(settings, log_dir=settings.state_dir / "logs")
    fleet.start()
    try:
        fleet.wait_healthy(timeout=120)
        yield fleet
    finally:
        fleet.stop()
    errors = {
        path.name: path.read_text(errors="replace")
        for path in (settings.state_dir / "logs").glob("*.log")
        if INTERNAL_ERROR.search(path.read_text(errors="replace"))
    }
    assert not errors, f"services logged internal errors: { {k: v[-3000:] for k, v in errors.items()} }"
