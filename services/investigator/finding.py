"""What a check returns, and the shape every check has — generic kinds and a domain's own code."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from supportflow.events import Verdict

if TYPE_CHECKING:
    from .context import CaseContext


@dataclass
class Finding:
    """A check's result: the verdict it supports, what it saw in words, and the facts behind it
    (plain strings, usable by reply templates). `customer_safe` False keeps the observation in
    the internal note."""

    verdict: Verdict
    observed: str
    facts: dict[str, str] = field(default_factory=dict)
    customer_safe: bool = True


class HypothesisLike(Protocol):
    """The hypothesis a check runs for: its cause and what varies by cause (`attributes`)."""

    @property
    def cause(self) -> str: ...

    @property
    def attributes(self) -> Mapping[str, Any]: ...


CheckFn = Callable[["CaseContext", "HypothesisLike | None"], Awaitable[Finding]]
"""A check: reads through the case's context, never raises but `SourceUnavailable`."""
