"""Every replica's full copy of the learned investigation paths, read from the compacted
`support.paths` topic (all partitions, from the beginning, no consumer group).

`caught_up` is set at the first empty poll after the start: everything on the topic when the
feed started has been read. The learner waits for it before its first lesson, so a restart
continues a path's support instead of starting it over. Listeners are called per path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from mode import Service

from supportflow import codec
from supportflow.admin import read_topic
from supportflow.events import LearnedPath
from supportflow.settings import Settings
from supportflow.topics import LEARNED_PATHS

log = logging.getLogger(__name__)


class PathFeed(Service):
    def __init__(self, settings: Settings, on_path: Callable[[LearnedPath], None] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.paths: dict[str, LearnedPath] = {}
        self.on_path = on_path
        self.caught_up = asyncio.Event()

    def apply(self, path: LearnedPath) -> None:
        known = self.paths.get(path.path_id)
        if known is not None and known.support > path.support:
            return  # an older version read after the learner's own newer one
        self.paths[path.path_id] = path
        if self.on_path:
            self.on_path(path)

    @Service.task
    async def _follow(self) -> None:
        topic = self.settings.topic(LEARNED_PATHS)
        while not self.should_stop:
            try:
                async for record in read_topic(self.settings, topic, heartbeat=True):
                    if self.should_stop:
                        return
                    if record is None:
                        self.caught_up.set()
                    elif record.value is not None:
                        try:
                            self.apply(codec.decode(LearnedPath, record.value, record.headers))
                        except codec.DecodeError as exc:
                            log.warning(
                                "skipped an undecodable learned path at offset %s: %s", record.offset, exc
                            )
            except Exception:
                log.warning("learned path feed interrupted; reconnecting", exc_info=True)
                await asyncio.sleep(1.0)
