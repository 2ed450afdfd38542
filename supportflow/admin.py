"""Topic administration and small producer/consumer helpers used by the CLI, eval and tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from supportflow.settings import Settings
from supportflow.topics import all_topics


async def create_topics(settings: Settings) -> tuple[list[str], list[str]]:
    """Create every topic of the table that does not exist yet. Returns (created, existing)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **settings.kafka_client_options()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = all_topics(settings)
        new = [
            NewTopic(
                name,
                partitions,
                settings.replication_factor,
                topic_configs={"cleanup.policy": "compact"} if compacted else {},
            )
            for name, partitions, compacted in wanted
            if name not in existing
        ]
        if new:
            # another process may create them meanwhile: the outcome is the same
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
        await _wait_for_metadata(admin, [t.name for t in new])
        return [t.name for t in new], [name for name, _, _ in wanted if name in existing]
    finally:
        await admin.close()


async def _wait_for_metadata(
    admin: AIOKafkaAdminClient, names: Sequence[str], patience: float = 30.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while names and loop.time() < deadline:
        if set(names) <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.2)


async def delete_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **settings.kafka_client_options()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        names = [name for name, _, _ in all_topics(settings) if name in existing]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


def producer(settings: Settings, **options: Any) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        max_request_size=8 * 1024 * 1024,
        **settings.kafka_client_options(),
        **options,
    )


def reader(settings: Settings) -> AIOKafkaConsumer:
    """A consumer outside any consumer group that commits nothing: the caller assigns partitions."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        fetch_max_bytes=16 * 1024 * 1024,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        **settings.kafka_client_options(),
    )


async def read_topic(
    settings: Settings,
    topic: str,
    *,
    from_beginning: bool = True,
    idle_timeout: float | None = None,
    deadline: float | None = None,
    heartbeat: bool = False,
) -> AsyncGenerator[Any, None]:
    """Yield records of every partition of `topic` without joining a consumer group.

    Stops after `idle_timeout` seconds without a record, or at the loop-time `deadline`;
    with neither it runs until cancelled. With `heartbeat`, an empty poll yields None, so the
    caller can decide to stop while the topic is quiet.
    """
    consumer = reader(settings)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            now = loop.time()
            if deadline is not None and now >= deadline:
                return
            if idle_timeout is not None and now - last >= idle_timeout:
                return
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            if heartbeat and not batch:
                yield None
            for records in batch.values():
                for record in records:
                    last = loop.time()
                    yield record
    finally:
        await consumer.stop()
