"""Loading a scenario pack: its world into the evidence database, its tickets into models.

A pack whose world is an adopter's own schema (`world/schema.sql`) loads the same way for every
product (`schema_pack`). Any other world is loaded by the configured domain's own loader
(`<domain folder>/world/loader.py`: `load_pack(pack, db_url, progress=...)` and
`content_hash(pack)`), which knows that product's table layout.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import orjson
from pydantic import ValidationError

from supportflow.world.pack import PackError, PackTicket
from supportflow.world.schema_pack import is_schema_pack, load_schema_pack, schema_hash

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class LoadReport:
    """What `load_pack` did: `skipped` when the database already held this exact pack."""

    pack: Path
    content_hash: str
    skipped: bool
    rows: dict[str, int]
    seconds: float


@cache
def _world_module(folder: Path, name: str) -> ModuleType:
    path = folder / "world" / f"{name}.py"
    if not path.is_file():
        raise PackError(folder, None, f"the domain has no world/{name}.py")
    module_name = f"supportflow_world_{folder.name.replace('-', '_')}_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def domain_world(name: str, domain: Path | None = None) -> ModuleType:
    """A module of `domain`'s world/ folder (`loader`, `generator`); the configured domain's by
    default. A product's own world tooling lives with its domain, not in the engine."""
    if domain is None:
        from supportflow.settings import get_settings

        domain = get_settings().domain
    folder = domain.resolve()
    return _world_module(folder.parent if folder.is_file() else folder, name)


def domain_world_loader(domain: Path | None = None) -> ModuleType:
    return domain_world("loader", domain)


def content_hash(pack: Path, *, domain: Path | None = None) -> str:
    """Equal hashes mean an equal world, loaded the same way."""
    if is_schema_pack(pack):
        return schema_hash(pack)
    return str(domain_world_loader(domain).content_hash(pack))


def load_pack(
    pack: Path, db_url: str, *, progress: Progress | None = None, domain: Path | None = None
) -> LoadReport:
    """Load `pack`'s world into the database at `db_url` (SQLAlchemy URL). Blocks until done.
    Idempotent: the same pack again is a no-op (`skipped=True`). Raises PackError for a missing
    world/ folder or a bad line, leaving the database unchanged."""
    started = time.perf_counter()
    world = pack / "world"
    if not world.is_dir():
        raise PackError(world, None, "the pack has no world/ folder")
    if is_schema_pack(pack):
        inserted = load_schema_pack(pack, db_url)
        return LoadReport(pack, schema_hash(pack), not inserted, inserted, time.perf_counter() - started)
    report: LoadReport = domain_world_loader(domain).load_pack(pack, db_url, progress=progress)
    return report


def read_tickets(pack: Path) -> list[PackTicket]:
    """The pack's tickets with their truth; raises PackError naming the file and line."""
    path = pack / "tickets.jsonl"
    if not path.exists():
        raise PackError(path, None, "the pack has no tickets.jsonl")
    tickets: list[PackTicket] = []
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                tickets.append(PackTicket.model_validate(orjson.loads(raw)))
            except orjson.JSONDecodeError as exc:
                raise PackError(path, lineno, f"bad JSON: {exc}") from None
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise PackError(path, lineno, f"{where}: {first['msg']}") from None
    return tickets
