"""Every replica's full copy of the learned patterns, read from the compacted `support.patterns`.

Each process consumes all partitions of the topic from the beginning, without a consumer
group (like a Faust GlobalTable), and keeps the newest `Pattern` per pattern_id in `patterns`:
a compact `PatternStore`, or the service's similarity index when it has one (one copy, not two).
Listeners are called for each pattern as it arrives.
A record that does not decode is skipped with a warning: the learner is its only producer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from mode import Service

from supportflow import codec, metrics
from supportflow.admin import read_topic
from supportflow.events import Pattern
from supportflow.pattern_store import PatternHolder, PatternStore
from supportflow.settings import Settings
from supportflow.topics import PATTERNS

log = logging.getLogger(__name__)


class PatternFeed(Service):
    def __init__(
        self,
        settings: Settings,
        on_pattern: Callable[[Pattern], None] | None = None,
        *,
        patterns: PatternHolder | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.patterns: PatternHolder = patterns if patterns is not None else PatternStore()
        self.on_pattern = on_pattern

    def apply(self, pattern: Pattern) -> None:
        self.patterns.add(pattern)
        metrics.PATTERNS.set(len(self.patterns))
        if self.on_pattern:
            self.on_pattern(pattern)

    @Service.task
    async def _follow(self) -> None:
        while not self.should_stop:
            try:
                async for record in read_topic(self.settings, self.settings.topic(PATTERNS), heartbeat=True):
                    if self.should_stop:
                        return
                    if record is None or record.value is None:
                        continue
                    try:
                        self.apply(codec.decode(Pattern, record.value, record.headers))
                    except codec.DecodeError as exc:
                        log.warning("skipped an undecodable pattern at offset %s: %s", record.offset, exc)
            except Exception:
                log.warning("pattern feed interrupted; reconnecting", exc_info=True)
                await asyncio.sleep(1.0)
