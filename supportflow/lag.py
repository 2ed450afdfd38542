"""Consumer lag per assigned partition, sampled by a Faust timer into `supportflow_consumer_lag`.

Lag is the partition's high watermark minus the consumer's position (the next offset it will
read): the records this service has not consumed yet. Table changelogs are left out; they are
read only during recovery. A sample that fails (rebalance, broker away) is skipped, never fatal.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from supportflow import metrics

log = logging.getLogger(__name__)

LAG_INTERVAL_S = 2.0


def install_lag_sampler(app: faust.App, service: str, interval: float = LAG_INTERVAL_S) -> None:
    sampled: set[tuple[str, str]] = set()

    @app.timer(interval, on_leader=False)  # type: ignore[untyped-decorator]
    async def sample_consumer_lag() -> None:
        consumer: Any = app.consumer
        if consumer is None:
            return
        partitions = [tp for tp in consumer.assignment() if not tp.topic.endswith("-changelog")]
        try:
            highwaters = await consumer.highwaters(*partitions) if partitions else {}
            current: set[tuple[str, str]] = set()
            for tp in partitions:
                position = await consumer.position(tp)
                if position is None or tp not in highwaters:
                    continue
                labels = (tp.topic, str(tp.partition))
                metrics.CONSUMER_LAG.labels(service, *labels).set(max(highwaters[tp] - position, 0))
                current.add(labels)
        except Exception as exc:  # a sample is best effort: the next tick tries again
            log.debug("consumer lag sample skipped: %s", exc)
            return
        for labels in sampled - current:  # partitions revoked since the last sample
            metrics.CONSUMER_LAG.remove(service, *labels)
        sampled.clear()
        sampled.update(current)
