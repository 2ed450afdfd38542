"""Learner wiring: drafted cases + helpdesk feedback -> learn() -> `support.patterns`.

Two streams, both keyed by ticket_id and co-partitioned: drafted cases are kept in the
`case_trail` table; a `CaseResolved` is joined with its trail, turned into patterns (sent to
the compacted topic, keyed by pattern_id) and counted into the feedback metrics, whose state
is kept in a table too, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.learner.feedback import FeedbackMetrics
from services.learner.paths import learn_path
from services.learner.patterns import learn
from supportflow import codec, metrics
from supportflow.codec import DecodeError, decode
from supportflow.events import CaseFile, CaseResolved, Pattern
from supportflow.path_feed import PathFeed
from supportflow.pattern_feed import PatternFeed
from supportflow.pattern_store import PatternStore
from supportflow.runtime import DeadLetters, create_app, raw_topic, send_record
from supportflow.settings import Settings
from supportflow.similarity import pattern_id_for
from supportflow.topics import CASES_RESOLVED, DEADLETTER, LEARNED_PATHS, PATTERNS, REPLIES_DRAFTED

FEEDBACK_KEY = "feedback"
RESTORE_TIMEOUT_S = 120.0

log = logging.getLogger(__name__)


def build(settings: Settings) -> faust.App:
    app = create_app("learner", settings)
    feed, memory = pattern_memory(settings)
    app.add_dependency(feed)
    paths = PathFeed(settings)
    app.add_dependency(paths)
    drafted = raw_topic(app, settings, REPLIES_DRAFTED)
    resolved_topic = raw_topic(app, settings, CASES_RESOLVED)
    patterns_topic = raw_topic(app, settings, PATTERNS)
    paths_topic = raw_topic(app, settings, LEARNED_PATHS)
    dead_letters = DeadLetters("learner", raw_topic(app, settings, DEADLETTER))
    trail = app.Table("case_trail", default=dict, partitions=settings.partitions)
    processed = app.Table("processed", default=dict, partitions=settings.partitions)
    feedback = FeedbackMetrics()
    restored = False

    async def keep_trail(stream: Any) -> None:
        async for event in stream.events():
            try:
                case = decode(CaseFile, event.message.value, event.message.headers)
            except DecodeError as exc:
                await dead_letters.send(event.message, exc.reason, str(exc))
                continue
            known = trail[case.ticket_id]
            if not known or int(known.get("revision", 0)) <= case.revision:
                trail[case.ticket_id] = case.model_dump(mode="json")

    async def learn_from_feedback(stream: Any) -> None:
        nonlocal restored, feedback
        async for event in stream.events():
            message = event.message
            try:
                resolved = decode(CaseResolved, message.value, message.headers)
            except DecodeError as exc:
                await dead_letters.send(message, exc.reason, str(exc))
                continue
            if not restored:  # the table is recovered from its changelog before the first event
                feedback = FeedbackMetrics.restore(processed[FEEDBACK_KEY] or feedback.state())
                memory.restore(await stored_patterns(settings))
                await asyncio.wait_for(paths.caught_up.wait(), RESTORE_TIMEOUT_S)
                restored = True
            known = trail[resolved.ticket_id]
            case = CaseFile.model_validate(known) if known else None
            try:
                lessons = learn(resolved, case, memory)
                path = learn_path(resolved, case, paths.paths)
            except Exception as exc:
                await dead_letters.send(message, "processing_error", f"{type(exc).__name__}: {exc}")
                continue
            for pattern in lessons:
                await send_record(patterns_topic, pattern.pattern_id, pattern)
                memory.keep(pattern)
                feed.apply(pattern)
            if path is not None:
                await send_record(paths_topic, path.path_id, path)
                paths.apply(path)
            pattern_id = None
            if case is not None and case.intake is not None:
                pattern_id = pattern_id_for(case.intake, resolved.final_class, resolved.final_cause)
            if feedback.record(resolved, case, pattern_id) is not None:
                processed[FEEDBACK_KEY] = feedback.state()
                observe(feedback)
            metrics.RECORDS.labels("learner", "processed").inc()

    app.agent(drafted, name="learner-trail")(keep_trail)
    app.agent(resolved_topic, name="learner-feedback")(learn_from_feedback)
    return app


def pattern_memory(settings: Settings) -> tuple[PatternFeed, LearnedPatterns]:
    """The learned patterns this service holds: the feed's, and those it restores and writes."""
    store = PatternStore()
    memory = LearnedPatterns(store)
    return PatternFeed(settings, on_pattern=memory.catch_up, patterns=store), memory


class LearnedPatterns(Mapping[str, Pattern]):
    """The patterns the learner updates: read back from the compacted topic before its first
    lesson (so a restart continues support counts instead of starting over), then kept current
    with what it publishes. The pattern feed, which catches up in the background, adds what
    other learner replicas publish; of two versions of a pattern the better-supported wins.
    A version is kept apart from the feed's only until the feed holds it too, so each pattern
    is held once."""

    def __init__(self, feed: PatternStore) -> None:
        self._feed = feed
        self._own = PatternStore()

    def restore(self, patterns: Mapping[str, Pattern]) -> None:
        if isinstance(patterns, PatternStore):
            for pattern_id, blob in patterns.packed_items():
                if self._feed.packed(pattern_id) != blob:
                    self._own.add_packed(pattern_id, blob)
            return
        for pattern in patterns.values():
            if self._feed.get(pattern.pattern_id) != pattern:
                self.keep(pattern)

    def keep(self, pattern: Pattern) -> None:
        self._own.add(pattern)

    def catch_up(self, fed: Pattern) -> None:
        """The feed received `fed`: a version of ours it equals or supersedes is dropped here."""
        own = self._own.get(fed.pattern_id)
        if own is not None and (fed.support, fed.updated_at) >= (own.support, own.updated_at):
            self._own.discard(fed.pattern_id)

    def __getitem__(self, pattern_id: str) -> Pattern:
        own, fed = self._own.get(pattern_id), self._feed.get(pattern_id)
        if own is None or fed is None:
            found = own or fed
            if found is None:
                raise KeyError(pattern_id)
            return found
        return max(own, fed, key=lambda p: (p.support, p.updated_at))

    def __iter__(self) -> Iterator[str]:
        return iter(self._own.keys() | self._feed.keys())

    def __len__(self) -> int:
        return len(self._own.keys() | self._feed.keys())


async def stored_patterns(settings: Settings, timeout: float = RESTORE_TIMEOUT_S) -> PatternStore:
    """Every pattern on `support.patterns` up to the topic's end as of now (newest per id).

    Blocks until each partition is read to its end offset; raises TimeoutError after `timeout`
    seconds rather than let the learner start over from empty patterns.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        **settings.kafka_client_options(),
    )
    await consumer.start()
    patterns = PatternStore()
    try:
        topic = settings.topic(PATTERNS)
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        begins, ends = await consumer.beginning_offsets(tps), await consumer.end_offsets(tps)
        pending = {tp for tp in tps if ends[tp] > begins[tp]}
        async with asyncio.timeout(timeout):
            while pending:
                batch = await consumer.getmany(*pending, timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        _remember(patterns, record)
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
    finally:
        await consumer.stop()
    return patterns


def _remember(patterns: PatternStore, record: Any) -> None:
    key = record.key.decode() if record.key else None
    if record.value is None:
        if key:
            patterns.discard(key)
        return
    try:
        pattern = codec.decode(Pattern, record.value, record.headers)
    except DecodeError as exc:
        log.warning("skipped an undecodable pattern at offset %s: %s", record.offset, exc)
        return
    patterns.add(pattern)


def observe(feedback: FeedbackMetrics) -> None:
    snapshot = feedback.snapshot()
    gauges = {
        "misroute_rate": metrics.MISROUTE_RATE,
        "revision_rate": metrics.REVISION_RATE,
        "engineering_follow_up_rate": metrics.ENGINEERING_FOLLOW_UP_RATE,
        "repeat_case_reduction": metrics.REPEAT_CASE_REDUCTION,
        "repeat_investigation_rate": metrics.REPEAT_INVESTIGATION_RATE,
    }
    for key, gauge in gauges.items():
        if snapshot.get(key) is not None:
            gauge.set(snapshot[key])
