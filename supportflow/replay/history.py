"""Bounded reads of a topic's history by record timestamp, without a consumer group.

The end of every read is fixed when it starts (the partitions' end offsets then, or the first
offset at or after `until`), so a read finishes even while producers keep writing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from supportflow.admin import reader
from supportflow.settings import Settings


class MissingTopic(LookupError):
    """The topic does not exist on the broker."""


@dataclass(frozen=True)
class HistoryRecord:
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


async def read_between(
    settings: Settings,
    topic: str,
    since_ms: int,
    until_ms: int | None = None,
    *,
    keys: set[bytes] | None = None,
    patience: float = 300.0,
    on_record: Callable[[int], None] | None = None,
) -> list[HistoryRecord]:
    """Every record of `topic` with a timestamp in [since_ms, until_ms) (until now without
    `until_ms`), only those keyed by one of `keys` when given, ordered by timestamp, then
    partition and offset. `on_record(n)` is told how many records were read so far. Raises
    `MissingTopic`, and `TimeoutError` when the range is not read within `patience` seconds."""
    consumer = reader(settings)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()  # as supportflow.admin.read_topic does
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise MissingTopic(topic)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        stops = await _offsets_at(consumer, tps, until_ms)
        starts = await _offsets_at(consumer, tps, since_ms)
        records = await _read(consumer, starts, stops, keys, patience, on_record)
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.timestamp_ms, r.partition, r.offset))


async def _offsets_at(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], at_ms: int | None
) -> dict[TopicPartition, int]:
    """Per partition, the first offset whose timestamp is at or after `at_ms` (the end offset
    when none is, or without `at_ms`)."""
    ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
    if at_ms is None:
        return ends
    found = await consumer.offsets_for_times(dict.fromkeys(tps, at_ms))
    return {tp: ends[tp] if found.get(tp) is None else found[tp].offset for tp in tps}


async def _read(
    consumer: AIOKafkaConsumer,
    starts: dict[TopicPartition, int],
    stops: dict[TopicPartition, int],
    keys: set[bytes] | None,
    patience: float,
    on_record: Callable[[int], None] | None,
) -> list[HistoryRecord]:
    pending = {tp for tp in starts if starts[tp] < stops[tp]}
    records: list[HistoryRecord] = []
    read = 0
    for tp in pending:
        consumer.seek(tp, starts[tp])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while pending:
        if loop.time() >= deadline:
            raise TimeoutError(f"{len(pending)} partition(s) not read to their end within {patience:.0f}s")
        batch = await consumer.getmany(*pending, timeout_ms=500, max_records=1000)
        for tp, items in batch.items():
            for item in items:
                read += 1
                if item.offset < stops[tp] and (keys is None or item.key in keys):
                    records.append(
                        HistoryRecord(
                            tp.partition,
                            item.offset,
                            item.timestamp,
                            item.key,
                            item.value,
                            tuple(item.headers or ()),
                        )
                    )
            if on_record is not None:
                on_record(read)
        for tp in list(pending):
            if await consumer.position(tp) >= stops[tp]:
                pending.discard(tp)
    return records
