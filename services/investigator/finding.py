"""What one check observed, relative to the hypothesis it was run for."""

from __future__ import annotations

from dataclasses import dataclass, field

from supportflow.events import Verdict


@dataclass
class Finding:
    """A check's result: the verdict it supports, what it saw in words, and the facts behind it
    (plain strings, usable by reply templates). `customer_safe` False keeps the observation in
    the internal note."""

    verdict: Verdict
    observed: str
    facts: dict[str, str] = field(default_factory=dict)
    customer_safe: bool = True
