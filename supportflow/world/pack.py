"""The scenario-pack contract shared by every domain's packs and the evaluator.

DESIGN.md §4 gives the file layout; this module holds what code needs of it for any product:
the ground-truth model, the ticket wrapper and the error a bad pack file raises. A product's
own names (causes, checks, identifiers) live in its domain folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from supportflow.events import TicketReceived


class PackError(ValueError):
    """A pack file that cannot be read: names the file and, when known, the 1-based line."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


def jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL world file with their 1-based line numbers; blank lines are
    skipped and the first line that is not a JSON object raises PackError."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise PackError(path, number, f"bad JSON: {exc}") from None
            if not isinstance(record, dict):
                raise PackError(path, number, "expected a JSON object")
            yield number, record


class Truth(BaseModel):
    """What a perfect pipeline would conclude about one pack ticket."""

    model_config = ConfigDict(extra="ignore")

    decision: str
    cause: str | None = None
    route_queue: str
    identifiers: dict[str, str] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)
    required_evidence: list[str] = Field(default_factory=list)
    answer_points: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    family: str | None = None
    language: str = "en"


class PackTicket(BaseModel):
    """One line of tickets.jsonl."""

    model_config = ConfigDict(extra="ignore")

    ticket: TicketReceived
    truth: Truth
