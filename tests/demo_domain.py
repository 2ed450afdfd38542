"""The demo product's domain folder, as the tests use it in-process."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from domains import DEFAULT_DOMAIN
from services.investigator import Sources, build_sources, load_playbooks
from services.investigator.playbooks import Playbooks
from services.investigator.sources import QueryRecorder
from services.router.routing import RoutingTable, load_routing
from supportflow.domain import Domain, load_domain


@cache
def demo() -> Domain:
    return load_domain(DEFAULT_DOMAIN)


@cache
def demo_playbooks() -> Playbooks:
    return load_playbooks(demo())


@cache
def demo_routing() -> RoutingTable:
    return load_routing(demo())


def demo_sources(url: str, *, recorder: QueryRecorder | None = None) -> Sources:
    """The demo domain's sources with its SQL source on `url` (a loaded pack or a test world)."""
    return build_sources(demo().data, recorder=recorder, locations={"sql": str(url)})


def demo_copy(tmp: Path, **sections: Any) -> Path:
    """A copy of the demo domain folder under `tmp` with `sections` of domain.yaml merged in
    (mappings one level deep: `data={"sources": {...}}` replaces data.sources)."""
    folder = tmp / "domain"
    shutil.copytree(DEFAULT_DOMAIN, folder, ignore=shutil.ignore_patterns("__pycache__"))
    config = yaml.safe_load((folder / "domain.yaml").read_text(encoding="utf-8"))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    (folder / "domain.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder
