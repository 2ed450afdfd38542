"""Compact in-memory storage of learned patterns.

Every replica holds every pattern (DESIGN.md §1, learner), so a pattern is kept as one small
compressed blob — its field values, marshalled and deflated — and rebuilt as a `Pattern` when
read. Rebuilding skips validation: a blob is only ever made from a validated `Pattern` in this
process. Reading one costs tens of microseconds; callers read a handful per lookup.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from supportflow.events import Pattern

_FIELDS = tuple(Pattern.model_fields)
_UPDATED_AT = _FIELDS.index("updated_at")


def pack(pattern: Pattern) -> bytes:
    values: list[Any] = [getattr(pattern, name) for name in _FIELDS]
    values[_UPDATED_AT] = pattern.updated_at.isoformat()
    return zlib.compress(marshal.dumps(tuple(values)), 1)


def unpack(blob: bytes) -> Pattern:
    values = list(marshal.loads(zlib.decompress(blob)))
    values[_UPDATED_AT] = datetime.fromisoformat(values[_UPDATED_AT])
    return Pattern.model_construct(**dict(zip(_FIELDS, values, strict=True)))


class PatternHolder(Protocol):
    """Where a service keeps the patterns it receives (the pattern feed writes to it)."""

    def add(self, pattern: Pattern) -> None: ...

    def __len__(self) -> int: ...


class PatternStore(Mapping[str, Pattern]):
    """pattern_id -> Pattern, each kept packed; the newest `add` of an id wins."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}

    def add(self, pattern: Pattern) -> None:
        self._blobs[pattern.pattern_id] = pack(pattern)

    def packed(self, pattern_id: str) -> bytes | None:
        """The packed form of a pattern (equal bytes: the same version), None if not held."""
        return self._blobs.get(pattern_id)

    def packed_items(self) -> Iterator[tuple[str, bytes]]:
        return iter(self._blobs.items())

    def add_packed(self, pattern_id: str, blob: bytes) -> None:
        self._blobs[pattern_id] = blob

    def discard(self, pattern_id: str) -> None:
        self._blobs.pop(pattern_id, None)

    def __getitem__(self, pattern_id: str) -> Pattern:
        return unpack(self._blobs[pattern_id])

    def __contains__(self, pattern_id: object) -> bool:
        return pattern_id in self._blobs

    def __iter__(self) -> Iterator[str]:
        return iter(self._blobs)

    def __len__(self) -> int:
        return len(self._blobs)
